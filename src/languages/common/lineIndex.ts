/**
 * Offsets to lines and indentation, shared by the language scanners. Offsets are UTF-16 indices
 * (what JavaScript strings and VS Code use); lines are 0-based.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineStart(offset: number): number {
    return this.starts[this.lineOf(offset)] as number;
  }
  /** Leading whitespace of the line holding `offset`, up to `offset` at most. */
  indentAt(offset: number): string {
    const from = this.lineStart(offset);
    let i = from;
    while (i < offset && (this.text[i] === ' ' || this.text[i] === '\t')) i++;
    return this.text.slice(from, i);
  }
}
