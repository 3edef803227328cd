"""Records the OUTERMOST calls to the target while the user's tests run.

How calls are caught. A call can reach the target through many names: the module attribute, a
package `__init__` that re-exports it, a `from mod import fn` executed before the harness ran,
an alias, a dict or registry holding the function, another function's default argument, a
functools.wraps/lru_cache wrapper holding it, or (for methods) any instance or subclass. Rebinding
names (setattr on the module or class) reaches only the names we find; walking gc referrers misses
default-argument tuples, closures and C-level holders. All those names hold the SAME function
object, though, and a function object runs whatever code object its `__code__` holds. So the
recorder keeps the function object and swaps its `__code__` for a small trampoline (same number
of closure cells, a coroutine when the target is one) that calls the recorder, which runs a copy of
the original function. Every holder of the object is caught, and nothing else is touched. Only a
target that is not a Python function (a C function, a callable object) falls back to rebinding
the attribute on its owner and every module attribute that holds the same object.

What is kept. Each recorded call keeps pickled snapshots of the receiver and arguments before the
call, the return value (or the exception type and message), and the arguments after the call
when the call mutated them. Functions that cannot be pickled by reference (lambdas, functions
defined in a test) are pickled by their code, so key functions replay too. A call whose inputs or
result still cannot be pickled (a generator argument, a local class, an open file) is skipped and
counted with its reason. A generator or builtin iterator result is passed through a wrapper that
collects what the test consumes: the yielded sequence is the recorded result, and replay
consumes the same number of items, so producing them is what is measured.

What it costs. Tests calling the target thousands of times on large states must not turn
recording into a marathon: calls are kept at an even stride (every call, then every 2nd, 4th …),
raised whenever the kept calls exceed MAX_CALLS or MAX_BYTES or the time spent snapshotting
exceeds twice the time of the tests themselves; a state whose snapshot exceeds MAX_SNAPSHOT_BYTES
is not copied again. `made` counts every outermost call whatever was kept.

What it covers. Every outermost call is timed (the call alone, not its copies), so the share of
the target's time in the tests that the recording stands for is known (coverage()): a test that
calls it once with 600,000 items too large to copy and once with 4 items must not pass the small
call's time for the function's. Calls left out by the stride are stood for by the calls kept at
it (an even sample); calls that could not be recorded (their reasons in notes()) are not.

Recursion does not add calls: a context variable (per thread and per asyncio task) lets inner
calls pass through.
"""
from __future__ import annotations

import base64
import builtins
import contextvars
import inspect
import io
import marshal
import pickle
import sys
import threading
import time
import types
import zlib
from typing import Any, Dict, List, Optional

from .compare import difference
from .errors import HarnessError
from .loader import Target, plain_function

FORMAT_VERSION = 2
# Replays of more calls than this measure the same thing for longer.
MAX_CALLS = 10000
# Snapshots kept in memory while the tests run.
MAX_BYTES = 48 * 1024 * 1024
# One snapshot larger than this (a huge `self`) is not worth replaying from a recording.
MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
# Recording may take at most this many times the time of the tests themselves (plus a grace).
MAX_OVERHEAD = 2.0
OVERHEAD_GRACE_S = 0.25
# The host reads the report from the last MB of output; the recording must leave room.
MAX_RECORDING_CHARS = 768 * 1024
# Items of a generator result kept per call.
MAX_YIELDED = 100000

_ITERATOR_MODULES = ("builtins", "itertools")
# _take()'s answer for a call the stride leaves out (the calls kept at it stand for it).
_STRIDE = -1
# A function's huge input is that call's alone; a method's huge instance stays huge, so after it
# no call is copied (each copy would cost as much and be left out again).
_HUGE_CALL = "inputs over %d MB to copy" % (MAX_SNAPSHOT_BYTES >> 20)
_HUGE = "inputs over %d MB to copy (after the first such call, no call is copied)" % (MAX_SNAPSHOT_BYTES >> 20)


class Call:
    """One recorded call. `self_obj` is the receiver for instance methods, else None.

    `outcome` is ("return", value), ("raise", "module.QualName", message), or for a generator
    or iterator result ("yield", items, end) where `end` is None when the consumer stopped early,
    ("stop",) when the iterator was exhausted, or ("raise", name, message) when it raised."""

    __slots__ = ("self_obj", "args", "kwargs", "outcome", "after", "awaited")

    def __init__(self, self_obj, args, kwargs, outcome, after, awaited=False) -> None:
        self.self_obj = self_obj
        self.args = args
        self.kwargs = kwargs
        self.outcome = outcome
        # None when nothing was mutated, else (self_after, args_after, kwargs_after)
        self.after = after
        # The target is `async def`: the call's result is awaited in an event loop.
        self.awaited = awaited


def exception_type_name(exc_type: type) -> str:
    return "%s.%s" % (exc_type.__module__, exc_type.__qualname__)


# -- pickling ---------------------------------------------------------------------------------------
def _by_reference(obj) -> bool:
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    found: Any = module
    try:
        for part in obj.__qualname__.split("."):
            found = getattr(found, part)
    except AttributeError:
        return False
    return found is obj


_EMPTY_CELL = "<afterburner empty cell>"


def rebuild_function(code_bytes, module_name, name, qualname, defaults, kwdefaults, cells):
    """Unpickles a function pickled by its code: its globals are its module's when it is loaded
    (test modules are: the tests run before any replay), else just the builtins."""
    module = sys.modules.get(module_name)
    scope = vars(module) if module is not None else {"__builtins__": builtins, "__name__": module_name}
    closure = None
    if cells is not None:
        closure = tuple(types.CellType() if c == _EMPTY_CELL else types.CellType(c) for c in cells)
    function = types.FunctionType(marshal.loads(code_bytes), scope, name, defaults, closure)
    function.__qualname__ = qualname
    function.__kwdefaults__ = kwdefaults
    return function


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if type(obj) is types.FunctionType and not _by_reference(obj):
            cells = None
            if obj.__closure__ is not None:
                cells = []
                for cell in obj.__closure__:
                    try:
                        cells.append(cell.cell_contents)
                    except ValueError:
                        cells.append(_EMPTY_CELL)
                cells = tuple(cells)
            return rebuild_function, (marshal.dumps(obj.__code__), obj.__module__, obj.__name__, obj.__qualname__,
                                      obj.__defaults__, obj.__kwdefaults__, cells)
        return NotImplemented


def dumps(value) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=4).dump(value)
    return buffer.getvalue()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, reason in (("local object", "a locally defined class or function"),
                           ("'generator'", "a generator argument (it can be consumed only once)"),
                           ("_io.", "an open file"), ("'module'", "a module object"), ("lock", "a lock"), ("socket", "a socket")):
        if needle in text:
            return reason
    return "%s: %s" % (type(exc).__name__, text[:120])


# -- the trampoline ---------------------------------------------------------------------------------
def _trampoline_code(cells: int, is_async: bool, hook: str) -> types.CodeType:
    """A code object `(*args, **kwargs) -> hook(args, kwargs)` with `cells` free variables, so it
    can replace the `__code__` of a function with that many closure cells (CPython requires equal
    counts; the cells stay unused). The hook is found in builtins, so the module's namespace is
    left alone."""
    names = ["_afterburner_cell%d" % i for i in range(cells)]
    keep = ("        if kwargs is None: return (%s,)\n" % ", ".join(names)) if names else ""
    source = "def factory(%s):\n    %sdef trampoline(*args, **kwargs):\n%s        return %s%s(args, kwargs)\n    return trampoline\n" % (
        ", ".join(names), "async " if is_async else "", keep, "await " if is_async else "", hook)
    scope: Dict[str, Any] = {}
    exec(compile(source, "<afterburner recorder>", "exec"), scope)
    return scope["factory"](*([None] * cells)).__code__


class _CodeSwap:
    """The target's function object runs the trampoline while installed; `original` is a copy of the
    function that runs the original code."""

    def __init__(self, function, hook_name: str, hook) -> None:
        self.function = function
        self.code = function.__code__
        self.hook_name = hook_name
        self.hook = hook
        self.original = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                                           function.__defaults__, function.__closure__)
        self.original.__kwdefaults__ = function.__kwdefaults__
        self.original.__qualname__ = function.__qualname__
        self.is_async = inspect.iscoroutinefunction(function)
        self.had_signature = "__signature__" in vars(function)

    def install(self) -> None:
        try:
            signature = inspect.signature(self.function)
        except (TypeError, ValueError):
            signature = None
        setattr(builtins, self.hook_name, self.hook)
        self.function.__code__ = _trampoline_code(len(self.code.co_freevars), self.is_async, self.hook_name)
        if signature is not None and not self.had_signature:
            # Code that inspects the target (fixtures, dispatchers) still sees its parameters.
            self.function.__signature__ = signature

    def uninstall(self) -> None:
        self.function.__code__ = self.code
        if not self.had_signature:
            vars(self.function).pop("__signature__", None)
        if getattr(builtins, self.hook_name, None) is self.hook:
            delattr(builtins, self.hook_name)


class _Rebind:
    """Fallback for a target that is not a Python function: rebind its attribute on the owner and
    every module attribute that holds the same object (package re-exports, earlier imports)."""

    def __init__(self, target: Target, raw, wrapped) -> None:
        self.target = target
        self.raw = raw
        self.wrapped = wrapped
        self.current = target.owner.__dict__.get(target.name) if target.cls is not None else getattr(target.owner, target.name)
        self.had_own = target.cls is None or target.name in target.cls.__dict__
        self.rebound: List[tuple] = []

    def install(self) -> None:
        setattr(self.target.owner, self.target.name, self.wrapped)
        if self.target.cls is None:
            for module in list(sys.modules.values()):
                scope = getattr(module, "__dict__", None)
                if not isinstance(scope, dict) or module is self.target.owner:
                    continue
                for name, value in list(scope.items()):
                    if value is self.current:
                        scope[name] = self.wrapped
                        self.rebound.append((scope, name))

    def uninstall(self) -> None:
        if self.had_own:
            setattr(self.target.owner, self.target.name, self.raw)
        else:
            delattr(self.target.owner, self.target.name)
        for scope, name in self.rebound:
            if scope.get(name) is self.wrapped:
                scope[name] = self.current


def _python_function(value):
    """The Python function object behind a target attribute (through staticmethod/classmethod and
    `__wrapped__` chains such as lru_cache), or None."""
    for _ in range(10):
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if type(value) is types.FunctionType:
            return value
        value = getattr(value, "__wrapped__", None)
        if value is None:
            return None
    return None


class Recorder:
    def __init__(self, target: Target, timing_only: bool = False) -> None:
        self.target = target
        # Only times the outermost calls (and counts them): the calls are timed in place (in_place.py).
        self.timing_only = timing_only
        # Runs in place of the target's own code when set: the best version so far, timed in place
        # beside the candidate (in_place.py).
        self.substitute: Optional[Any] = None
        # Set for timing in place: a reader of the thread's scheduler wait (measure._SchedulerWait),
        # so a run whose calls waited for a CPU can be taken again; `waited_ns` sums the waits.
        self.wait_clock: Optional[Any] = None
        self.waited_ns = 0
        self.wait_known = True
        self._kept: List[_Kept] = []
        # Calls picked for recording whose recording has not ended (a generator result the tests
        # never finished nor dropped, a call still running in a thread).
        self._open: set = set()
        self.made = 0
        # Seconds spent inside outermost calls; of them, in calls that could not be recorded (the
        # recording does not stand for them), and the longest of those.
        self.seconds_all = 0.0
        self.seconds_unrecordable = 0.0
        self.longest_unrecorded = 0.0
        # test id -> seconds in its calls that could not be recorded (None: outside any test)
        self.unrecordable_by_test: Dict[Optional[str], float] = {}
        # reason -> number of calls not recorded for it
        self.skipped: Dict[str, int] = {}
        self.paused = False
        self.current_test: Optional[str] = None
        # Test ids that called the target (None: a call outside any test, e.g. at import).
        self.tests_calling: Dict[Optional[str], int] = {}
        self.stride = 1
        self._taken_at_stride = 0
        self.stride_reasons: List[str] = []
        self.huge_state = False
        self._bytes = 0
        self._spent = 0.0
        self._started = 0.0
        self._depth: contextvars.ContextVar = contextvars.ContextVar("afterburner_depth", default=0)
        self._lock = threading.Lock()
        self._hook_name = "_afterburner_record_%d" % id(self)
        self._swap: Optional[_CodeSwap] = None
        self._rebind: Optional[_Rebind] = None
        self._recursion_limit = 0

    # -- installing ------------------------------------------------------------------------------
    def install(self) -> None:
        raw = self.target.raw()
        if raw is None and self.target.cls is not None:
            raw = inspect.getattr_static(self.target.cls, self.target.name)  # inherited
        function = _python_function(raw)
        self._started = time.perf_counter()
        self._recursion_limit = sys.getrecursionlimit()
        if function is not None:
            self._swap = _CodeSwap(function, self._hook_name, self._hook)
            original = self._swap.original
            self._call_original = original
            self._swap.install()
        else:
            self._call_original = plain_function(raw)
            wrapped = self._fallback_wrapper(self._call_original)
            if isinstance(raw, (staticmethod, classmethod)):
                wrapped = type(raw)(wrapped)
            self._rebind = _Rebind(self.target, raw, wrapped)
            self._rebind.install()
        # The trampoline adds two frames per level of recursion through the target: the limit grows
        # in proportion so deep recursion fails (or not) where it does without the harness.
        sys.setrecursionlimit(self._recursion_limit * 3)

    @property
    def original_function(self) -> Any:
        """The target's own code as it was before install(), callable without the hook."""
        return self._call_original

    def uninstall(self) -> None:
        if self._swap is not None:
            self._swap.uninstall()
            self._swap = None
        if self._rebind is not None:
            self._rebind.uninstall()
            self._rebind = None
        if self._recursion_limit:
            sys.setrecursionlimit(self._recursion_limit)

    def _fallback_wrapper(self, func):
        hook = self._hook

        def afterburner_recorder(*args, **kwargs):
            return hook(args, kwargs)

        return afterburner_recorder

    # -- one call --------------------------------------------------------------------------------
    def _hook(self, args, kwargs):
        original = self._call_original if self.substitute is None else self.substitute
        if self._depth.get() or self.paused:
            return original(*args, **kwargs)
        token = self._depth.set(1)
        try:
            if self._swap is not None and self._swap.is_async:
                return self._record_async(original, args, kwargs)
            return self._record(original, args, kwargs)
        finally:
            self._depth.reset(token)

    def _take(self) -> Optional[int]:
        """The index of this call when it is to be recorded, _STRIDE when the stride leaves it out,
        else None (it cannot be recorded); counted as made either way."""
        with self._lock:
            index = self.made
            self.made += 1
            test = self.current_test
            self.tests_calling[test] = self.tests_calling.get(test, 0) + 1
            if self.timing_only:
                return _STRIDE
            if self.huge_state:
                self._skip(_HUGE)
                return None
            if index % self.stride:
                return _STRIDE
            plain = time.perf_counter() - self._started - self._spent
            # The overhead is cumulative: after a raise, a few calls at the new stride show whether
            # it is enough before the next one (else one slow stretch would raise it many times).
            self._taken_at_stride += 1
            if self._spent > MAX_OVERHEAD * plain + OVERHEAD_GRACE_S and self._taken_at_stride > 8:
                self._raise_stride("recording took longer than twice the tests themselves")
                if index % self.stride:
                    return _STRIDE
            self._open.add(index)
            return index

    def _raise_stride(self, why: str) -> None:
        self.stride *= 2
        self._taken_at_stride = 0
        if why not in self.stride_reasons:
            self.stride_reasons.append(why)
        self._kept = [kept for kept in self._kept if kept.index % self.stride == 0]
        self._bytes = sum(kept.size for kept in self._kept)

    def _split(self, args, kwargs):
        kind = self.target.kind
        if kind == "method" and args:
            return args[0], args[1:], kwargs
        if kind == "class" and args:
            return None, args[1:], kwargs  # the class comes back from the replay's own binding
        return None, args, kwargs

    def _snapshot(self, value, index: int) -> Optional[bytes]:
        """The pickled value, or None (the reason counted) when it cannot be or is too large."""
        start = time.perf_counter()
        try:
            data = dumps(value)
        except MemoryError:
            raise
        except RecursionError:
            self._skip("a value nested too deeply to copy", index)
            return None
        except Exception as exc:
            self._skip(_reason(exc), index)
            return None
        finally:
            self._spent += time.perf_counter() - start
        if len(data) > MAX_SNAPSHOT_BYTES:
            stateful = self.target.kind == "method"
            self.huge_state = self.huge_state or stateful
            self._skip(_HUGE if stateful else _HUGE_CALL, index)
            return None
        return data

    def _skip(self, reason: str, index: Optional[int] = None) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if index is not None:
            self._open.discard(index)

    def _unrecorded(self, original, args, kwargs, by_stride=False):
        """A call that is not recorded, timed for coverage()."""
        clock = self.wait_clock
        waited = clock.read() if clock is not None else None
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - start
            if clock is not None:
                after = clock.read()
                if waited is None or after is None:
                    self.wait_known = False
                else:
                    self.waited_ns += after - waited
            self._count_unrecorded(seconds, by_stride)

    def _count_unrecorded(self, seconds: float, by_stride: bool = False) -> None:
        with self._lock:
            self.seconds_all += seconds
            if not by_stride:
                self.seconds_unrecordable += seconds
                self.longest_unrecorded = max(self.longest_unrecorded, seconds)
                test = self.current_test
                self.unrecordable_by_test[test] = self.unrecordable_by_test.get(test, 0.0) + seconds

    def _record(self, original, args, kwargs):
        index = self._take()
        if index is None or index is _STRIDE:
            return self._unrecorded(original, args, kwargs, index is _STRIDE)
        receiver, plain_args, plain_kwargs = self._split(args, kwargs)
        before = self._snapshot((receiver, plain_args, plain_kwargs), index)
        if before is None:
            return self._unrecorded(original, args, kwargs)
        start = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        except Exception as exc:
            seconds = time.perf_counter() - start
            self._finish(index, before, (receiver, plain_args, plain_kwargs), ("raise", exception_type_name(type(exc)), str(exc)[:500]), seconds=seconds)
            raise
        seconds = time.perf_counter() - start
        if _is_lazy(result):
            return self._collect(result, index, before, (receiver, plain_args, plain_kwargs), seconds)
        self._finish_return(index, before, (receiver, plain_args, plain_kwargs), result, seconds=seconds)
        return result

    async def _record_async(self, original, args, kwargs):
        index = self._take()
        start = time.perf_counter()
        if index is None or index is _STRIDE:
            try:
                return await original(*args, **kwargs)
            finally:
                self._count_unrecorded(time.perf_counter() - start, index is _STRIDE)
        receiver, plain_args, plain_kwargs = self._split(args, kwargs)
        before = self._snapshot((receiver, plain_args, plain_kwargs), index)
        if before is None:
            start = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self._count_unrecorded(time.perf_counter() - start)
        start = time.perf_counter()
        try:
            result = await original(*args, **kwargs)
        except Exception as exc:
            self._finish(index, before, (receiver, plain_args, plain_kwargs), ("raise", exception_type_name(type(exc)), str(exc)[:500]), awaited=True,
                         seconds=time.perf_counter() - start)
            raise
        self._finish_return(index, before, (receiver, plain_args, plain_kwargs), result, awaited=True,
                            seconds=time.perf_counter() - start)
        return result

    def _finish_return(self, index, before, inputs, result, awaited=False, seconds=0.0) -> None:
        start = time.perf_counter()
        try:
            outcome = dumps(("return", result))
        except MemoryError:
            raise
        except Exception as exc:
            self._skip("the result holds %s" % _reason(exc), index)
            self._count_unrecorded(seconds)
            return
        finally:
            self._spent += time.perf_counter() - start
        self._keep(index, before, inputs, outcome, awaited, seconds)

    def _finish(self, index, before, inputs, outcome, awaited=False, seconds=0.0) -> None:
        try:
            data = dumps(outcome)
        except Exception as exc:
            self._skip("the outcome holds %s" % _reason(exc), index)
            self._count_unrecorded(seconds)
            return
        self._keep(index, before, inputs, data, awaited, seconds)

    def _collect(self, iterator, index, before, inputs, seconds):
        """Passes the items through while keeping them; the call is recorded when the consumer is done
        (exhausted, raised, or dropped the iterator)."""
        recorder = self
        items: list = []
        # Producing the items is the call's work too: the time spent in next() counts.
        state: Dict[str, Any] = {"end": None, "steered": False, "seconds": seconds}

        def passthrough():
            action = ("next", None)
            try:
                while True:
                    token = recorder._depth.set(1)
                    step_start = time.perf_counter()
                    try:
                        if action[0] == "next":
                            item = next(iterator)
                        elif action[0] == "send":
                            item = iterator.send(action[1])
                        else:
                            item = iterator.throw(action[1])
                    except StopIteration as stop:
                        state["end"] = ("stop",)
                        return stop.value
                    except Exception as exc:
                        state["end"] = ("raise", exception_type_name(type(exc)), str(exc)[:500])
                        raise
                    finally:
                        recorder._depth.reset(token)
                        state["seconds"] += time.perf_counter() - step_start
                    if len(items) < MAX_YIELDED:
                        items.append(item)
                    try:
                        sent = yield item
                    except GeneratorExit:
                        if isinstance(iterator, types.GeneratorType):
                            iterator.close()
                        raise
                    except Exception as exc:
                        state["steered"] = True
                        action = ("throw", exc)
                        continue
                    if sent is not None:
                        state["steered"] = True
                    action = ("send", sent) if sent is not None else ("next", None)
            finally:
                if state["steered"]:
                    recorder._skip("a generator result driven with send() or throw()", index)
                    recorder._count_unrecorded(state["seconds"])
                else:
                    end = state["end"] if len(items) < MAX_YIELDED else None
                    recorder._finish(index, before, inputs, ("yield", items, end), seconds=state["seconds"])

        return passthrough()

    def _keep(self, index, before, inputs, outcome: bytes, awaited: bool, seconds: float) -> None:
        start = time.perf_counter()
        try:
            after: Optional[bytes] = dumps(inputs)
        except Exception:
            after = None  # it pickled before the call; nothing comparable now
        if after == before:
            after = None
        elif after is not None and difference(pickle.loads(before), pickle.loads(after), "arguments") is None:
            after = None
        self._spent += time.perf_counter() - start
        size = len(before) + len(outcome) + (len(after) if after is not None else 0)
        with self._lock:
            self._open.discard(index)
            self.seconds_all += seconds
            if index % self.stride:
                return  # the stride grew while this call ran
            self._kept.append(_Kept(index, before, outcome, after, awaited, size))
            self._bytes += size
            while len(self._kept) > MAX_CALLS or (self._bytes > MAX_BYTES and len(self._kept) > 1):
                self._raise_stride("more calls than fit the recording")

    # -- what the user is told -------------------------------------------------------------------
    def kept(self) -> List["_Kept"]:
        return sorted(self._kept, key=lambda kept: kept.index)

    def notes(self) -> List[str]:
        notes = []
        spec = self.target.spec
        for reason, count in sorted(self.skipped.items(), key=lambda item: -item[1]):
            notes.append("%d call%s to %s not recorded: %s." % (count, "" if count == 1 else "s", spec, reason))
        unfinished = len([index for index in self._open if index % self.stride == 0])
        if unfinished:
            notes.append("%d call%s to %s not recorded: %s result was still being consumed (or the call still "
                         "running) when the tests ended." % (unfinished, "" if unfinished == 1 else "s", spec,
                                                              "its" if unfinished == 1 else "their"))
        if self.stride > 1:
            notes.append("the tests made %d calls to %s; every %d%s call was recorded (%s)."
                         % (self.made, spec, self.stride, _ordinal_suffix(self.stride), "; ".join(self.stride_reasons)))
        return notes


    def coverage(self) -> Optional[float]:
        """The share of the time the tests spent in the target that the recording stands for: all
        but the calls that could not be recorded (None when the calls took no measurable time)."""
        if self.seconds_all <= 0:
            return None
        return max(0.0, 1.0 - self.seconds_unrecordable / self.seconds_all)

    def coverage_with(self, tests_timed_in_place) -> Optional[float]:
        """coverage() when the calls of `tests_timed_in_place` that could not be recorded are
        measured too (in place): what is left out is the unrecordable calls of the other tests and
        those made outside any test (at import), which cannot be run again."""
        if self.seconds_all <= 0:
            return None
        left = sum(s for test, s in self.unrecordable_by_test.items() if test not in tests_timed_in_place)
        return max(0.0, 1.0 - left / self.seconds_all)

    def tests_with_unrecordable_calls(self) -> List[str]:
        """The tests (by id) that made calls which could not be recorded, in the order of their time."""
        timed = [(s, test) for test, s in self.unrecordable_by_test.items() if test is not None and s > 0]
        return [test for _, test in sorted(timed, reverse=True)]


class _Kept:
    """A recorded call as pickles: inputs before, outcome, inputs after (None when not mutated)."""

    __slots__ = ("index", "before", "outcome", "after", "awaited", "size")

    def __init__(self, index, before, outcome, after, awaited, size) -> None:
        self.index = index
        self.before = before
        self.outcome = outcome
        self.after = after
        self.awaited = awaited
        self.size = size


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _is_lazy(value) -> bool:
    """Generators and the iterators of builtins/itertools (map, zip, islice …): their items are the
    result. Iterator classes of the user's own keep their type (they may have methods the tests use)."""
    if isinstance(value, types.GeneratorType):
        return True
    kind = type(value)
    return kind.__module__ in _ITERATOR_MODULES and hasattr(kind, "__next__")


# -- the recording ----------------------------------------------------------------------------------
def _evenly(items: list, keep: int) -> list:
    if keep >= len(items):
        return items
    step = len(items) / keep
    return [items[int(i * step)] for i in range(keep)]


def encode(kept: List[_Kept], target: Target, extra: Optional[dict] = None) -> str:
    """base64(zlib(pickle)) of the calls. The host keeps only the last MB of a run's output, so a
    recording over MAX_RECORDING_CHARS keeps as many calls as fit, spread evenly over the run; a
    single call too large on its own is an error. `extra` (test ids) travels with the recording to
    the check runs."""
    plain = [(k.before, k.outcome, k.after, k.awaited) for k in kept]
    keep = len(plain)
    while True:
        payload: Dict[str, Any] = {
            "version": FORMAT_VERSION,
            "module": target.module.__name__,
            "target": target.spec,
            "kind": target.kind,
            "calls": _evenly(plain, keep),
            "extra": extra or {},
        }
        data = base64.b64encode(zlib.compress(pickle.dumps(payload, protocol=4), 6)).decode("ascii")
        if len(data) <= MAX_RECORDING_CHARS:
            return data
        if keep <= 1:
            raise HarnessError(
                "one recorded call to %s takes %d kB even compressed (limit %d kB). Next step: use "
                "smaller inputs in the tests and measure large ones with afterburner_inputs(size)."
                % (target.spec, len(data) >> 10, MAX_RECORDING_CHARS >> 10)
            )
        # Proportionally fewer calls, with a margin; halving at least, so this ends.
        keep = max(1, min(keep // 2 if keep < 4 else keep - 1, int(keep * MAX_RECORDING_CHARS / len(data) * 0.9)))


def decode(data: str, calls: bool = True) -> dict:
    """The recording; without `calls`, only its header and `extra` (the calls stay pickled, so
    nothing of the user's code is needed yet)."""
    try:
        payload = pickle.loads(zlib.decompress(base64.b64decode(data.encode("ascii"))))
        if calls and isinstance(payload, dict) and payload.get("version") == FORMAT_VERSION:
            payload["calls"] = [_call(*plain) for plain in payload["calls"]]
    except (AttributeError, ImportError) as exc:
        raise HarnessError(
            "the recorded calls refer to something the code under test no longer defines (%s). "
            "A candidate must keep the classes that appear in the arguments and results." % exc
        ) from exc
    except Exception as exc:
        raise HarnessError("the recording cannot be read (%s: %s)." % (type(exc).__name__, exc)) from exc
    if not isinstance(payload, dict) or payload.get("version") != FORMAT_VERSION:
        raise HarnessError("the recording was made by another version of the harness; profile again.")
    return payload


def _call(before: bytes, outcome: bytes, after: Optional[bytes], awaited: bool) -> Call:
    receiver, args, kwargs = pickle.loads(before)
    return Call(receiver, args, kwargs, pickle.loads(outcome), pickle.loads(after) if after is not None else None, awaited)
