"""Replaying recorded calls: fresh deep copies of the arguments per round, prepared before any
timing starts, and the differential check of a candidate against a recording."""
from __future__ import annotations

import asyncio
import copy
import os
import pickle
import random
import types
from typing import Callable, List, Optional, Tuple

from .compare import difference, short
from .errors import MemoryLimit
from .loader import Target
from .recorder import Call, dumps, exception_type_name

_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), range)


def is_immutable(value, depth: int = 0) -> bool:
    """Values a call cannot mutate, so every round may share them instead of copying."""
    if isinstance(value, _IMMUTABLE):
        return True
    if depth < 20 and type(value) in (tuple, frozenset):
        return all(is_immutable(v, depth + 1) for v in value)
    return False


def _pickled(value) -> Optional[bytes]:
    """Fresh copies come from unpickling: several times faster than copy.deepcopy, and every
    recorded call is picklable anyway. Values that are not (generated inputs) are deep-copied."""
    try:
        return dumps(value)
    except Exception:
        return None


def find_caches(module) -> List[Callable[[], None]]:
    """`cache_clear` of functools caches on module-level functions and on the module's classes,
    so a memoised function is timed as its first call would be, not as a dictionary lookup."""
    found = {}

    def consider(value) -> None:
        inner = getattr(value, "__func__", value)  # staticmethod / classmethod
        clear = getattr(inner, "cache_clear", None)
        if callable(clear) and hasattr(inner, "cache_info"):
            found[id(inner)] = clear

    for value in list(vars(module).values()):
        consider(value)
        if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
            for member in list(vars(value).values()):
                consider(member)
    return list(found.values())


Prepared = List[Tuple[Callable, tuple, dict]]

_loops: dict = {}


def _event_loop():
    """One event loop per process (measurement forks get their own) for replaying `async def` targets."""
    loop = _loops.get(os.getpid())
    if loop is None:
        loop = _loops[os.getpid()] = asyncio.new_event_loop()
    return loop


def awaiting(func: Callable) -> Callable:
    """The call as the tests made it: awaited to completion."""
    def run(*args, **kwargs):
        return _event_loop().run_until_complete(func(*args, **kwargs))

    return run


def consuming(func: Callable, count: int, to_end: bool) -> Callable:
    """The call as the tests made it: the first `count` items of its iterator taken (all of them when
    the tests exhausted it). Returns (items, end) where end is ("stop",), ("raise", name, message)
    or None when the consumer stopped early."""
    def run(*args, **kwargs):
        iterator = iter(func(*args, **kwargs))
        items = []
        try:
            while to_end or len(items) < count:
                items.append(next(iterator))
        except StopIteration:
            return items, ("stop",)
        except Exception as exc:
            return items, ("raise", exception_type_name(type(exc)), str(exc)[:500])
        return items, None

    return run


def as_made(func: Callable, call: Call) -> Callable:
    if call.awaited:
        return awaiting(func)
    if call.outcome[0] == "yield":
        return consuming(func, len(call.outcome[1]), call.outcome[2] is not None)
    return func


class Replayer:
    """Fresh inputs for replay rounds of `target`. For the reference of a check run, `loads` turns
    the candidate's classes in the copies into the reference's (loader.remapping_loads) and
    `bind_from_class` binds a method to the instance through the target's class rather than by
    attribute lookup, so the reference's method runs even on an instance of a class it lacks."""

    def __init__(self, target: Target, calls: List[Call], loads: Callable[[bytes], object] = pickle.loads,
                 bind_from_class: bool = False) -> None:
        self.target = target
        self.calls = calls
        self._loads = loads
        self._bind_from_class = bind_from_class
        self.caches = find_caches(target.module)
        self._shared = [
            target.kind != "method" and is_immutable(c.args) and all(is_immutable(v) for v in c.kwargs.values())
            for c in calls
        ]
        self._blobs = [None if shared else _pickled((c.self_obj, c.args, c.kwargs)) for c, shared in zip(calls, self._shared)]

    def function(self) -> Callable:
        target = self.target
        return getattr(target.owner, target.name)

    def prepare_round(self) -> Prepared:
        func = self.function() if self.target.kind != "method" else None
        name = self.target.name
        unbound = getattr(self.target.cls, name) if func is None and self._bind_from_class else None
        prepared: Prepared = []
        loads = self._loads
        for call, shared, blob in zip(self.calls, self._shared, self._blobs):
            if shared:
                prepared.append((as_made(func, call), call.args, call.kwargs))  # type: ignore[arg-type]
                continue
            receiver, args, kwargs = loads(blob) if blob is not None else copy.deepcopy((call.self_obj, call.args, call.kwargs))
            if func is not None:
                prepared.append((as_made(func, call), args, kwargs))
            elif unbound is not None:
                # A bound method like getattr(receiver, name) gives, so both sides pay the same call.
                prepared.append((as_made(types.MethodType(unbound, receiver), call), args, kwargs))
            else:
                prepared.append((as_made(getattr(receiver, name), call), args, kwargs))
        return prepared

    def clear_caches(self) -> None:
        for clear in self.caches:
            clear()


def run_round(prepared: Prepared, caches: List[Callable[[], None]]) -> None:
    for clear in caches:
        clear()
    for func, args, kwargs in prepared:
        try:
            func(*args, **kwargs)
        except MemoryError:
            raise
        except Exception:
            pass


def differential_check(replayer: Replayer, seed: int, limit: int = 3) -> List[dict]:
    """Replays every recorded call on the current module and lists the first differences."""
    failures: List[dict] = []
    target = replayer.target
    for index, call in enumerate(replayer.calls, 1):
        replayer.clear_caches()
        random.seed(seed)
        receiver, args, kwargs = copy.deepcopy((call.self_obj, call.args, call.kwargs))
        func = as_made(getattr(receiver, target.name) if target.kind == "method" else replayer.function(), call)
        try:
            got = ("return", func(*args, **kwargs))
            if call.outcome[0] == "yield":
                got = ("yield",) + got[1]
        except MemoryError as exc:
            raise MemoryLimit("MemoryError while replaying call %d to %s" % (index, target.spec)) from exc
        except Exception as exc:
            got = ("raise", exception_type_name(type(exc)), str(exc)[:500])
        problem = _outcome_difference(call.outcome, got)
        if problem is None:
            expected_after = call.after or (call.self_obj, call.args, call.kwargs)
            problem = _mutation_difference(expected_after, (receiver, args, kwargs))
        if problem is not None:
            failures.append({
                "test": "differential check (call %d)" % index,
                "message": "%s\n  call: %s" % (problem, render_call(target, call)),
            })
            if len(failures) >= limit:
                break
    return failures


def render_call(target: Target, call: Call) -> str:
    parts = [short(a) for a in call.args] + ["%s=%s" % (k, short(v)) for k, v in call.kwargs.items()]
    owner = (short(call.self_obj) + ".") if target.kind == "method" else ""
    return "%s%s(%s)" % (owner, target.name, ", ".join(parts))


def _outcome_difference(expected, got) -> Optional[str]:
    if expected[0] == "yield":
        if got[0] != "yield":
            return "expected an iterator yielding %s, got exception %s: %s" % (short(expected[1]), _short_type(got[1]), got[2])
        found = _safe_difference(expected[1], got[1], "yielded items")
        if found is None and (expected[2] or ())[:2] != (got[2] or ())[:2]:
            found = "expected the iterator to end with %s, got %s" % (_end(expected[2]), _end(got[2]))
        return found
    if expected[0] == "return" and got[0] == "return":
        return _safe_difference(expected[1], got[1], "result")
    if expected[0] == "raise" and got[0] == "raise":
        if expected[1] == got[1]:
            return None
        return "expected exception %s, got exception %s: %s" % (_short_type(expected[1]), _short_type(got[1]), got[2])
    if expected[0] == "raise":
        return "expected exception %s: %s, got return value %s" % (_short_type(expected[1]), expected[2], short(got[1]))
    return "expected return value %s, got exception %s: %s" % (short(expected[1]), _short_type(got[1]), got[2])


def _end(end) -> str:
    if end is None:
        return "more items"
    if end[0] == "stop":
        return "its end"
    return "exception %s: %s" % (_short_type(end[1]), end[2])


def _mutation_difference(expected, actual) -> Optional[str]:
    exp_self, exp_args, exp_kwargs = expected
    act_self, act_args, act_kwargs = actual
    if exp_self is not None:
        found = _safe_difference(exp_self, _without_new_attributes(act_self, exp_self), "self")
        if found:
            return "different state after the call: " + found
    for index, (a, b) in enumerate(zip(exp_args, act_args), 1):
        found = _safe_difference(a, b, "argument %d" % index)
        if found:
            return "different argument mutation: " + found
    for name in exp_kwargs:
        found = _safe_difference(exp_kwargs[name], act_kwargs.get(name), "argument %s" % name)
        if found:
            return "different argument mutation: " + found
    return None


def _without_new_attributes(actual, expected):
    """A candidate may keep extra private state on the instance (a cache, say); the attributes the
    original had must still end up the same."""
    if type(actual) is not type(expected) or not hasattr(actual, "__dict__") or not hasattr(expected, "__dict__"):
        return actual
    extra = set(vars(actual)) - set(vars(expected))
    if not extra:
        return actual
    trimmed = copy.copy(actual)
    for name in extra:
        trimmed.__dict__.pop(name, None)
    return trimmed


def _safe_difference(a, b, path: str) -> Optional[str]:
    try:
        return difference(a, b, path)
    except RecursionError:
        return None if a == b else "%s: expected %s, got %s" % (path, short(a), short(b))


def _short_type(name: str) -> str:
    return name[len("builtins."):] if name.startswith("builtins.") else name
