/** Exit codes of the CLI contract. */
export const EXIT_OK = 0;
/** The run failed after it started (tests, timeout, memory, crash, nothing recorded), or nothing improved. */
export const EXIT_FAILED = 1;
/** Bad usage or input, found before any run started. */
export const EXIT_USAGE = 2;
