// Which test is running, as each runner tells it, so the in-place timing can say how many tests
// made the calls it timed rather than how many the test files hold. One slot for the process:
// the runners run one test at a time here. jest runs each test file in a realm of its own, where
// only expect.getState() knows the test: its setup (jestSetup.cjs) hands over a reader.
const slot = { test: undefined, read: undefined };

/** A test (any value standing for it, unique within a run) has started; gives the one it is inside. */
export function testStarted(test) {
  const outer = slot.test;
  slot.test = test;
  slot.read = undefined;
  return outer;
}

/**
 * It has ended: calls from here on belong to `outer` (the test a subtest ran inside), else to no
 * test (an after hook, the next file's top level).
 */
export function testEnded(test, outer) {
  if (slot.test === test) slot.test = outer;
}

/** The runner is read from now on: `read()` gives the running test or undefined. */
export function testsReadFrom(read) {
  slot.read = read;
}

/** The running test, or undefined outside any. */
export function testNow() {
  try {
    return slot.read ? slot.read() : slot.test;
  } catch {
    return undefined;
  }
}
