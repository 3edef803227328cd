"""Afterburner's in-sandbox harness for Python.

Run as `python3 -I harness.py job.json` with the work dir as cwd. Reads a HarnessJob, runs the
user's tests (recording calls to the target in `profile` mode), replays the recorded calls to
check a candidate (`check` mode; with a reference module the candidate is measured side by side with
it, see README.md) and to measure runtime and memory, and prints the HarnessReport
as the last line of stdout: `@@AFTERBURNER_REPORT@@{...}`. Exits 0 whenever a report was written.
Standard library only; Python 3.9+.
"""
import gc
import json
import os
import sys


def _rerun_with_fixed_hash_seed(argv):
    """String hashing is randomised per process, which changes set and dict-of-set iteration
    order between runs. `-I` ignores PYTHONHASHSEED, so the harness re-executes itself once with
    PYTHONHASHSEED=0 and an environment holding no other PYTHON* variable, keeping what -I does
    otherwise: no user site-packages (-s), no script dir on sys.path (-P, 3.11+), no .pyc writes."""
    if sys.flags.hash_randomization == 0 or os.environ.get("AFTERBURNER_HARNESS_REEXEC") or not sys.executable:
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    env["AFTERBURNER_HARNESS_REEXEC"] = "1"
    flags = ["-s", "-B"] + (["-P"] if sys.version_info >= (3, 11) else [])
    try:
        os.execve(sys.executable, [sys.executable] + flags + [os.path.abspath(__file__)] + argv[1:], env)
    except OSError:
        return  # keep going with randomised hashing rather than fail


_rerun_with_fixed_hash_seed(sys.argv)

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
from afterburner_harness import compare, errors, explain, loader, measure, project, recorder, replay, runners, sizes  # noqa: E402
from afterburner_harness import hotspots  # noqa: E402
from afterburner_harness import in_place  # noqa: E402
from afterburner_harness.output import OutputGuard  # noqa: E402

# The harness's folder leaves sys.path again so a user module named like one of ours still wins.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
_CWD = os.getcwd()
if sys.path[:1] != [_CWD]:
    sys.path.insert(0, _CWD)
sys.dont_write_bytecode = True

_ = (compare, explain)  # imported eagerly: nothing may be loaded from the harness dir later
_MEMORY_LIMIT_REPORT = {"kind": "memory_limit", "message": "MemoryError: the code under test ran out of memory"}


def main(argv):
    job_path = argv[1] if len(argv) > 1 else "job.json"
    guard = OutputGuard()
    show_output = True
    try:
        report = run(_read_job(job_path))
    except errors.MemoryLimit as exc:
        report = {"kind": "memory_limit", "message": str(exc)}
    except MemoryError:
        report = _MEMORY_LIMIT_REPORT
    except errors.HarnessError as exc:
        report = {"kind": "error", "message": str(exc)}
        show_output = exc.show_output
    except SystemExit as exc:
        report = {"kind": "error", "message": "the code under test called sys.exit(%r) outside a test. Next step: "
                  "remove the exit call (or guard it with `if __name__ == \"__main__\":`)." % (exc.code,)}
    except BaseException as exc:  # the report must get out whatever happened
        report = {"kind": "error", "message": errors.internal_error(exc)}
    # Which Python ran, as the sandbox saw it (a venv's own path, or the image's interpreter).
    report.setdefault("interpreter", "%s (%s)" % (sys.executable or "python3", errors.python_version()))
    if report.get("kind") == "error" and show_output:
        tail = guard.tail(1500).strip()
        if tail:
            report["message"] = errors.trim(report["message"] + "\n--- output ---\n" + tail, 4000)
    try:
        guard.write_report(report)
    except MemoryError:
        guard.write_report(_MEMORY_LIMIT_REPORT)
    # Exit without waiting for threads the user's code may have left running.
    os._exit(0)


def _read_job(path):
    try:
        with open(path, encoding="utf-8") as handle:
            job = json.load(handle)
    except (OSError, ValueError) as exc:
        raise errors.HarnessError("cannot read the job file %s: %s" % (path, exc)) from exc
    for key in ("modulePath", "target", "mode"):
        if key not in job:
            raise errors.HarnessError("the job file has no %r." % key)
    return job


def run(job):
    mode = job["mode"].get("kind")
    if mode == "hotspots":
        return hotspots.run(job)
    if mode not in ("profile", "check", "test"):
        raise errors.HarnessError("unknown mode %r (expected profile, check or test)." % mode)
    project.enter(job)  # a job on the project in place: cwd, sys.path and overlays as the project runs
    options = job.get("measure") or {}
    seed = int(job.get("seed", 0))
    test_paths = list(job.get("testPaths") or [])
    module_path = job["modulePath"]

    import random

    random.seed(seed)
    module = _import_module(module_path)
    target = loader.Target(module, job["target"])
    loader.alias_for_tests(module, module_path, test_paths)

    record = recorder.Recorder(target) if mode == "profile" else None
    # The calls the recording cannot stand for, timed in place (in_place.py); in check runs also
    # the best version so far's, paired run for run.
    in_place_figures = reference_in_place = None
    learned = _learned_tests(job) if mode == "check" else {}

    def pause(paused):
        if record is not None:
            record.paused = paused

    def test_started(name):
        if record is not None:
            record.current_test = name

    context = runners.RunContext(seed, pause, test_started, learned.get("selected"))
    if record is not None:
        record.install()
    try:
        outcome = runners.run_tests(test_paths, context)
    finally:
        if record is not None:
            record.uninstall()
    tests = outcome.counts()
    notes = []
    failures = outcome.failures
    if record is not None and outcome.failed:
        failures, unrelated = _split_failures(outcome.failures, record.tests_calling)
        if unrelated and (failures or outcome.passed == 0):
            failures = outcome.failures  # nothing to stand on: every failure counts
        elif unrelated:
            notes.append(_failing_before_note(unrelated, target.spec))
    elif learned.get("failingBefore"):
        failures = [f for f in outcome.failures if f["test"] not in learned["failingBefore"]]
        if len(failures) < len(outcome.failures):
            notes.append("%d test(s) fail with this code as they did before any change (not counted)."
                         % len({f["test"] for f in outcome.failures} - {f["test"] for f in failures}))
    if failures:
        result = {"kind": "failed", "tests": tests, "runner": outcome.runner, "failures": failures}
        if record is not None:
            result["failingBefore"] = True  # profile mode runs the code as it is
            result["callsMade"] = record.made
        if notes:
            result["notes"] = notes
        return result
    if mode == "test":
        return {"kind": "passed", "tests": tests, "runner": outcome.runner}

    result = {"kind": "passed", "tests": tests, "runner": outcome.runner}
    if notes:
        result["notes"] = notes
    if record is not None:
        kept = record.kept()
        coverage = record.coverage()
        learned_now = _tests_to_learn(record, outcome)
        in_place_notes = []
        # With no call recorded at all, the in-place timing is the whole measurement (below).
        if record.made and coverage is not None and coverage < in_place.IN_PLACE_BELOW:
            in_place_figures, timed_tests = _time_in_place(record, module, test_paths, seed, options, in_place_notes)
            if in_place_figures is not None:
                # Check runs compare candidates in place on the same tests (see _compare_in_place).
                learned_now["inPlace"] = {"tests": timed_tests, "coverage": in_place_figures["coverage"],
                                          "share": in_place_figures["share"]}
        data = recorder.encode(kept, target, learned_now)
        # Measure what a check run will see: the calls as they come back from the recording.
        calls = recorder.decode(data)["calls"]
        result["recording"] = {"language": "python", "calls": len(calls), "data": data}
        result["callsMade"] = record.made
        notes.extend(record.notes())
        notes.extend(in_place_notes)
        if len(calls) < len(kept):
            notes.append("%d of %d recorded calls fit the recording (spread evenly over the run)." % (len(calls), len(kept)))
        dropped = record.made - len(calls)
        if dropped:
            result["recording"]["droppedCalls"] = dropped
        if coverage is not None:
            result["coverage"] = round(coverage, 4)
            if coverage < 1:
                # The host words the note; the longest such call helps the user find it.
                result["longestUnrecordedMs"] = round(record.longest_unrecorded * 1e3, 3)
        if notes:
            result["notes"] = notes
        if not calls and not options.get("sizes") and in_place_figures is None:
            if record.made:
                raise errors.HarnessError(
                    "the tests made %d call(s) to %s, but none could be recorded nor timed in place: %s Next "
                    "step: call it in the tests with plain data (lists, dicts, numbers, strings, module-level "
                    "classes)." % (record.made, target.spec, " ".join(record.notes() + in_place_notes))
                )
            raise errors.HarnessError(
                "the tests passed but never called %s, so there is nothing to measure. Next step: add a "
                "test that calls it (directly or through the module, e.g. `from %s import %s`)."
                % (target.spec, module.__name__, target.spec.split(".")[0])
            )
    reference = None
    if record is None:
        calls = recorder.decode(job["mode"]["recording"]["data"])["calls"]
        failures = replay.differential_check(replay.Replayer(target, calls), seed)
        if failures:
            return {
                "kind": "failed",
                "tests": {"passed": tests["passed"], "failed": tests["failed"] + len(failures)},
                "runner": outcome.runner,
                "failures": failures,
            }
        spec = job["mode"].get("reference")
        if (calls or learned.get("inPlace")) and isinstance(spec, dict) and spec.get("modulePath"):
            try:
                reference = _reference_replayer(project.local_path(spec["modulePath"]), module, job["target"], calls)
            except (errors.MemoryLimit, SystemExit):
                raise
            except Exception as exc:
                # The candidate is still measured; the host then compares across runs.
                result["referenceError"] = errors.trim("the reference module %s could not be loaded: %s"
                                                       % (spec["modulePath"], errors.describe_exception(exc)), 600)
            if reference is not None and learned.get("inPlace"):
                in_place_figures, reference_in_place, said = _compare_in_place(
                    target, module, reference, test_paths, seed, options, learned["inPlace"])
                if said:
                    result["notes"] = result.get("notes", []) + said
            random.seed(seed)
    if calls or options.get("sizes"):
        measured, reference_measured, measure_notes = _measure(
            target, calls, options, seed, test_paths, module_path, reference)
        if in_place_figures is not None:
            measured["inPlace"] = in_place_figures
        result["measurement"] = measured
        if reference_measured is not None:
            if reference_in_place is not None:
                reference_measured["inPlace"] = reference_in_place
            result["referenceMeasurement"] = reference_measured
        if measure_notes:
            result["notes"] = result.get("notes", []) + measure_notes
    elif record is not None or learned.get("inPlace"):
        # No call could be recorded: the calls timed in place are the whole measurement.
        timed_tests = learned_now["inPlace"]["tests"] if record is not None else list(learned["inPlace"]["tests"])
        measured, reference_measured, said = _in_place_only(
            target, module, test_paths, seed, options, timed_tests, in_place_figures, reference_in_place, reference,
            None if record is not None else learned["inPlace"])
        result["measurement"] = measured
        if reference_measured is not None:
            result["referenceMeasurement"] = reference_measured
        if said:
            result["notes"] = result.get("notes", []) + said
    return result


def _in_place_only(target, module, test_paths, seed, options, tests, mine, theirs, reference, learned):
    """(the candidate's measurement, the reference's or None, notes) when the recording holds no
    call: time (timed now when `mine` is None: a check run whose paired timing did not speak) and
    memory of the calls made by `tests`, in place."""
    notes = []
    if mine is None:
        mine, said = in_place.time_in_place(target, module, test_paths, seed, tests, _budget_s(options))
        notes.extend(said)
        if mine is None:
            raise errors.HarnessError("none of the calls to %s could be recorded, and timing them in place failed: %s"
                                      % (target.spec, " ".join(said)))
        mine["coverage"], mine["share"] = learned["coverage"], learned.get("share", 1.0)
    pairs = [(mine, None)]
    if theirs is not None:
        pairs.append((theirs, reference.target.function()))
    measured = []
    for figures, function in pairs:
        memory, said = in_place.memory_in_place(target, module, test_paths, seed, tests,
                                                figures["runtimeMs"]["median"], function)
        notes.extend(said)
        one = {"runtimeMs": figures["runtimeMs"], "calls": figures["calls"], "inPlace": figures, "basis": "inPlace",
               "processPeakKb": measure.process_peak_kb()}
        # Not measured (the notes say why): zeros the host shows as "not measured", never as figures.
        one.update(memory or {"peakMemoryKb": 0.0, "integralKbMs": 0.0, "memoryUnmeasured": True})
        measured.append(one)
    return measured[0], (measured[1] if len(measured) > 1 else None), notes


def _budget_s(options):
    return float(options.get("budgetMs", 1500)) / 1000.0


def _time_in_place(record, module, test_paths, seed, options, notes):
    """(the in-place figures of the calls the recording could not stand for (in_place.py), with the
    share of the tests' time in the function that the replays and they cover together; the tests
    run again for them)."""
    tests = record.tests_with_unrecordable_calls()
    if not tests:
        return None, tests  # made outside any test (at import): nothing to run again
    figures, said = in_place.time_in_place(record.target, module, test_paths, seed, tests, _budget_s(options))
    notes.extend(said)
    if figures is not None:
        figures["coverage"] = round(record.coverage_with(set(tests)) or 0.0, 4)
        figures["share"] = round(1.0 - (record.coverage() or 0.0), 4)
    return figures, tests


def _compare_in_place(target, module, reference, test_paths, seed, options, learned):
    """(the candidate's in-place figures, the reference's, notes): the tests the profile timed in
    place, run in ABBA pairs with the candidate and with the best version so far in its place."""
    reference_function = reference.target.function()
    if not callable(reference_function):
        return None, None, []  # inherited in the reference: the replays alone compare them
    mine, theirs, said = in_place.paired_in_place(target, module, reference_function, test_paths, seed,
                                                  list(learned["tests"]), _budget_s(options))
    for figures in (mine, theirs):
        if figures is not None:
            figures["coverage"] = learned["coverage"]
            figures["share"] = learned.get("share", 0.0)
    return mine, theirs, said


def _split_failures(failures, calling):
    """(failures of tests that called the target or ran none of it, failures of tests that never called it)."""
    related, unrelated = [], []
    for failure in failures:
        (unrelated if calling and failure["test"] not in calling else related).append(failure)
    return related, unrelated


def _failing_before_note(unrelated, spec):
    names = sorted({f["test"] for f in unrelated})
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return ("%d test(s) fail with the code as it is, before any change, and never call %s; they are left "
            "out of the checks: %s" % (len(names), spec, shown))


def _tests_to_learn(record, outcome):
    """What the check runs of candidates take from the profile run: the tests to run (those that
    called the target; all when a call came from outside any test, e.g. at import) and the tests
    that failed before any change."""
    calling = sorted(t for t in record.tests_calling if t is not None)
    learned = {"failingBefore": sorted({f["test"] for f in outcome.failures})}
    if calling and None not in record.tests_calling:
        learned["selected"] = calling
    return learned


def _learned_tests(job):
    recording = (job.get("mode") or {}).get("recording") or {}
    try:
        extra = recorder.decode(recording["data"], calls=False).get("extra") or {}
    except (KeyError, errors.HarnessError):
        return {}
    learned = {}
    if extra.get("selected"):
        learned["selected"] = set(extra["selected"])
    if extra.get("failingBefore"):
        learned["failingBefore"] = set(extra["failingBefore"])
    timed = extra.get("inPlace")
    if isinstance(timed, dict) and timed.get("tests") and isinstance(timed.get("coverage"), (int, float)):
        learned["inPlace"] = timed
    return learned


def _reference_replayer(path, candidate, spec, calls):
    """The best-so-far version of the module, loaded beside the candidate under its own name; its
    replays see the reference's classes where the candidate's would appear (see replay.Replayer)."""
    reference_module = loader.import_reference(path, candidate)
    reference_target = loader.Target(reference_module, spec)
    return replay.Replayer(reference_target, calls, loads=loader.remapping_loads(candidate, reference_module),
                           bind_from_class=True)


def _import_module(module_path):
    try:
        return loader.import_user_file(module_path, "module")
    except (errors.HarnessError, errors.MemoryLimit):
        raise
    except SystemExit:
        raise
    except Exception as exc:
        raise errors.HarnessError(errors.describe_import_failure(exc, "module %s" % module_path)) from exc


def _measure(target, calls, options, seed, test_paths, module_path, reference=None):
    """(measurement of the target, measurement of the reference replayer or None)."""
    budget_ms = float(options.get("budgetMs", 1500))
    min_sample_ms = float(options.get("minSampleMs", 5))
    max_samples = int(options.get("maxSamples", 60))
    result = {"calls": len(calls)}
    notes = []
    side = None
    # Everything alive now (test framework, modules, the recording) moves to the permanent
    # generation, so the gc.collect() between samples scans only what the replays allocate.
    gc.collect()
    gc.freeze()
    pinned: list = []
    if calls:
        replayer = replay.Replayer(target, calls)
        if reference is not None:
            side = {"calls": len(calls)}
        # Memory: the same procedure for each, one after the other (peaks, then, after the
        # runtimes, integrals). Peaks come first: they size the pinned heap the runtimes run on.
        pairs = [(result, replayer)] + ([(side, reference)] if side is not None else [])
        round_s = measure.round_seconds(replayer, seed)
        # A long round is traced once for its peak and its integral (see measure.LONG_ROUND_S);
        # `traced[i]` belongs to `pairs[i]`.
        traced = [measure.traced_pass(who, seed, 1) for _, who in pairs] if measure.is_long(round_s) else []
        for i, (into, who) in enumerate(pairs):
            peak = traced[i].peak_kb if traced else measure.peak_memory_kb(who, seed)
            into["peakMemoryKb"] = round(peak, 3)
        pinned = measure.pin_free_arenas(measure.pin_size_kb(max(into["peakMemoryKb"] for into, _ in pairs)))
        if side is not None:
            result["runtimeMs"], side["runtimeMs"] = measure.paired_runtime(
                replayer, reference, seed, budget_ms, min_sample_ms, max_samples)
        else:
            result["runtimeMs"] = measure.runtime_in_forks(
                replayer, seed, budget_ms, min_sample_ms, max_samples, round_s=round_s)
        for i, (into, who) in enumerate(pairs):
            # The round time that repeats across profiles (see measure's docstring).
            round_ms = into["runtimeMs"]["p10"]
            kb_ms, hz = (traced[i].kb_ms(round_ms), traced[i].hz) if traced else measure.integral(who, seed, round_ms)
            into["integralKbMs"] = kb_ms
            into["integralSampleHz"] = round(hz, 1)
        if measure.is_long(round_s):
            notes.append(_long_round_note(result["runtimeMs"]))
        if options.get("hotLines"):
            result["hotLines"] = measure.hot_lines(replayer, seed)
    wanted = [int(s) for s in options.get("sizes") or []]
    if wanted:
        try:
            generator = sizes.find_generator(test_paths, module_path)
            if generator is None:
                result["sizesError"] = (
                    "no afterburner_inputs(size) found in the test files or in afterburner_inputs.py "
                    "next to the tests or the module."
                )
            else:
                result["sizes"] = sizes.measure_sizes(target, wanted, generator, seed, budget_ms, min_sample_ms)
        except errors.HarnessError as exc:
            result["sizesError"] = str(exc)
    if "runtimeMs" not in result:
        # Only sizes were measured: the largest size stands in for the recorded calls.
        points = result.get("sizes") or []
        if not points:
            raise errors.HarnessError(result.get("sizesError") or "nothing to measure.")
        last = points[-1]
        result["runtimeMs"] = measure.stats([last["runtimeMs"]])
        result["peakMemoryKb"] = last["peakMemoryKb"]
        result["integralKbMs"] = 0.0
    del pinned
    result["processPeakKb"] = measure.process_peak_kb()
    if side is not None:
        side["processPeakKb"] = result["processPeakKb"]  # one process: the same high-water mark
    return result, side, notes


def _long_round_note(runtime_ms):
    return ("one round of the recorded calls lasts %.0f ms: the runtime is from %d timing samples and the memory "
            "from one traced round, so the profile stays within its time budget."
            % (runtime_ms["median"], runtime_ms["samples"]))


if __name__ == "__main__":
    main(sys.argv)
