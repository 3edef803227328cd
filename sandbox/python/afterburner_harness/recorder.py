"""Records the OUTERMOST calls to the target while the user's tests run.

Each recorded call keeps deep copies of the arguments taken before the call, the return value
(or the exception type and message), and the arguments after the call when the call mutated
them. Recursion does not add calls: a per-thread depth counter lets inner calls pass through.
The recording is pickled (protocol 4, classes by reference, so a check run resolves them to the
candidate's module of the same name), zlib-compressed and base64-encoded for the host, which
never reads it.
"""
from __future__ import annotations

import base64
import copy
import functools
import pickle
import threading
import zlib
from typing import Any, Dict, List, Optional

from .compare import difference
from .errors import HarnessError
from .loader import Target

FORMAT_VERSION = 1
# A test calling the target in a long loop should not turn replay into a marathon: the first
# calls are kept, which is what the tests exercise first and most.
MAX_CALLS = 10000
# The host reads the report from the last MB of output; the recording must leave room.
MAX_RECORDING_CHARS = 768 * 1024


class Call:
    """One recorded call. `self_obj` is the receiver for instance methods, else None."""

    __slots__ = ("self_obj", "args", "kwargs", "outcome", "after")

    def __init__(self, self_obj, args, kwargs, outcome, after) -> None:
        self.self_obj = self_obj
        self.args = args
        self.kwargs = kwargs
        # ("return", value) or ("raise", "module.QualName", message)
        self.outcome = outcome
        # None when nothing was mutated, else (self_after, args_after, kwargs_after)
        self.after = after

    def to_plain(self) -> dict:
        return {"self": self.self_obj, "args": self.args, "kwargs": self.kwargs, "outcome": self.outcome, "after": self.after}

    @classmethod
    def from_plain(cls, plain: dict) -> "Call":
        return cls(plain["self"], plain["args"], plain["kwargs"], plain["outcome"], plain["after"])


def exception_type_name(exc_type: type) -> str:
    return "%s.%s" % (exc_type.__module__, exc_type.__qualname__)


class Recorder:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.calls: List[Call] = []
        self.problem: Optional[str] = None
        self.skipped = 0
        self.paused = False
        self._local = threading.local()
        self._original = target.raw()
        self._installed = False

    # -- wrapping ----------------------------------------------------------------------------
    def install(self) -> None:
        target = self.target
        raw = self._original
        if target.kind in ("static", "class"):
            wrapped = type(raw)(self._wrap(raw.__func__, drop_first=target.kind == "class"))
        else:
            wrapped = self._wrap(raw, drop_first=False)
        self._had_own = target.cls is None or target.name in target.cls.__dict__
        self._wrapped = wrapped
        setattr(target.owner, target.name, wrapped)
        self._installed = True

    def uninstall(self) -> None:
        if not self._installed:
            return
        if self._had_own:
            setattr(self.target.owner, self.target.name, self._original)
        else:
            delattr(self.target.owner, self.target.name)
        self._installed = False

    def _wrap(self, func, drop_first: bool):
        recorder = self
        is_method = self.target.kind == "method"

        @functools.wraps(func)
        def afterburner_recorder(*args, **kwargs):
            local = recorder._local
            depth = getattr(local, "depth", 0)
            if depth or recorder.paused:
                return func(*args, **kwargs)
            local.depth = 1
            # While the outermost call runs, the original is back in place: recursion through the
            # module or class then costs no extra frame, so it hits the recursion limit exactly
            # where it does without the harness.
            owner, name = recorder.target.owner, recorder.target.name
            setattr(owner, name, recorder._original)
            try:
                return recorder._record(func, args, kwargs, is_method, drop_first)
            finally:
                setattr(owner, name, recorder._wrapped)
                local.depth = 0

        return afterburner_recorder

    def _record(self, func, args, kwargs, is_method: bool, drop_first: bool):
        if len(self.calls) >= MAX_CALLS or self.problem is not None:
            self.skipped += 1
            return func(*args, **kwargs)
        receiver = args[0] if is_method and args else None
        plain_args = args[1:] if (is_method or drop_first) and args else args
        before = self._copy((receiver, plain_args, kwargs), "the arguments")
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            outcome = ("raise", exception_type_name(type(exc)), str(exc)[:500])
            self._finish(before, receiver, plain_args, kwargs, outcome)
            raise
        outcome = ("return", self._copy(result, "the return value"))
        self._finish(before, receiver, plain_args, kwargs, outcome)
        return result

    def _finish(self, before, receiver, plain_args, kwargs, outcome) -> None:
        if before is None or (outcome[0] == "return" and self.problem is not None):
            return
        after = self._copy((receiver, plain_args, kwargs), "the arguments after the call")
        if after is None:
            return
        mutated = difference(before, after, "arguments") is not None
        self.calls.append(Call(before[0], before[1], before[2], outcome, after if mutated else None))

    def _copy(self, value, what: str):
        try:
            return copy.deepcopy(value)
        except MemoryError:
            raise
        except Exception as exc:
            if self.problem is None:
                self.problem = (
                    "%s of call %d to %s cannot be copied (%s: %s). Afterburner replays recorded calls, "
                    "so they must be deep-copyable and picklable. Next step: call the function in the "
                    "tests with plain data (lists, dicts, numbers, strings, simple objects)."
                    % (what, len(self.calls) + 1, self.target.spec, type(exc).__name__, exc)
                )
            return None


def encode(calls: List[Call], target: Target) -> str:
    """base64(zlib(pickle)) of the calls. The host keeps only the last MB of a run's output, so a
    recording over MAX_RECORDING_CHARS keeps as many first calls as fit; a single
    call too large on its own is an error."""
    plain: List[dict] = []
    for index, call in enumerate(calls, 1):
        try:
            pickle.dumps(call.to_plain(), protocol=4)
        except Exception as exc:
            raise HarnessError(
                "call %d to %s has an argument or result that cannot be pickled (%s: %s). Afterburner "
                "replays recorded calls in a fresh process, so they must be picklable (no lambdas, "
                "open files, generators or locally defined classes). Next step: call the function in "
                "the tests with plain data." % (index, target.spec, type(exc).__name__, exc)
            ) from exc
        plain.append(call.to_plain())
    keep = len(plain)
    while True:
        payload: Dict[str, Any] = {
            "version": FORMAT_VERSION,
            "module": target.module.__name__,
            "target": target.spec,
            "kind": target.kind,
            "calls": plain[:keep],
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


def decode(data: str) -> dict:
    try:
        payload = pickle.loads(zlib.decompress(base64.b64decode(data.encode("ascii"))))
    except (AttributeError, ImportError) as exc:
        raise HarnessError(
            "the recorded calls refer to something the code under test no longer defines (%s). "
            "A candidate must keep the classes that appear in the arguments and results." % exc
        ) from exc
    except Exception as exc:
        raise HarnessError("the recording cannot be read (%s: %s)." % (type(exc).__name__, exc)) from exc
    if not isinstance(payload, dict) or payload.get("version") != FORMAT_VERSION:
        raise HarnessError("the recording was made by another version of the harness; profile again.")
    payload["calls"] = [Call.from_plain(c) for c in payload["calls"]]
    return payload
