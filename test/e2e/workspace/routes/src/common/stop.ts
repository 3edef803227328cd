export interface Stop {
  readonly code: string;
  readonly name: string;
}

/** Stop codes are compared case-blind and without surrounding blanks, as timetables write them. */
export function stopKey(code: string): string {
  return code.trim().toUpperCase();
}
