import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { inputGeneratorMessages, type InputGeneratorRequest } from '../../src/core/inputGeneratorPrompt';

const python: InputGeneratorRequest = {
  language: languageOf('python'),
  target: 'count_pairs',
  functionCode: 'def count_pairs(values, target):\n    return 0',
  modulePath: 'pairs.py',
  testPath: 'test_pairs.py',
  testCode: 'from pairs import count_pairs\n\ndef test_empty():\n    assert count_pairs([], 3) == 0\n',
  sizes: [100, 1000, 10000],
};

function text(request: InputGeneratorRequest): { system: string; user: string } {
  const [system, user] = inputGeneratorMessages(request);
  return { system: system?.content ?? '', user: user?.content ?? '' };
}

describe('input generator prompt', () => {
  it('is a system message with the rules and a user message with the function and its tests', () => {
    const messages = inputGeneratorMessages(python);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const { system, user } = text(python);
    expect(system).toMatch(/afterburner_inputs\(size\)/);
    expect(system).toMatch(/deterministic/i);
    expect(system).toMatch(/ONE fenced code block/);
    expect(user).toContain(python.functionCode);
    expect(user).toContain(python.testCode);
    expect(user).toContain('`count_pairs` in `pairs.py`');
    expect(user).toContain('test_pairs.py');
  });

  it('asks Python for a tuple of positional arguments, even for one argument', () => {
    const { user } = text(python);
    expect(user).toContain('def afterburner_inputs(size):');
    expect(user).toMatch(/TUPLE of the positional arguments/);
    expect(user).toContain('return (values,)');
  });

  it('asks JavaScript and TypeScript for an exported function returning the argument array', () => {
    const ts = text({
      ...python,
      language: languageOf('typescript'),
      functionCode: 'export function uniqueSorted(values: number[]): number[] { return values; }',
    });
    expect(ts.user).toContain('export function afterburner_inputs(size: number): unknown[]');
    expect(ts.user).toMatch(/ARRAY of the arguments/);
    expect(ts.user).toContain('return [values]');
    expect(ts.user).toContain('```typescript');
    const js = text({ ...python, language: languageOf('javascript') });
    expect(js.user).toContain('export function afterburner_inputs(size)');
  });

  it('says the instance comes first for a method', () => {
    expect(text({ ...python, target: 'Index.lookup' }).user).toMatch(
      /Index\.lookup is a method: the first element of each tuple is the instance/,
    );
    expect(text(python).user).not.toMatch(/is a method/);
  });

  it('names the sizes it will be called with', () => {
    expect(text(python).user).toContain('size = 100, 1000, 10000');
  });

  it('cuts very long tests and says how much was left out', () => {
    const long = 'x = 1\n'.repeat(5000);
    const { user } = text({ ...python, testCode: long });
    expect(user.length).toBeLessThan(long.length);
    expect(user).toMatch(/more characters not shown/);
  });
});
