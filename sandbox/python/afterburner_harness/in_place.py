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
"""
from __future__ import annotations

import gc
import time
from typing import List, Optional, Tuple

from . import runners
from .measure import stats
from .recorder import Recorder
from .replay import find_caches

# Below this share of the tests' time in the function covered by the replays, the rest is timed in place.
IN_PLACE_BELOW = 0.95
MIN_RUNS = 3
MAX_RUNS = 15


def time_in_place(target, module, test_paths: List[str], seed: int, tests: List[str],
                  budget_s: float) -> Tuple[Optional[dict], List[str]]:
    """(the in-place runtime of `tests`' calls to the target, or None; notes)."""
    caches = find_caches(module)
    samples: List[float] = []
    calls = 0
    started = time.perf_counter()
    warmed = False
    while len(samples) < MAX_RUNS:
        timer = Recorder(target, timing_only=True)
        context = runners.RunContext(seed, lambda paused: None, _current(timer), set(tests))
        for clear in caches:
            clear()
        gc.collect()
        run_started = time.perf_counter()
        timer.install()
        try:
            outcome = runners.run_tests(test_paths, context)
        finally:
            timer.uninstall()
        run_s = time.perf_counter() - run_started
        if outcome.failed or timer.made == 0:
            why = ("%d of them failed" % outcome.failed) if outcome.failed else "they made no call to it"
            return None, ["the calls that could not be recorded were not timed in place: run again, %s." % why]
        if not warmed:
            warmed = True
            # A run that takes a quarter of the budget is counted rather than spent on warming up.
            if run_s < budget_s / 4:
                continue
        samples.append(timer.seconds_all * 1000.0)
        calls = timer.made
        if len(samples) >= MIN_RUNS and time.perf_counter() - started >= budget_s:
            break
    return {"runtimeMs": stats(samples), "calls": calls, "tests": len(tests)}, []


def _current(timer: Recorder):
    def test_started(name: Optional[str]) -> None:
        timer.current_test = name

    return test_started
