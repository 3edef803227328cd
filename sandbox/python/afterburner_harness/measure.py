"""Runtime and memory of replay rounds (one round = every recorded call once).

Runtime: a warm-up round, then the loop count is calibrated so one sample lasts at least
minSampleMs; samples are taken until budgetMs is spent (at least 5, at most maxSamples). For every
sample the argument copies of all its rounds are made first, then gc.collect(), then the clock
runs with the garbage collector off. Memo caches are cleared before every round, so memoisation
across rounds cannot pass for speed. Values are ms per round. Where the kernel reports how long
the thread waited for a CPU (/proc/thread-self/schedstat), a sample that waited more than 2 % of
its time is taken again (at most 3 attempts; the least disturbed one counts), so other processes
on a shared machine do not lengthen it. Each runtime reports how many of its samples were taken
again (retaken) and the share of the wall time of all its timed attempts that the thread waited
for a CPU (waitShare; absent where the kernel does not say), so the host can tell a busy machine.

Pinned heap and placements: runtimes are taken on a heap grown and pinned beforehand (see
pin_free_arenas), and profiles take their samples in forked children (see _placements), so one
process's allocator state does not decide the result.

Side by side (check mode with a reference): paired_runtime() times the candidate and the
reference in ABBA-ordered pairs with one shared loop count, so both see the same machine at the
same moments; memory is then measured for each with the same procedure as below.

Peak memory: tracemalloc's peak during one round minus the traced memory just before it, in kB
(argument copies are made before tracing starts, so they are not counted).

Memory-time integral: a separate pass with tracemalloc on and a sampling thread reading
tracemalloc.get_traced_memory() every 0.05 ms (the interpreter's switch interval is lowered so the
thread gets the GIL in time). Per round, with m the traced memory above the round's baseline:
    integral = Σ (m_i + m_{i+1}) / 2 · (t_{i+1} − t_i)          [kB·ms]
over the points (start, 0), the samples, (end, m_end). Short rounds run back to back in one
sampled window of about INTEGRAL_WINDOW_S (fresh copies for all of them made before the window
opens), and the window's integral is divided by the number of rounds in it; windows repeat until
enough samples or active time are collected, within INTEGRAL_MAX_PASS_S, after one window run
uncounted (the first window under tracing allocates what later ones reuse from free lists). The
rate actually reached is reported as integralSampleHz.
tracemalloc slows every allocation (allocation-heavy code runs many times slower under it), so
the traced clock runs slow: the integral is rescaled by (untraced round time / traced round time),
i.e. it is the time-averaged memory above baseline times the real runtime, the 10th percentile of
the timing samples (the figure that repeats across profiles; see stats()).
"""
from __future__ import annotations

import array
import gc
import math
import os
import random
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Optional, Tuple

from .replay import Replayer, run_round

MIN_SAMPLES = 5
# A round of the recorded calls at least this long is a long round: measured within the time budget
# by lowering the counts, not by overrunning it (a profile of a function whose tests take T seconds
# ends in about 10·T plus a fixed cost). Its memory is traced in one pass (peak and integral from
# the same round: tracemalloc slows allocation-heavy code 10-20×), and its runtime takes as many
# samples as the budget holds, at least LONG_ROUND_MIN_SAMPLES, each taken again at most once.
LONG_ROUND_S = 0.05
LONG_ROUND_MIN_SAMPLES = 3
# Paired runs: with n pairs the sign test's smallest p is 0.5^n; 20 pairs reach p < 0.01 even when 4 pairs go
# the other way (a time slice lost in one member of a pair).
MIN_PAIRS = 20
# A sample that spent more than this share of its time waiting for a CPU is taken again.
DISTURBED_SHARE = 0.02
SAMPLE_ATTEMPTS = 3
MAX_LOOPS = 1_000_000
# The sampler needs the GIL, which the main thread hands over at its next check after a switch
# interval: every sample of a microsecond round lands at a point of its own, and the mean of m
# over a round is only as good as their number. A window of such rounds gives some 20 samples:
# one window's integral spread 3.5x over 8 profiles of a 2 µs function, windows over 50 ms of
# traced time (about 140 samples at 0.25 ms) 2.4x, over 300 ms at 0.05 ms (about 1,500) 1.13x
# on a quiet core.
SAMPLE_INTERVAL_S = 0.00005
SWITCH_INTERVAL_S = 0.00002
INTEGRAL_MIN_SAMPLES = 3000
INTEGRAL_MIN_ACTIVE_S = 0.3
INTEGRAL_MAX_PASS_S = 0.6
# One sampled window lasts about this long (untraced), so even very short rounds see samples.
INTEGRAL_WINDOW_S = 0.01
INTEGRAL_MAX_BATCH = 256
INTEGRAL_MAX_ROUNDS = 100_000
SAMPLER_CAPACITY = 250_000

perf_counter = time.perf_counter


class _SchedulerWait:
    """Nanoseconds this thread has spent runnable but waiting for a CPU (the run_delay field of
    /proc/thread-self/schedstat), or None where the kernel does not offer it. On a shared machine
    other processes take the CPU away in the middle of a sample, which adds their time to ours."""

    def __init__(self) -> None:
        self._fd: Optional[int] = None
        self._tried = False

    def read(self) -> Optional[int]:
        if not self._tried:
            self._tried = True
            try:
                self._fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
            except OSError:
                self._fd = None
        if self._fd is None:
            return None
        try:
            return int(os.pread(self._fd, 128, 0).split()[1])
        except (OSError, ValueError, IndexError):
            return None


scheduler_wait = _SchedulerWait()


class SampleLog:
    """What the timed attempts of one runtime saw: samples taken again, and wall time waited for a
    CPU out of the wall time timed (over every attempt, kept or not)."""

    def __init__(self) -> None:
        self.retaken = 0
        self.waited = 0.0
        self.timed = 0.0
        self.known = True

    def fields(self) -> dict:
        out: dict = {"retaken": self.retaken}
        if self.known and self.timed > 0:
            # The wait is read just outside the clock, so it can exceed the time timed by a hair.
            out["waitShare"] = min(1.0, self.waited / self.timed)
        return out

    def merge(self, child: dict, timed: float) -> None:
        """Adds a forked child's fields (its waitShare weighted by its timed seconds)."""
        self.retaken += int(child.get("retaken", 0))
        share = child.get("waitShare")
        if share is None:
            self.known = False
        else:
            self.waited += float(share) * timed
            self.timed += timed


def _sample(replayer: Replayer, loops: int, seed: int, log: Optional[SampleLog] = None,
            attempts: int = SAMPLE_ATTEMPTS, on_cpu: bool = False) -> float:
    """Seconds for `loops` rounds; copies are made before the clock starts, and a disturbed
    sample is taken again (least_disturbed). `on_cpu`: without the time it waited for a CPU."""
    def take() -> Tuple[float, Optional[float], float]:
        elapsed, waited = _timed_rounds(replayer, loops, seed)
        return elapsed, waited, max(elapsed - (waited or 0.0), 0.0) if on_cpu else elapsed

    return least_disturbed(take, log, attempts)


def least_disturbed(take: Callable[[], Tuple[float, Optional[float], Any]], log: Optional[SampleLog] = None,
                    attempts: int = SAMPLE_ATTEMPTS) -> Any:
    """The value of the least disturbed of up to `attempts` timed attempts. `take()` gives (seconds
    timed, seconds of them spent waiting for a CPU or None when unknown, value); a value of None
    ends the attempts at once (a run that failed) and is returned. An attempt during which the
    thread waited for a CPU for more than DISTURBED_SHARE of it is taken again (then the least
    disturbed attempt counts): the time another process had the CPU is not the code's. Only whole,
    real samples are kept; nothing is subtracted."""
    best: Optional[Tuple[float, Any]] = None  # (waited, value)
    for attempt in range(attempts):
        elapsed, waited, value = take()
        if value is None:
            return None
        if log is not None:
            log.timed += elapsed
            if waited is None:
                log.known = False
            else:
                log.waited += waited
            if attempt == 1:
                log.retaken += 1
        waited = waited or 0.0
        if best is None or waited < best[0]:
            best = (waited, value)
        if waited <= DISTURBED_SHARE * elapsed:
            break
    return best[1]


def _timed_rounds(replayer: Replayer, loops: int, seed: int) -> Tuple[float, Optional[float]]:
    """(seconds for `loops` rounds, seconds of them spent waiting for a CPU; None when unknown)."""
    rounds = [replayer.prepare_round() for _ in range(loops)]
    caches = replayer.caches
    random.seed(seed)
    gc.collect()
    gc.disable()
    try:
        wait_before = scheduler_wait.read()
        start = perf_counter()
        for prepared in rounds:
            for clear in caches:
                clear()
            for func, args, kwargs in prepared:
                try:
                    func(*args, **kwargs)
                except MemoryError:
                    raise
                except Exception:
                    pass
        elapsed = perf_counter() - start
        wait_after = scheduler_wait.read()
    finally:
        gc.enable()
    del rounds
    waited = (wait_after - wait_before) / 1e9 if wait_before is not None and wait_after is not None else None
    return elapsed, waited


# Making one sample's fresh argument copies may take at most this long. Recorded calls on a large
# state (a method of a big container called in a test loop) copy that state every round; without
# this bound a sample of fast calls would need thousands of such copies to last min_sample_ms,
# and the copies, not the measurement, would take minutes. Such samples are then shorter than
# min_sample_ms (perf_counter resolves well below a microsecond).
PREPARE_PER_SAMPLE_S = 0.05


def _calibrate(replayer: Replayer, seed: int, min_sample_s: float) -> Tuple[int, float]:
    """(loop count whose sample lasts ≥ min_sample_s, within PREPARE_PER_SAMPLE_S of copies;
    seconds per round seen at that count)."""
    most = max(1, min(MAX_LOOPS, int(PREPARE_PER_SAMPLE_S / max(_prepare_seconds(replayer, 1), 1e-9))))
    loops = 1
    while True:
        elapsed = _sample(replayer, loops, seed)
        if elapsed >= min_sample_s or loops >= most:
            return loops, elapsed / loops
        grow = math.ceil(loops * min_sample_s / max(elapsed, 1e-9) * 1.2)
        loops = min(most, max(loops * 2, grow))


def round_seconds(replayer: Replayer, seed: int) -> float:
    """Seconds of one untraced round, which also warms up (imports, lazy initialisation, caches)."""
    return _sample(replayer, 1, seed, attempts=1)


def is_long(round_s: Optional[float]) -> bool:
    return round_s is not None and round_s >= LONG_ROUND_S


def runtime(replayer: Replayer, seed: int, budget_ms: float, min_sample_ms: float, max_samples: int,
            min_samples: int = MIN_SAMPLES, round_s: Optional[float] = None) -> dict:
    """With `round_s` (a round just timed, so warm), a long round skips the warm-up and the
    calibration (one round per sample already lasts long enough) and takes fewer samples."""
    min_sample_s = max(min_sample_ms, 0.0) / 1000.0
    attempts = SAMPLE_ATTEMPTS
    if is_long(round_s):
        loops = 1 if round_s >= min_sample_s else _calibrate(replayer, seed, min_sample_s)[0]
        attempts = 2
        if min_samples * round_s * 1000.0 > budget_ms:
            min_samples = LONG_ROUND_MIN_SAMPLES
    else:
        _sample(replayer, 1, seed)  # warm-up: imports, lazy initialisation, caches of the interpreter
        loops, _per_round = _calibrate(replayer, seed, min_sample_s)
    values: List[float] = []
    log = SampleLog()
    floor = min(min_samples, max_samples)
    started = perf_counter()
    while len(values) < max(max_samples, 1):
        values.append(_sample(replayer, loops, seed, log, attempts) / loops * 1000.0)
        if len(values) >= floor and (perf_counter() - started) * 1000.0 >= budget_ms:
            break
    result = stats(values)
    result.update(log.fields())
    result["timedSeconds"] = log.timed
    return result


def fastest_interleaved(replayers: List[Replayer], seed: int, budget_ms: float, min_sample_ms: float,
                        min_passes: int = 3, max_passes: int = 20) -> List[float]:
    """The fastest ms per round of each replayer on the CPU, their samples taken in turn: each is
    warmed up and calibrated once, then one sample of each per pass, at least `min_passes` passes
    and more while `budget_ms` lasts. A burst of load then lands on one pass of every replayer,
    not on all the samples of one; and the time a sample waited for a CPU is left out, as a long
    sample almost always spans another process's time slice and a short one seldom does (the
    growth points: one size slowed bends the fitted class)."""
    min_sample_s = max(min_sample_ms, 0.0) / 1000.0
    loops = []
    for replayer in replayers:
        _sample(replayer, 1, seed)  # warm-up: imports, lazy initialisation, caches of the interpreter
        loops.append(_calibrate(replayer, seed, min_sample_s)[0])
    fastest = [float("inf")] * len(replayers)
    started = perf_counter()
    passes = 0
    while passes < max_passes and (passes < min_passes or (perf_counter() - started) * 1000.0 < budget_ms):
        for i, replayer in enumerate(replayers):
            fastest[i] = min(fastest[i], _sample(replayer, loops[i], seed, on_cpu=True) / loops[i] * 1000.0)
        passes += 1
    return fastest


# A profile's runtime is measured in up to this many forked copies of the process, one after the
# other, each with its share of the samples (see _placements): with the pinned heap, the least
# disturbed of ten children varied by 1.5 % from one profile to the next (2-3 % without children).
# Side-by-side checks stay in one process: their ABBA pairs compare both versions under the same
# state, and the loop's budget per candidate is small.
PROFILE_FORKS = 10
# ... one child per this much of the time budget (each one's warm-up and calibration cost some
# 10-20 ms), so the default 1.5 s budget gets ten and a 300 ms one two.
BUDGET_PER_PLACEMENT_MS = 150
# Each child takes at least this many samples (its median is then a middle value, not an end).
PLACEMENT_MIN_SAMPLES = 3


def _placements(measure_share, forks: int) -> Optional[List]:
    """measure_share() run in `forks` forked children one after the other; their results, or None
    where fork is missing or a child failed (the caller then measures in this process, where a
    failure such as MemoryError shows up as it would have).

    Why: a process's state (its heap above all, see pin_free_arenas) is settled by its history and
    holds for its life, and no number of samples inside one process sees past it. Each child
    starts from this process's heap and goes its own way (its own warm-up, calibration and
    samples), so the children do not all share one fate."""
    if forks <= 1 or not hasattr(os, "fork"):
        return None
    results = []
    for _ in range(forks):
        child = _in_fork(measure_share)
        if child is None:
            return None
        results.append(child)
    return results


def runtime_in_forks(replayer: Replayer, seed: int, budget_ms: float, min_sample_ms: float, max_samples: int,
                     forks: int = PROFILE_FORKS, round_s: Optional[float] = None) -> dict:
    """runtime() over `forks` placements (see _placements), each with an equal share of the
    budget and of the samples. values holds every child's samples in order; the median is the
    median of the least disturbed placement, the child with the lowest median. Like taking the
    minimum of repeated timings (what timeit advises), this keeps what the code costs and drops
    what the process's state added: an unlucky state only ever adds time, and among ten children
    one is almost always in a good one."""
    # Each child warms up and calibrates on its own: those rounds are part of what sets its
    # allocator on a path of its own (children given the parent's calibration kept its state).
    forks = max(1, min(forks, int(budget_ms // BUDGET_PER_PLACEMENT_MS)))
    if round_s:
        # A child costs a warm-up, a calibration and its samples: as many children as that fits.
        per_child_ms = (2 + PLACEMENT_MIN_SAMPLES) * round_s * 1000.0
        forks = max(1, min(forks, int(budget_ms // per_child_ms)))
    per_samples = max(PLACEMENT_MIN_SAMPLES, int(math.ceil(max_samples / forks)))
    children = _placements(
        lambda: runtime(replayer, seed, budget_ms / forks, min_sample_ms, per_samples, PLACEMENT_MIN_SAMPLES), forks)
    if children is None:
        alone = runtime(replayer, seed, budget_ms, min_sample_ms, max_samples, round_s=round_s)
        alone.pop("timedSeconds", None)
        return alone
    result = stats([v for child in children for v in child["values"]])
    result["median"] = min(child["median"] for child in children)
    result["placements"] = len(children)
    log = SampleLog()
    for child in children:
        log.merge(child, float(child.get("timedSeconds", 0.0)))
    result.update(log.fields())
    return result


# Free small-object capacity kept mapped while measuring (see pin_free_arenas): twice the round's
# peak, within these bounds (kB).
PIN_MIN_KB = 8 * 1024
PIN_MAX_KB = 64 * 1024


def pin_size_kb(peak_kb: float) -> int:
    return int(min(PIN_MAX_KB, max(PIN_MIN_KB, 2 * peak_kb)))


def pin_free_arenas(kb: int) -> list:
    """Grows the small-object heap by about `kb` and frees it again but for four objects per arena;
    returns the survivors, which the caller keeps alive while it measures.

    Why: CPython's allocator gives an arena back to the kernel once it is empty (it keeps one),
    so code that allocates and frees many small objects per round can, depending on what else
    happens to sit in the heap, map fresh arenas and fault their pages in on every round — about
    1400 page faults per sample instead of 300, 1.9 instead of 1.45 ms per call for the bench's
    function, decided by the process's history and kept for its life. Arenas holding a survivor
    are never given back, and their free pools serve any size of small object, so every round then
    finds room without the kernel, in every process alike: the heap of a program that has been
    running for a while. The survivors are outside tracemalloc's view (allocated before it
    starts), so peak and integral figures do not see them."""
    per_arena = 1024 * 1024 // 32  # floats (32-byte blocks) per 1 MiB arena
    try:
        blocks = [float(i) + 0.5 for i in range(kb * 1024 // 32)]
    except MemoryError:
        return []  # measured on the heap as it is, rather than not at all
    survivors = blocks[:: per_arena // 4]
    del blocks
    return survivors


def _in_fork(work) -> Optional[dict]:
    """work() run in a forked child; its JSON-able result, or None when the child could not run or
    did not finish cleanly. The child leaves with os._exit: no atexit handlers, no buffered output
    of the parent written twice."""
    import json

    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            data = json.dumps(work()).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
            code = 0
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return None


def _prepare_seconds(replayer: Replayer, tries: int = 3) -> float:
    """Best time to make one round's fresh argument copies."""
    best = float("inf")
    for _ in range(tries):
        start = perf_counter()
        replayer.prepare_round()
        best = min(best, perf_counter() - start)
    return best


def paired_runtime(candidate: Replayer, reference: Replayer, seed: int, budget_ms: float, min_sample_ms: float,
                   max_samples: int, min_pairs: int = MIN_PAIRS) -> Tuple[dict, dict]:
    """Side-by-side runtime of the candidate (A) and the reference (B) in this one process.

    Both are warmed up, alternately, before either is timed. Each gets its own calibrated loop
    count; both then use the same one: the larger (so the faster one's sample also lasts
    ≥ min_sample_ms), lowered when needed so that `min_pairs` pairs — rounds, argument copies and
    the gc.collect() before each sample included — fit in twice the budget (fitting the pairs comes
    first: when copying arguments costs far more than the calls, samples get shorter than
    min_sample_ms; perf_counter resolves well below a microsecond). Samples come in pairs, in ABBA
    order (A B, B A, A B, …), so a machine that speeds up or slows down during the run affects
    both members of a pair alike and cancels out of pair i's ratio A_i / B_i. Same sample
    procedure for both (copies made first, gc.collect(), GC off, caches cleared per round, same
    seed, a sample disturbed by other processes taken again). At least `min_pairs` pairs (even when
    max_samples is lower: fewer could hardly show a significant difference), more while the budget
    lasts, at most max(max_samples, min_pairs). Returns the stats of A and of B; values[i] of both
    are pair i."""
    min_sample_s = max(min_sample_ms, 0.0) / 1000.0
    for _ in range(2):
        _sample(candidate, 1, seed)
        _sample(reference, 1, seed)
    loops_a, round_a = _calibrate(candidate, seed, min_sample_s)
    loops_b, round_b = _calibrate(reference, seed, min_sample_s)
    start = perf_counter()
    gc.collect()
    gc_s = perf_counter() - start
    per_loop = max(round_a + round_b + _prepare_seconds(candidate) + _prepare_seconds(reference), 1e-9)
    fit_budget = int((2 * budget_ms / 1000.0 / min_pairs - 2 * gc_s) / per_loop)
    loops = max(1, min(max(loops_a, loops_b), fit_budget))
    a_values: List[float] = []
    b_values: List[float] = []
    a_log = SampleLog()
    b_log = SampleLog()
    limit = max(max_samples, min_pairs)
    started = perf_counter()
    while len(a_values) < limit:
        if len(a_values) % 2 == 0:
            a = _sample(candidate, loops, seed, a_log)
            b = _sample(reference, loops, seed, b_log)
        else:
            b = _sample(reference, loops, seed, b_log)
            a = _sample(candidate, loops, seed, a_log)
        a_values.append(a / loops * 1000.0)
        b_values.append(b / loops * 1000.0)
        if len(a_values) >= min_pairs and (perf_counter() - started) * 1000.0 >= 2 * budget_ms:
            break
    a_stats, b_stats = stats(a_values), stats(b_values)
    a_stats.update(a_log.fields())
    b_stats.update(b_log.fields())
    return a_stats, b_stats


LOW_QUANTILE = 0.1


def stats(values: List[float]) -> dict:
    mean = statistics.fmean(values) if hasattr(statistics, "fmean") else sum(values) / len(values)
    stdev = statistics.stdev(values) if len(values) > 1 else 0.0
    return {
        "median": statistics.median(values),
        # The quantile that repeats best across separate profiles (see RuntimeStats.p10 on the
        # host): the 10th percentile, nearest rank below, the minimum under 11 samples.
        "p10": sorted(values)[int(LOW_QUANTILE * (len(values) - 1))],
        "min": min(values),
        "mean": mean,
        "cv": stdev / mean if mean > 0 else 0.0,
        "samples": len(values),
        "values": values,
    }


def peak_memory_kb(replayer: Replayer, seed: int) -> float:
    prepared = replayer.prepare_round()
    random.seed(seed)
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run_round(prepared, replayer.caches)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return max(0, peak - baseline) / 1024.0


def process_peak_kb() -> int:
    # ru_maxrss is kB on Linux (bytes on macOS, where the harness does not run in a sandbox).
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(value / 1024) if sys.platform == "darwin" else int(value)


class MemorySampler(threading.Thread):
    """Reads the traced memory every SAMPLE_INTERVAL_S while a round runs. Samples go into arrays
    allocated before tracing starts, and the thread is started (begin()) before tracing starts
    too, so the sampler adds nothing to the memory it measures: a thread starting under tracing
    allocates its frames and bookkeeping while the first window runs, which a pass of 20 samples
    of a microsecond round read as the round's (its integral came out 3-5x too high, and spread
    3.5x over 8 profiles)."""

    def __init__(self) -> None:
        super().__init__(name="afterburner-memory-sampler", daemon=True)
        self.active = False
        self.stopped = False
        self.count = 0
        self.times = array.array("d", bytes(8 * SAMPLER_CAPACITY))
        self.memory = array.array("q", bytes(8 * SAMPLER_CAPACITY))
        self._running = threading.Event()

    def begin(self) -> None:
        """Starts the thread and returns once its loop runs; call it before tracemalloc.start()."""
        self.start()
        self._running.wait()

    def run(self) -> None:
        due = perf_counter()
        get = tracemalloc.get_traced_memory
        times, memory = self.times, self.memory
        self._running.set()
        while not self.stopped:
            if self.active and self.count < SAMPLER_CAPACITY:
                index = self.count
                times[index] = perf_counter()
                memory[index] = get()[0]
                self.count = index + 1
            due += SAMPLE_INTERVAL_S
            delay = due - perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                due = perf_counter()


class TracedPass:
    """What one traced pass saw: the area under memory above each window's baseline, the traced
    time it took, and the highest traced memory above a baseline in any window."""

    def __init__(self, area: float, active: float, samples: int, rounds: int, peak_bytes: int) -> None:
        self.area = area  # byte·seconds
        self.active = active
        self.samples = samples
        self.rounds = rounds
        self.peak_kb = peak_bytes / 1024.0

    @property
    def hz(self) -> float:
        return self.samples / self.active if self.active > 0 else 0.0

    def kb_ms(self, runtime_ms: Optional[float] = None) -> float:
        """kB·ms per round; with `runtime_ms` (an untraced round time) the traced clock is rescaled to it."""
        kb_ms = self.area / self.rounds / 1024.0 * 1000.0
        traced_round_ms = self.active / self.rounds * 1000.0
        if runtime_ms is not None and traced_round_ms > 0:
            kb_ms *= runtime_ms / traced_round_ms
        return kb_ms


def integral(replayer: Replayer, seed: int, runtime_ms: Optional[float] = None) -> Tuple[float, float]:
    """(kB·ms per round, samples per second reached). With `runtime_ms` (an untraced round time),
    the traced clock is rescaled to it, see the module docstring."""
    # Copies for a window stay within PREPARE_PER_SAMPLE_S (measured before tracing slows them).
    most_rounds = max(1, int(PREPARE_PER_SAMPLE_S / max(_prepare_seconds(replayer, 1), 1e-9)))
    # Rounds per window, from the untraced round time (tracemalloc only makes rounds longer).
    batch = 1
    if runtime_ms is not None and runtime_ms > 0:
        batch = int(min(INTEGRAL_MAX_BATCH, most_rounds, max(1, math.ceil(INTEGRAL_WINDOW_S * 1000.0 / runtime_ms))))
    traced = traced_pass(replayer, seed, batch, warm_up=True)
    return traced.kb_ms(runtime_ms), traced.hz


def traced_pass(replayer: Replayer, seed: int, batch: int, warm_up: bool = False) -> TracedPass:
    """Windows of `batch` rounds under tracemalloc and the sampler, until enough samples or active
    time (one window when a round is long). With batch 1, peak_kb is a round's peak as
    peak_memory_kb() measures it, so a long round needs only this one traced pass."""
    old_interval = sys.getswitchinterval()
    sampler = MemorySampler()
    area = 0.0  # byte·seconds
    active = 0.0
    samples = 0
    rounds = 0
    peak = 0
    sampler.begin()
    tracemalloc.start()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        if warm_up:
            # The first window under tracing allocates what later ones take from free lists and
            # caches (floats, small lists, dict keys): counted, it read a microsecond round's
            # integral 3-5x too high, and differently from one profile to the next.
            for prepared in [replayer.prepare_round() for _ in range(batch)]:
                run_round(prepared, replayer.caches)
        pass_start = perf_counter()
        while True:
            prepared_rounds = [replayer.prepare_round() for _ in range(batch)]
            random.seed(seed)
            first = sampler.count
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            sampler.active = True
            t0 = perf_counter()
            for prepared in prepared_rounds:
                run_round(prepared, replayer.caches)
            t1 = perf_counter()
            sampler.active = False
            end_memory, window_peak = tracemalloc.get_traced_memory()
            peak = max(peak, window_peak - baseline)
            last = sampler.count
            inside = [
                (sampler.times[i], max(0, sampler.memory[i] - baseline))
                for i in range(first, last)
                if t0 <= sampler.times[i] <= t1
            ]
            points = [(t0, 0)] + inside + [(t1, max(0, end_memory - baseline))]
            area += trapezoid(points)
            active += t1 - t0
            samples += len(inside)
            rounds += batch
            del prepared_rounds, inside, points
            enough = samples >= INTEGRAL_MIN_SAMPLES or active >= INTEGRAL_MIN_ACTIVE_S
            if enough or rounds >= INTEGRAL_MAX_ROUNDS or perf_counter() - pass_start >= INTEGRAL_MAX_PASS_S:
                break
    finally:
        sampler.stopped = True
        sampler.join()
        sys.setswitchinterval(old_interval)
        tracemalloc.stop()
    return TracedPass(area, active, samples, rounds, peak)


def trapezoid(points: List[Tuple[float, float]]) -> float:
    return sum((m0 + m1) / 2.0 * (t1 - t0) for (t0, m0), (t1, m1) in zip(points, points[1:]))


def hot_lines(replayer: Replayer, seed: int, top: int = 5, min_traced_s: float = 0.01, max_rounds: int = 1000) -> List[dict]:
    """Exclusive time per line of the target's file under sys.settrace: time in functions of
    other files is charged to the line that called them. Rounds repeat until ~10 ms are traced."""
    import linecache
    import os

    module_file = getattr(replayer.target.module, "__file__", "") or ""
    wanted = os.path.realpath(module_file)
    is_user: Dict[str, bool] = {}
    times: Dict[int, float] = {}
    hits: Dict[int, int] = {}
    state: Dict[str, Optional[float]] = {"line": None, "t": 0.0}

    def matches(filename: str) -> bool:
        known = is_user.get(filename)
        if known is None:
            known = is_user[filename] = os.path.realpath(filename) == wanted
        return known

    def charge(now: float) -> None:
        line = state["line"]
        if line is not None:
            times[int(line)] = times.get(int(line), 0.0) + now - float(state["t"] or 0.0)

    def local(frame, event, arg):
        charge(perf_counter())
        if event == "line":
            state["line"] = frame.f_lineno
            hits[frame.f_lineno] = hits.get(frame.f_lineno, 0) + 1
        elif event == "return":
            back = frame.f_back
            state["line"] = back.f_lineno if back is not None and matches(back.f_code.co_filename) else None
        state["t"] = perf_counter()
        return local

    def global_trace(frame, event, arg):
        if not matches(frame.f_code.co_filename):
            return None
        # The call's set-up (argument binding) stays with the calling line.
        charge(perf_counter())
        state["t"] = perf_counter()
        return local

    traced = 0.0
    rounds = 0
    while rounds < max_rounds and (rounds == 0 or traced < min_traced_s):
        prepared = replayer.prepare_round()
        random.seed(seed)
        start = perf_counter()
        sys.settrace(global_trace)
        try:
            run_round(prepared, replayer.caches)
        finally:
            sys.settrace(None)
            state["line"] = None
        traced += perf_counter() - start
        rounds += 1
    total = sum(times.values())
    if total <= 0:
        return []
    ranked = sorted(((line, spent) for line, spent in times.items() if hits.get(line)), key=lambda item: item[1], reverse=True)[:top]
    return [
        {
            "line": line,
            "source": linecache.getline(module_file, line).strip(),
            "share": round(spent / total, 4),
            "hits": hits.get(line, 0),
        }
        for line, spent in ranked
    ]
