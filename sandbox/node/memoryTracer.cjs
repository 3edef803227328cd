// Worker thread that samples the MAIN thread's memory while it runs a replay pass.
// A worker cannot read another isolate's heap directly, so it opens an inspector session to the
// main thread (Session#connectToMainThread). Inspector messages are dispatched on the main thread
// through V8 interrupts, i.e. also while the main thread is busy in synchronous user code; each
// request evaluates `globalThis.__afterburnerMemory()` = heapUsed + external (bytes;
// process.memoryUsage().external already includes arrayBuffers). The worker stamps each answer
// with process.hrtime (one monotonic clock for all threads) and paces requests to `intervalUs`.
const { Session } = require('node:inspector');
const { parentPort, workerData } = require('node:worker_threads');

const flags = new Int32Array(workerData.flags); // [0] = running, [1] = stop requested
const pause = new Int32Array(new SharedArrayBuffer(4));
const session = new Session();
session.connectToMainThread();

const times = [];
const values = [];

function sampleOnce(done) {
  session.post(
    'Runtime.evaluate',
    { expression: 'globalThis.__afterburnerMemory()', returnByValue: true, silent: true },
    (err, res) => {
      const value = err ? undefined : res?.result?.value;
      if (typeof value === 'number') {
        times.push(Number(process.hrtime.bigint()));
        values.push(value);
      }
      done();
    },
  );
}

function loop() {
  if (Atomics.load(flags, 1) === 1) {
    parentPort.postMessage({ times, values });
    return;
  }
  const started = process.hrtime.bigint();
  sampleOnce(() => {
    const spentUs = Number(process.hrtime.bigint() - started) / 1000;
    const waitUs = workerData.intervalUs - spentUs;
    if (waitUs > 20) Atomics.wait(pause, 0, 0, waitUs / 1000);
    loop();
  });
}

// Inspector replies do not keep a worker alive by themselves; an open port does.
parentPort.on('message', () => undefined);
Atomics.store(flags, 0, 1);
Atomics.notify(flags, 0);
loop();
