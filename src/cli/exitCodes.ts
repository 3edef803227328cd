/** Exit codes of the CLI contract. */
export const EXIT_OK = 0;
/** The code under test failed, or nothing improved. */
export const EXIT_FAILED = 1;
/** Bad usage or input. */
export const EXIT_USAGE = 2;
