/** The size of a change as a reviewer sees it: lines added plus lines removed. */
import { diffLines } from 'diff';

export function changedLines(before: string, after: string): number {
  const normalize = (text: string): string => `${text.replace(/\r\n/g, '\n').replace(/\s+$/, '')}\n`;
  let count = 0;
  for (const part of diffLines(normalize(before), normalize(after), { ignoreWhitespace: false })) {
    if (part.added || part.removed) count += part.count ?? 0;
  }
  return count;
}
