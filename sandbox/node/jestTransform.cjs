'use strict';
// A jest transformer around the project's own one (babel-jest, ts-jest, …, with its options):
// the target module's source gets its binding instrumented (instrument.cjs) before the project's
// transformer compiles it, so babel's and TypeScript's CommonJS output keep the export live.
const { instrumentSource } = require('./instrument.cjs');

/** For a file the project does not transform: its source as it is. */
const AS_IS = { process: (source) => ({ code: source }) };

function innerTransformer(modulePath, options) {
  if (!modulePath) return AS_IS;
  const loaded = require(modulePath);
  const factory = loaded.createTransformer ?? loaded.default?.createTransformer;
  if (typeof factory === 'function') return factory.call(loaded.default ?? loaded, options);
  return loaded.default ?? loaded;
}

module.exports = {
  createTransformer({ inner, innerOptions, plans }) {
    const transformer = innerTransformer(inner, innerOptions);
    const instrument = (source, filename) => {
      const plan = plans.find((p) => p.abs === filename);
      return plan ? (instrumentSource(source, plan.name, plan.key) ?? source) : source;
    };
    const withConfig = (options) => ({ ...options, transformerConfig: innerOptions });
    const wrapped = {
      canInstrument: transformer.canInstrument,
      process: (source, filename, options) =>
        transformer.process(instrument(source, filename), filename, withConfig(options)),
    };
    if (typeof transformer.processAsync === 'function') {
      wrapped.processAsync = (source, filename, options) =>
        transformer.processAsync(instrument(source, filename), filename, withConfig(options));
    }
    return wrapped;
  },
};
