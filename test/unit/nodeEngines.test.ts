import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The harness's sandbox/node/nodeEngines.mjs (plain JavaScript, no declarations). */
interface NodeEnginesModule {
  nodeSatisfies(range: string, version?: string): boolean;
}

const engines = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/nodeEngines.mjs')).href
) as Promise<NodeEnginesModule>;

describe("a runner's engines.node against the sandbox's Node", () => {
  it('reads the ranges packages write', async () => {
    const { nodeSatisfies } = await engines;
    const cases: [string, string, boolean][] = [
      ['^20.0.0 || ^22.0.0 || >=24.0.0', 'v18.20.4', false],
      ['^20.0.0 || ^22.0.0 || >=24.0.0', 'v20.20.2', true],
      ['^20.19.0 || >=22.12.0', 'v20.18.0', false],
      ['>= 18.12.0', 'v18.19.0', true],
      ['>=16 <19', 'v20.1.0', false],
      ['>=16 <19', 'v18.1.0', true],
      ['18.x || 20.x', 'v20.3.1', true],
      ['~20.5', 'v20.6.0', false],
      ['*', 'v18.0.0', true],
    ];
    for (const [range, version, expected] of cases)
      expect([range, version, nodeSatisfies(range, version)]).toEqual([range, version, expected]);
  });
});
