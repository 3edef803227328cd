// The `hotspots` mode: run the project's tests under the inspector's CPU profiler and report where
// their time went, per function defined in a file under the project root (node_modules and this
// harness are left out; the host drops the tests themselves and ranks).
//   totalMs: inclusive sampled time (a function on the stack several times, as in recursion, is
//            counted once per sample); selfMs: samples with the function on top;
//   calls:   from V8's precise coverage with call counts (function granularity), since a sampling
//            profile cannot count calls.
// TypeScript arrives transpiled with inline source maps: files and lines are mapped back to the .ts.
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { createLineMapper } from './sourceMap.mjs';

const SAMPLING_INTERVAL_US = 200;
const MAX_FUNCTIONS = 400;
const here = path.dirname(fileURLToPath(import.meta.url));

function post(session, method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

function fileOf(url) {
  if (!url) return undefined;
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url.replace(/[?#].*$/, ''));
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}

/** The project-relative POSIX path of an absolute file, or undefined when it is not the project's own. */
function projectPath(file, root) {
  if (file === undefined || file.startsWith(here + path.sep)) return undefined;
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const posix = rel.split(path.sep).join('/');
  return posix.split('/').includes('node_modules') ? undefined : posix;
}

/**
 * Per function (keyed by script and start position) of a V8 CPU profile: inclusive and self
 * microseconds; plus `testUs`, the inclusive time of the outermost frames for which `isTest` holds
 * (the tests' own time, without the runner, module loading and idle time around them).
 */
export function aggregateProfile(profile, isTest = () => false) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; the time until the next sample belongs to sample i.
    const us = deltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + us);
  }
  const functions = new Map();
  const onStack = new Map();
  let testUs = 0;
  const keyOf = (f) => `${f.scriptId}:${f.url}:${f.lineNumber}:${f.columnNumber}`;
  // Iterative post-order walk: deep recursion in the code under test must not overflow ours.
  const root = profile.nodes[0];
  const subtree = new Map();
  const stack = [{ node: root, entered: false }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const { node } = top;
    const frame = node.callFrame;
    const key = keyOf(frame);
    if (!top.entered) {
      top.entered = true;
      onStack.set(key, (onStack.get(key) ?? 0) + 1);
      for (const c of node.children ?? []) {
        const child = byId.get(c);
        if (child) stack.push({ node: child, entered: false });
      }
      continue;
    }
    stack.pop();
    let total = selfUs.get(node.id) ?? 0;
    for (const c of node.children ?? []) total += subtree.get(c) ?? 0;
    subtree.set(node.id, total);
    const depth = onStack.get(key) - 1;
    onStack.set(key, depth);
    const entry = functions.get(key) ?? { frame, totalUs: 0, selfUs: 0 };
    entry.selfUs += selfUs.get(node.id) ?? 0;
    if (depth === 0) entry.totalUs += total; // outermost occurrence on this path
    functions.set(key, entry);
    if (isTest(frame) && !stack.some((s) => s.entered && isTest(s.node.callFrame))) testUs += total;
  }
  return { functions: [...functions.values()], testUs };
}

function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * Call counts from precise coverage. A coverage range starts at the `function` keyword, a profile's
 * call frame at the parameter list, so a frame takes the count of the innermost function of the same
 * name whose range holds the frame's position.
 */
function callCounter(coverage) {
  const scripts = new Map();
  for (const script of coverage) {
    const file = fileOf(script.url);
    if (!file) continue;
    let starts;
    try {
      starts = lineStarts(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const functions = script.functions
      .filter((fn) => fn.functionName && fn.ranges[0])
      .map((fn) => ({ name: fn.functionName, ...fn.ranges[0] }));
    scripts.set(script.url, { starts, functions });
  }
  return (frame) => {
    const script = scripts.get(frame.url);
    const lineStart = script?.starts[frame.lineNumber];
    if (!script || lineStart === undefined) return 0;
    const offset = lineStart + frame.columnNumber;
    let best;
    for (const fn of script.functions) {
      if (fn.name !== frame.functionName || offset < fn.startOffset || offset >= fn.endOffset) continue;
      if (!best || fn.endOffset - fn.startOffset < best.endOffset - best.startOffset) best = fn;
    }
    return best?.count ?? 0;
  };
}

/** Maps emitted JavaScript files back to their TypeScript source, once per file. */
function sourceLocator(root) {
  const mappers = new Map();
  return (file, line) => {
    if (!mappers.has(file)) {
      let mapper;
      try {
        mapper = createLineMapper(file);
      } catch {
        mapper = undefined;
      }
      mappers.set(file, mapper);
    }
    const mapper = mappers.get(file);
    const original = mapper?.original(line);
    if (!mapper || !original) return { file: projectPath(file, root), line };
    const source = path.resolve(path.dirname(file), mapper.source);
    return { file: projectPath(source, root) ?? projectPath(file, root), line: original.line };
  };
}

/** Runs the tests once under the profiler; failed tests are reported beside the profile. */
export async function profileTests(job, runAllTests) {
  const root = fs.realpathSync(job.projectRoot ?? process.cwd());
  const session = new Session();
  session.connect();
  let profile;
  let coverage;
  let tests;
  const started = performance.now();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await post(session, 'Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    await post(session, 'Profiler.start');
    try {
      tests = await runAllTests();
    } finally {
      ({ profile } = await post(session, 'Profiler.stop'));
      ({ result: coverage } = await post(session, 'Profiler.takePreciseCoverage'));
      await post(session, 'Profiler.stopPreciseCoverage');
    }
  } finally {
    session.disconnect();
  }
  const wallMs = performance.now() - started;
  const testFiles = new Set((job.testPaths ?? []).map((p) => path.resolve(p)));
  const { functions, testUs } = aggregateProfile(profile, (frame) => testFiles.has(fileOf(frame.url)));
  const callsOf = callCounter(coverage);
  const locate = sourceLocator(root);
  const entries = [];
  for (const { frame, totalUs, selfUs } of functions) {
    if (!frame.functionName || frame.functionName.startsWith('(')) continue;
    const file = fileOf(frame.url);
    if (projectPath(file, root) === undefined) continue;
    const where = locate(file, frame.lineNumber + 1);
    if (where.file === undefined) continue;
    entries.push({
      file: where.file,
      line: where.line,
      name: frame.functionName,
      totalMs: Math.round(totalUs) / 1000,
      selfMs: Math.round(selfUs) / 1000,
      calls: callsOf(frame),
    });
  }
  entries.sort((a, b) => b.totalMs - a.totalMs);
  const testMs = testUs > 0 ? testUs / 1000 : wallMs;
  const report = {
    kind: tests.failed > 0 ? 'failed' : 'passed',
    tests: { passed: tests.passed, failed: tests.failed },
    runner: tests.runner,
    hotspots: {
      testMs: Math.round(testMs * 1000) / 1000,
      wallMs: Math.round(wallMs * 1000) / 1000,
      functions: entries.slice(0, MAX_FUNCTIONS),
    },
  };
  if (tests.failed > 0) report.failures = tests.failures;
  return report;
}
