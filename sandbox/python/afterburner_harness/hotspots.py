"""The `hotspots` mode: run the project's tests under cProfile and report where their time went.

Only functions defined in files under the project root are reported (the interpreter's standard
library, site-packages and this harness live elsewhere, or are dropped by the host); the host
drops the tests themselves, maps each (file, line, name) to a name `profile` accepts, and ranks.
Times are cProfile's: `totalMs` is inclusive (recursion counted once, at the outermost call),
`selfMs` excludes callees, `calls` counts every call including recursive ones.
"""
import cProfile
import os
import pstats
import random
import time

from . import project, runners

# The report stays small whatever the project's size: the most expensive entries win.
MAX_FUNCTIONS = 400
_HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OUTSIDE_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def _project_file(filename, root):
    """The path of `filename` relative to `root` (POSIX separators), or None when it is not the project's."""
    if not filename or filename.startswith("<"):
        return None
    absolute = os.path.realpath(os.path.abspath(filename))
    if absolute.startswith(_HARNESS_DIR + os.sep) or any(m in absolute for m in _OUTSIDE_MARKERS):
        return None
    relative = os.path.relpath(absolute, root)
    if relative.startswith(".." + os.sep) or relative == ".." or os.path.isabs(relative):
        return None
    return relative.replace(os.sep, "/")


def functions_from_stats(stats, root):
    """cProfile's raw table, as report entries for the functions defined under `root`."""
    entries = []
    for (filename, line, name), (_primitive, calls, self_s, total_s, _callers) in stats.items():
        if name.startswith("<"):  # module bodies, lambdas, comprehensions: nothing to name
            continue
        relative = _project_file(filename, root)
        if relative is None:
            continue
        entries.append({
            "file": relative,
            "line": int(line),
            "name": name,
            "totalMs": round(total_s * 1000.0, 4),
            "selfMs": round(self_s * 1000.0, 4),
            "calls": int(calls),
        })
    entries.sort(key=lambda e: e["totalMs"], reverse=True)
    return entries[:MAX_FUNCTIONS]


def time_in_tests_ms(stats, test_files):
    """Inclusive time of the outermost functions defined in test files (tests, fixtures, helpers
    they call): the tests' own time, without the runner's start-up and collection around it."""
    def in_tests(key):
        return os.path.realpath(os.path.abspath(key[0])) in test_files

    total_s = 0.0
    for key, (_primitive, _calls, _self_s, cumulative_s, callers) in stats.items():
        if in_tests(key) and not key[2].startswith("<module") and not any(in_tests(c) for c in callers):
            total_s += cumulative_s
    return total_s * 1000.0


def _test_files(test_paths):
    files = {os.path.realpath(os.path.abspath(p)) for p in test_paths}
    # conftest.py fixtures run as part of the tests too.
    for folder in {os.path.dirname(p) for p in files}:
        while True:
            files.add(os.path.join(folder, "conftest.py"))
            parent = os.path.dirname(folder)
            if parent == folder or not folder.startswith(os.getcwd()):
                break
            folder = parent
    return files


def run(job):
    """Runs the job's tests once under the profiler; failed tests are reported beside the profile.
    A job on the project in place runs from its root, as `python -m pytest` there would."""
    project.enter(job)
    seed = int(job.get("seed", 0))
    test_paths = list(job.get("testPaths") or [])
    root = os.path.realpath(job.get("projectRoot") or os.getcwd())
    random.seed(seed)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    try:
        outcome = runners.run_tests(test_paths, runners.RunContext(seed, lambda paused: None))
    finally:
        profiler.disable()
    wall_ms = (time.perf_counter() - started) * 1000.0
    table = pstats.Stats(profiler).stats  # {(file, line, name): (primitive calls, calls, self s, total s, callers)}
    test_ms = time_in_tests_ms(table, _test_files(test_paths)) or wall_ms
    report = {
        "kind": "failed" if outcome.failed else "passed",
        "tests": outcome.counts(),
        "runner": outcome.runner,
        "hotspots": {"testMs": round(test_ms, 3), "wallMs": round(wall_ms, 3), "functions": functions_from_stats(table, root)},
    }
    if outcome.failed:
        report["failures"] = outcome.failures
    return report
