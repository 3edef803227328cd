"""Timing in place: the calls a recording cannot stand for, measured where the tests make them.

A call whose inputs cannot be copied (over the snapshot limit, a generator, an open file, a
stateful receiver grown too large) is left out of the replays, so a profile of the replays alone
would pass a test's 4-item call for the function while its 600,000-item call is what takes the
time. When such calls leave more than IN_PLACE_BELOW of the tests' time in the function
unreplayed, the tests that made them are run again, several times, with only a timer on the
target: each run's sample is the time spent inside the target's outermost calls during that run
(the calls alone, not the tests around them), so the figure is the function's time on exactly the
inputs the tests give it. Caches are cleared and garbage collected before each run, as before a
replay round; the first run warms up (imports, first-call costs) and is not counted when there is
time for it. Runs stop at the budget (at least MIN_RUNS, at most MAX_RUNS), so slow tests cost
a few runs, not a timeout.

Side by side (check runs with a best version so far): the same tests run in ABBA-ordered pairs,
once with the candidate's code and once with the best version's function running in its place
(the timer's substitute), so a candidate is judged on the calls that matter with drift between
runs cancelled, as the replays are. Too few pairs for a sign test to speak (slow tests) give no
in-place comparison rather than a weak one.

When no call at all could be recorded, the in-place figures are the whole measurement: memory too
comes from the tests, in one more run under tracemalloc with the sampler on inside the target's
outermost calls (memory_in_place).
"""
from __future__ import annotations

import gc
import inspect
import sys
import time
import tracemalloc
from typing import Any, List, Optional, Tuple

from . import measure, runners
from .measure import stats
from .recorder import Recorder
from .replay import find_caches

# Below this share of the tests' time in the function covered by the replays, the rest is timed in place.
IN_PLACE_BELOW = 0.95
MIN_RUNS = 3
MAX_RUNS = 15
# 8 pairs won of 8 is p ≈ 0.004 for the one-sided sign test; fewer cannot reach p < 0.01.
MIN_PAIRS = 8
# Pairs taken when they fit: 11 won of 12 is still p ≈ 0.003, so one pair a burst of load spoils
# does not hide a real gain.
WANTED_PAIRS = 12
MAX_PAIRS = 20
# Pairs of slow tests stop here, with fewer than MIN_PAIRS meaning no in-place comparison.
MAX_PAIRED_S = 20.0


class _Timed:
    """One run's figures: ms inside the target's outermost calls (None when the run failed), the
    calls, the run's wall seconds, the seconds those calls waited for a CPU (None when unknown),
    and why the run failed."""

    __slots__ = ("ms", "calls", "wall", "waited", "why")

    def __init__(self, ms: Optional[float], calls: int, wall: float, waited: Optional[float], why: str = "") -> None:
        self.ms = ms
        self.calls = calls
        self.wall = wall
        self.waited = waited
        self.why = why


class _Run:
    """One run of `tests` with a timer on the target (running `substitute` in its place when set)."""

    def __init__(self, target, module, test_paths: List[str], seed: int, tests: List[str]) -> None:
        self.target = target
        self.test_paths = test_paths
        self.seed = seed
        self.tests = set(tests)
        self.caches = find_caches(module)

    def __call__(self, substitute: Any = None, log: Optional[measure.SampleLog] = None,
                 attempts: int = measure.SAMPLE_ATTEMPTS) -> _Timed:
        """The least disturbed of up to `attempts` runs (measure.least_disturbed): a run whose calls
        waited for a CPU is taken again, as a replay sample is; a failed run ends it."""
        failed: List[_Timed] = []

        def take() -> Tuple[float, Optional[float], Optional[_Timed]]:
            timed = self._once(substitute)
            if timed.ms is None:
                failed.append(timed)
                return 0.0, None, None
            return timed.ms / 1000.0, timed.waited, timed

        best = measure.least_disturbed(take, log, attempts)
        return best if best is not None else failed[-1]

    def _once(self, substitute: Any, traced: Optional["_TracedCalls"] = None) -> _Timed:
        timer = Recorder(self.target, timing_only=True)
        timer.substitute = substitute if traced is None else traced
        timer.wait_clock = measure.scheduler_wait

        def test_started(name: Optional[str]) -> None:
            timer.current_test = name

        context = runners.RunContext(self.seed, lambda paused: None, test_started, self.tests)
        for clear in self.caches:
            clear()
        gc.collect()
        started = time.perf_counter()
        timer.install()
        if traced is not None and traced.function is None:
            traced.function = timer.original_function
        try:
            outcome = runners.run_tests(self.test_paths, context)
        finally:
            timer.uninstall()
        wall = time.perf_counter() - started
        if outcome.failed:
            return _Timed(None, 0, wall, None, "%d of them failed" % outcome.failed)
        if timer.made == 0:
            return _Timed(None, 0, wall, None, "they made no call to it")
        waited = timer.waited_ns / 1e9 if timer.wait_known else None
        return _Timed(timer.seconds_all * 1000.0, timer.made, wall, waited)


def time_in_place(target, module, test_paths: List[str], seed: int, tests: List[str],
                  budget_s: float) -> Tuple[Optional[dict], List[str]]:
    """(the in-place runtime of `tests`' calls to the target, or None; notes)."""
    run = _Run(target, module, test_paths, seed, tests)
    samples: List[float] = []
    calls = 0
    log = measure.SampleLog()
    started = time.perf_counter()
    warmed = False
    while len(samples) < MAX_RUNS:
        timed = run(log=log if warmed else None)
        if timed.ms is None:
            return None, ["the calls that could not be recorded were not timed in place: when the tests making them "
                          "ran again, %s." % timed.why]
        if not warmed:
            warmed = True
            # A run that takes a quarter of the budget is counted rather than spent on warming up.
            if timed.wall < budget_s / 4:
                continue
        samples.append(timed.ms)
        calls = timed.calls
        if len(samples) >= MIN_RUNS and time.perf_counter() - started >= budget_s:
            break
    return {"runtimeMs": _with_log(stats(samples), log), "calls": calls, "tests": len(tests)}, []


def _with_log(figures: dict, log: measure.SampleLog) -> dict:
    figures.update(log.fields())
    return figures


def paired_in_place(target, module, reference_function, test_paths: List[str], seed: int, tests: List[str],
                    budget_s: float) -> Tuple[Optional[dict], Optional[dict], List[str]]:
    """(the candidate's in-place runtime, the reference's, paired run for run; notes). Both None
    when a run failed or too few pairs fit."""
    run = _Run(target, module, test_paths, seed, tests)
    # Warm-up: one run of each, not counted.
    pair_s = 0.0
    for substitute in (None, reference_function):
        timed = run(substitute)
        if timed.ms is None:
            return None, None, [_not_paired(timed.why, substitute is not None)]
        pair_s += timed.wall
    mine: List[float] = []
    theirs: List[float] = []
    calls = [0, 0]
    logs = (measure.SampleLog(), measure.SampleLog())
    started = time.perf_counter()
    while len(mine) < MAX_PAIRS:
        order = (False, True) if len(mine) % 2 == 0 else (True, False)
        pair = {}
        # On a busy machine nearly every run of slow tests waits for a CPU: runs are taken again
        # only while the pairs still wanted fit in the time left even so, else MIN_PAIRS of them
        # would never fit and the candidate would be judged across runs instead.
        left_s = MAX_PAIRED_S - (time.perf_counter() - started)
        wanted = max(0, MIN_PAIRS - len(mine))
        attempts = measure.SAMPLE_ATTEMPTS if wanted * pair_s * measure.SAMPLE_ATTEMPTS < left_s else 1
        pair_started = time.perf_counter()
        for is_reference in order:
            timed = run(reference_function if is_reference else None, logs[is_reference], attempts)
            if timed.ms is None:
                return None, None, [_not_paired(timed.why, is_reference)]
            pair[is_reference] = timed.ms
            calls[is_reference] = timed.calls
        mine.append(pair[False])
        theirs.append(pair[True])
        if attempts == 1:
            pair_s = time.perf_counter() - pair_started
        elapsed = time.perf_counter() - started
        if len(mine) >= WANTED_PAIRS and elapsed >= 2 * budget_s:
            break
        if elapsed >= MAX_PAIRED_S:
            break
    if len(mine) < MIN_PAIRS:
        return None, None, ["the calls that could not be recorded were not compared in place: the tests making "
                            "them are too slow for %d pairs of runs in %d s (%d fit)." % (MIN_PAIRS, MAX_PAIRED_S, len(mine))]
    figures = [{"runtimeMs": _with_log(stats(values), log), "calls": made, "tests": len(tests)}
               for values, made, log in ((mine, calls[0], logs[0]), (theirs, calls[1], logs[1]))]
    return figures[0], figures[1], []


def _not_paired(why: str, with_reference: bool) -> str:
    who = "the best version so far" if with_reference else "this version"
    return ("the calls that could not be recorded were not compared in place: when the tests making them ran again "
            "with %s, %s." % (who, why))


class _TracedCalls:
    """Runs in the target's place during a traced run: its own code (or `function`), with the
    traced memory above its start read over each outermost call, its peak by tracemalloc and its
    area by the sampler's readings, as measure.traced_pass does for a window of replay rounds."""

    def __init__(self, sampler: measure.MemorySampler, function: Any = None) -> None:
        self.sampler = sampler
        self.function = function
        self.depth = 0
        self.peak = 0
        self.area = 0.0  # byte·seconds
        self.active = 0.0
        self.samples = 0
        self.awaitable = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.depth:
            return self.function(*args, **kwargs)
        self.depth = 1
        sampler = self.sampler
        first = sampler.count
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        sampler.active = True
        t0 = time.perf_counter()
        try:
            result = self.function(*args, **kwargs)
            # A coroutine's work happens after it returns: its memory is not this call's to read.
            self.awaitable = self.awaitable or inspect.isawaitable(result)
            return result
        finally:
            t1 = time.perf_counter()
            sampler.active = False
            end, peak = tracemalloc.get_traced_memory()
            self.peak = max(self.peak, peak - baseline)
            inside = [(sampler.times[i], max(0, sampler.memory[i] - baseline))
                      for i in range(first, sampler.count) if t0 <= sampler.times[i] <= t1]
            self.area += measure.trapezoid([(t0, 0)] + inside + [(t1, max(0, end - baseline))])
            self.active += t1 - t0
            self.samples += len(inside)
            self.depth = 0


def memory_in_place(target, module, test_paths: List[str], seed: int, tests: List[str], runtime_ms: float,
                    function: Any = None) -> Tuple[Optional[dict], List[str]]:
    """({peakMemoryKb, integralKbMs, integralSampleHz} of `tests`' calls to the target (or to
    `function` run in its place) from one traced run, or None; notes). The peak is the highest of
    the outermost calls' peaks above the memory at their start; the integral is per run of the
    tests, its traced clock rescaled to `runtime_ms` (the untraced median), as for replays."""
    run = _Run(target, module, test_paths, seed, tests)
    sampler = measure.MemorySampler()
    traced = _TracedCalls(sampler, function)
    old_interval = sys.getswitchinterval()
    sampler.begin()
    tracemalloc.start()
    sys.setswitchinterval(measure.SWITCH_INTERVAL_S)
    try:
        timed = run._once(None, traced)
    finally:
        sampler.stopped = True
        sampler.join()
        sys.setswitchinterval(old_interval)
        tracemalloc.stop()
    if timed.ms is None:
        return None, ["the memory of the calls timed in place was not measured: when the tests making them ran "
                      "again under tracemalloc, %s." % timed.why]
    if traced.awaitable:
        return None, ["the memory of the calls timed in place was not measured: they return awaitables, whose work "
                      "runs after the call returns."]
    kb_ms = traced.area / 1024.0 * 1000.0
    if traced.active > 0 and runtime_ms > 0:
        kb_ms *= runtime_ms / (traced.active * 1000.0)
    hz = traced.samples / traced.active if traced.active > 0 else 0.0
    return {"peakMemoryKb": round(traced.peak / 1024.0, 3), "integralKbMs": kb_ms,
            "integralSampleHz": round(hz, 1)}, []
