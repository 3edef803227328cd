'use strict';
// Added before the project's own setupFiles when jest runs in the harness process: the target
// module, instrumented by jestTransform.cjs, hands its function to the test environment's
// globalThis.__afterburnerWrap; this forwards it to the harness's recorder. jest gives each test
// file a global of its own and its own `require` (also behind module.createRequire), but its
// `process` carries the properties of the real one: the harness leaves the entrance there.
globalThis.__afterburnerWrap = process.__afterburnerWrap;
globalThis.__afterburnerWrapMethod = process.__afterburnerWrapMethod;
// Which test is running, for the count of tests making the calls timed in place (currentTest.mjs).
process.__afterburnerTestsReadFrom?.(() => {
  const state = globalThis.expect?.getState?.();
  return state?.currentTestName ? `${state.testPath}\u0000${state.currentTestName}` : undefined;
});
