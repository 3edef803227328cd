// What the benchmark needs from the adapters, bundled by run.mjs into dist/bench.js.
export { createDockerSandbox } from '../src/adapters/dockerSandbox';
export { containerSpec } from '../src/adapters/dockerContainerPool';
export { connectDocker } from '../src/adapters/dockerEngine';
export { createLocalSandbox } from '../src/adapters/localSandbox';
export {
  defaultHarnessDir,
  harnessCommand,
  makeWorkDir,
  prepareJob,
  probePython,
  removeWorkDir,
  writeJobFiles,
} from '../src/adapters/harnessRun';
export { ensureSandboxImage, imageExists, sandboxImage } from '../src/adapters/sandboxImages';
export { decideAcceptance, sideBySideSpeedFactor } from '../src/core/acceptance';
export { withReferenceModule } from '../src/core/referenceModule';
export { optimize } from '../src/core/loop';
export { languageOf } from '../src/languages/registry';
