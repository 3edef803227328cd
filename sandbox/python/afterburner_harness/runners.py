"""Runs the user's tests: pytest when the interpreter has it, else unittest plus plain `test_*`
functions called directly. Each runner reports per-test outcomes and trimmed failure text."""
from __future__ import annotations

import asyncio
import inspect
import io
import os
import random
import sys
import unittest
from typing import Callable, Dict, List, Optional, Set

from .errors import HarnessError, MemoryLimit, relative, trim
from . import project
from .explain import failure_text
from .loader import import_user_file

OUTPUT_PER_FAILURE = 600


class TestOutcome:
    def __init__(self, runner: str) -> None:
        self.runner = runner
        self._status: Dict[str, bool] = {}
        self.failures: List[dict] = []

    def record(self, name: str, ok: bool, message: str = "") -> None:
        if not ok:
            self.failures.append({"test": name, "message": message})
        self._status[name] = self._status.get(name, True) and ok

    @property
    def passed(self) -> int:
        return sum(1 for ok in self._status.values() if ok)

    @property
    def failed(self) -> int:
        return sum(1 for ok in self._status.values() if not ok)

    def counts(self) -> dict:
        return {"passed": self.passed, "failed": self.failed}


class RunContext:
    """What a runner needs from the harness: the seed, a way to pause call recording, a way to say
    which test runs now (the recorder learns which tests call the target), and the test ids to run
    (None: all of them)."""

    def __init__(self, seed: int, pause: Callable[[bool], None],
                 test_started: Optional[Callable[[Optional[str]], None]] = None,
                 selected: Optional[Set[str]] = None) -> None:
        self.seed = seed
        self.pause = pause
        self.test_started = test_started or (lambda name: None)
        self.selected = selected

    def wanted(self, name: str) -> bool:
        return self.selected is None or name in self.selected

    def reseed(self) -> None:
        # Every test starts from the same random state, whatever ran before it.
        random.seed(self.seed)


def pytest_module():
    try:
        import pytest  # noqa: F401 (the user's interpreter may have it)
    except Exception:
        return None
    return pytest if hasattr(pytest, "main") else None


def run_tests(test_paths: List[str], context: RunContext) -> TestOutcome:
    # AFTERBURNER_TEST_RUNNER=unittest runs without pytest even where it is installed (the sandbox
    # adapters pass no environment through, so this only serves direct runs of the harness).
    forced = os.environ.get("AFTERBURNER_TEST_RUNNER", "")
    if forced == "unittest":
        sys.meta_path.insert(0, _WithoutPytest())
    pytest = pytest_module() if forced != "unittest" else None
    if pytest is not None and test_paths:
        return _run_pytest(pytest, test_paths, context)
    return _run_without_pytest(test_paths, context)


class _WithoutPytest:
    """With the unittest runner forced, the tests see an interpreter without pytest."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest", "_pytest"):
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None


# -- pytest ---------------------------------------------------------------------------------------
class _PytestCollector:
    """A pytest plugin written against pytest's documented hooks."""

    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.outcome = TestOutcome("pytest")
        self.collect_errors: List[str] = []
        self.memory_error: Optional[str] = None
        self._capture: Optional["_Capture"] = None
        self._buffer: Optional["_CappedText"] = None

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            text = report.longreprtext or ""
            if "MemoryError" in text:
                self.memory_error = self.memory_error or "collecting %s" % (report.nodeid or "the tests")
            explained = [line[1:].rstrip() for line in text.splitlines() if line.startswith("E ")]
            body = "\n".join(explained) if explained else text
            body = body.replace(os.getcwd() + os.sep, "")
            self.collect_errors.append("%s:\n%s" % (report.nodeid or "collection", body))

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        if self.context.selected is None:
            return
        keep = [item for item in items if item.nodeid in self.context.selected]
        dropped = [item for item in items if item.nodeid not in self.context.selected]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.context.test_started(nodeid)
        self._capture = _Capture()
        self._buffer = self._capture.__enter__()

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self.context.test_started(None)
        if self._capture is not None:
            self._capture.__exit__(None, None, None)
            self._capture = None
            self._buffer = None

    def pytest_internalerror(self, excrepr, excinfo) -> None:
        if (excinfo is not None and excinfo.errisinstance(MemoryError)) or "MemoryError" in str(excrepr):
            where = ""
            try:
                entry = excinfo.traceback[-1]
                where = " at %s:%d" % (relative(str(entry.path)), entry.lineno + 1)
            except Exception:
                pass
            self.memory_error = self.memory_error or "pytest itself (INTERNALERROR%s)" % where

    def pytest_runtest_setup(self, item) -> None:
        self.context.reseed()

    def pytest_configure(self, config) -> None:
        project.put_first()

    def pytest_runtest_makereport(self, item, call) -> None:
        excinfo = call.excinfo
        if excinfo is not None and excinfo.errisinstance(MemoryError):
            self.memory_error = item.nodeid
        return None

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.outcome.record(report.nodeid, False, _with_output(_pytest_message(report), self._buffer))
        elif report.when == "call" and report.passed:
            self.outcome.record(report.nodeid, True)


def _pytest_message(report) -> str:
    text = report.longreprtext or ""
    explained = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    crash = getattr(report.longrepr, "reprcrash", None)
    where = ""
    if crash is not None:
        where = " (%s:%s)" % (relative(crash.path), crash.lineno)
    if explained:
        message = "\n".join(explained) + where
    elif crash is not None:
        message = crash.message + where
    else:
        message = text
    if report.when != "call":
        message = "in %s: %s" % (report.when, message)
    captured = (getattr(report, "capstdout", "") or "") + (getattr(report, "capstderr", "") or "")
    if captured.strip():
        message += "\n--- output ---\n" + captured.strip()[-OUTPUT_PER_FAILURE:]
    return trim(message)


def _run_pytest(pytest, test_paths: List[str], context: RunContext) -> TestOutcome:
    collector = _PytestCollector(context)
    # pytest's own capture keeps everything a test prints (in memory or a temp file) until the test
    # ends: a test that prints without end would fill the sandbox's memory or disk. With it off,
    # print() goes to a per-test buffer that keeps the tail (as in the runner without pytest) and
    # raw writes to fd 1/2 go to the harness's capped pipe; capsys/capfd still work.
    args = list(test_paths) + ["-p", "no:cacheprovider", "-q", "--capture=no", "--rootdir", os.getcwd(), "-o", "addopts="]
    context.reseed()
    try:
        code = int(pytest.main(args, plugins=[collector]))
    except MemoryError as exc:
        raise MemoryLimit("MemoryError in pytest") from exc
    if collector.memory_error:
        raise MemoryLimit("MemoryError in %s" % collector.memory_error)
    if collector.collect_errors:
        raise HarnessError(
            trim("the tests could not be collected: %s\nNext step: fix the error in the test file "
                 "(or the module it imports) and run again." % "\n".join(collector.collect_errors), 3000),
            show_output=False,
        )
    if code == 5 and context.selected is not None:
        return collector.outcome  # every test was deselected
    if code in (3, 4):
        raise HarnessError("pytest stopped with exit code %d (internal or usage error). Next step: "
                           "check the test paths and any pytest configuration in the project." % code)
    return collector.outcome


# -- unittest and plain functions -----------------------------------------------------------------
class _CappedText(io.TextIOBase):
    """sys.stdout/sys.stderr during one test: keeps the last few hundred characters."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.text = (self.text + s)[-OUTPUT_PER_FAILURE:]
        return len(s)


class _Capture:
    def __enter__(self) -> _CappedText:
        self.saved = (sys.stdout, sys.stderr)
        self.buffer = _CappedText()
        sys.stdout = sys.stderr = self.buffer
        return self.buffer

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self.saved


def _with_output(message: str, capture: Optional[_CappedText]) -> str:
    if capture is not None and capture.text.strip():
        return trim(message + "\n--- output ---\n" + capture.text.strip())
    return message


class _UnittestResult(unittest.TestResult):
    def __init__(self, outcome: TestOutcome, context: RunContext, files: set) -> None:
        super().__init__()
        self.outcome = outcome
        self.context = context
        self.files = files
        self.memory_error: Optional[str] = None
        self._capture: Optional[_Capture] = None
        self._buffer: Optional[_CappedText] = None

    def startTest(self, test) -> None:
        super().startTest(test)
        self.context.reseed()
        self.context.test_started(test.id())
        self._capture = _Capture()
        self._buffer = self._capture.__enter__()

    def stopTest(self, test) -> None:
        self.context.test_started(None)
        if self._capture is not None:
            self._capture.__exit__(None, None, None)
            self._capture = None
            self._buffer = None
        super().stopTest(test)

    def _fail(self, name: str, err) -> None:
        exc_type, exc, tb = err
        if exc is None:
            exc = exc_type()
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if isinstance(exc, MemoryError):
            self.memory_error = name
            self.stop()
        self.outcome.record(name, False, _with_output(failure_text(exc, self.files, self.context.pause), self._buffer))

    def addSuccess(self, test) -> None:
        self.outcome.record(test.id(), True)

    def addFailure(self, test, err) -> None:
        self._fail(test.id(), err)

    def addError(self, test, err) -> None:
        self._fail(test.id(), err)

    def addSubTest(self, test, subtest, err) -> None:
        if err is not None:
            self._fail(test.id(), err)

    def addUnexpectedSuccess(self, test) -> None:
        self.outcome.record(test.id(), False, "unexpected success (the test is marked expectedFailure)")


def _run_without_pytest(test_paths: List[str], context: RunContext) -> TestOutcome:
    used = set()
    outcome = TestOutcome("unittest")
    files = {os.path.realpath(p) for p in test_paths}
    for path in test_paths:
        context.reseed()
        try:
            module = import_user_file(path, "test file")
        except (HarnessError, MemoryLimit) as exc:
            if "No module named 'pytest'" in str(exc):
                raise HarnessError(_NEEDS_PYTEST % path) from exc
            raise
        except BaseException as exc:  # a failing module-level assert is a failed test
            if isinstance(exc, KeyboardInterrupt):
                raise
            if isinstance(exc, ImportError) and getattr(exc, "name", None) == "pytest":
                raise HarnessError(_NEEDS_PYTEST % path) from exc
            outcome.record("%s (module level)" % path, False, failure_text(exc, files, context.pause))
            used.add("plain")
            continue
        suite = _selected(unittest.defaultTestLoader.loadTestsFromModule(module), context)
        functions = _plain_functions(module)
        classes = _plain_classes(module)
        if suite.countTestCases():
            used.add("unittest")
            result = _UnittestResult(outcome, context, files)
            suite.run(result)
            if result.memory_error:
                raise MemoryLimit("MemoryError in test %s" % result.memory_error)
        if functions or classes:
            used.add("plain")
            for name, function in functions:
                _run_plain(path, name, lambda f=function: f, outcome, context, files)
            for class_name, cls in classes:
                _run_plain_class(path, class_name, cls, outcome, context, files)
        if not suite.countTestCases() and not functions and not classes and context.selected is None:
            used.add("plain")
            outcome.record("%s (module level)" % path, True)
    outcome.runner = "+".join(sorted(used, key=["unittest", "plain"].index)) or "none"
    return outcome


_NEEDS_PYTEST = ("the test file %s imports pytest, which the interpreter running the tests does not have. "
                 "Next step: install pytest in the project's environment (or the sandbox image).")


def _selected(suite: unittest.TestSuite, context: RunContext) -> unittest.TestSuite:
    if context.selected is None:
        return suite
    kept = unittest.TestSuite()
    stack = [suite]
    while stack:
        for test in stack.pop():
            if isinstance(test, unittest.TestSuite):
                stack.append(test)
            elif context.wanted(test.id()):
                kept.addTest(test)
    return kept


def _plain_functions(module):
    found = []
    for name, value in vars(module).items():
        if name.startswith("test") and inspect.isfunction(value) and value.__module__ == module.__name__:
            found.append((name, value))
    return sorted(found, key=lambda item: item[1].__code__.co_firstlineno)


def _plain_classes(module):
    """pytest-style `class TestX:` (no unittest base, no __init__), as pytest collects them."""
    found = []
    for name, value in vars(module).items():
        if (name.startswith("Test") and inspect.isclass(value) and value.__module__ == module.__name__
                and not issubclass(value, unittest.TestCase) and value.__init__ is object.__init__):
            found.append((name, value))
    return sorted(found, key=lambda item: _first_line(item[1]))


def _first_line(cls) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 0


def _run_plain_class(path: str, class_name: str, cls, outcome: TestOutcome, context: RunContext, files: set) -> None:
    methods = []
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if name.startswith("test") and inspect.isfunction(value) and name not in [m[0] for m in methods]:
                methods.append((name, value))
    methods = [(n, m) for n, m in methods if context.wanted("%s::%s::%s" % (path, class_name, n))]
    if not methods:
        return
    setup_class = getattr(cls, "setup_class", None)
    if callable(setup_class):
        setup_class()
    try:
        for name, _function in sorted(methods, key=lambda item: item[1].__code__.co_firstlineno):
            instance = cls()

            def bound(instance=instance, name=name):
                method = getattr(instance, name)
                setup = getattr(instance, "setup_method", None)
                if callable(setup):
                    setup(method)
                return method

            _run_plain(path, "%s::%s" % (class_name, name), bound, outcome, context, files,
                       teardown=lambda instance=instance, name=name: _teardown(instance, name))
    finally:
        teardown_class = getattr(cls, "teardown_class", None)
        if callable(teardown_class):
            teardown_class()


def _teardown(instance, name: str) -> None:
    teardown = getattr(instance, "teardown_method", None)
    if callable(teardown):
        teardown(getattr(instance, name))


def _run_plain(path: str, name: str, get_function, outcome: TestOutcome, context: RunContext, files: set,
               teardown=None) -> None:
    """`get_function()` runs any setup and returns the test callable (a function or bound method)."""
    test_id = "%s::%s" % (path, name)
    if not context.wanted(test_id):
        return
    context.reseed()
    context.test_started(test_id)
    with _Capture() as captured:
        try:
            function = get_function()
            required = [
                p.name for p in inspect.signature(function).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            ]
            if required:
                outcome.record(test_id, False, "needs pytest fixtures (%s), which only pytest provides, and the "
                               "interpreter running the tests has no pytest. Next step: install pytest in the "
                               "project's environment or the sandbox image." % ", ".join(required))
                return
            if inspect.iscoroutinefunction(function):
                asyncio.run(function())
            else:
                function()
            if teardown is not None:
                teardown()
        except unittest.SkipTest:
            return
        except MemoryError as exc:
            raise MemoryLimit("MemoryError in test %s" % test_id) from exc
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            text = failure_text(exc, files, context.pause)
            outcome.record(test_id, False, _with_output(text, captured))
            return
        finally:
            context.test_started(None)
    outcome.record(test_id, True)
