/** What top-level statements of a model's code block look like, shared by the languages' harvesters. */
/** Splits text into top-level statements: a statement starts at a line with no indentation. */
export function topLevelStatements(text: string, continues: (line: string) => boolean): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const s = current.join('\n').replace(/\s+$/, '');
    if (s.trim() !== '') statements.push(s);
    current = [];
  };
  for (const line of text.split('\n')) {
    const startsStatement = line !== '' && !/^\s/.test(line) && !continues(line);
    if (startsStatement) flush();
    current.push(line);
  }
  flush();
  return statements;
}
