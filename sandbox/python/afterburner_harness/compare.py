"""Deep equality for the differential check, with a message that says where values differ.

Floats (and complex) compare with rel 1e-9 / abs 1e-12 tolerance and NaN equals NaN; ints and
floats compare by value; containers compare element-wise and must have the same type; objects
without their own __eq__ compare by their attributes (__dict__ / __slots__), dataclasses by field.
"""
from __future__ import annotations

import math
import pickle
import reprlib
import sys
import types
from typing import Optional

REL_TOL = 1e-9
ABS_TOL = 1e-12
MAX_DEPTH = 400

class _Repr(reprlib.Repr):
    def repr_instance(self, x, level):
        # Plain objects print their attributes, not an address that means nothing to the reader.
        if type(x).__repr__ is object.__repr__ and isinstance(getattr(x, "__dict__", None), dict):
            if level <= 0:
                return "%s(...)" % type(x).__name__
            fields = ", ".join("%s=%s" % (k, self.repr1(v, level - 1)) for k, v in list(vars(x).items())[:6])
            return "%s(%s)" % (type(x).__name__, fields)
        return reprlib.Repr.repr_instance(self, x, level)


_repr = _Repr()
_repr.maxstring = 80
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = _repr.maxdict = 10
_repr.maxlevel = 4


def short(value) -> str:
    try:
        return _repr.repr(value)
    except Exception:
        return "<%s>" % type(value).__name__


def floats_close(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def difference(expected, actual, path: str = "result") -> Optional[str]:
    """None when equal, else `path: expected X, got Y` for the first difference found."""
    return _diff(expected, actual, path, 0, set())


def _diff(a, b, path: str, depth: int, seen: set) -> Optional[str]:
    if a is b:
        return None
    mismatch = "%s: expected %s, got %s" % (path, short(a), short(b))
    if _is_number(a) and _is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            try:
                return None if floats_close(float(a), float(b)) else mismatch
            except OverflowError:
                return None if a == b else mismatch
        return None if a == b else mismatch
    if isinstance(a, complex) and isinstance(b, complex):
        return None if floats_close(a.real, b.real) and floats_close(a.imag, b.imag) else mismatch
    if type(a) is not type(b):
        return "%s: expected %s %s, got %s %s" % (path, _type_name(a), short(a), _type_name(b), short(b))
    if depth > MAX_DEPTH:
        return None if _eq(a, b) else mismatch
    key = (id(a), id(b))
    if key in seen:
        return None
    if isinstance(a, (str, bytes, bytearray, bool, type(None), range)):
        return None if a == b else mismatch
    if isinstance(a, (list, tuple)):
        seen.add(key)
        if len(a) != len(b):
            return "%s: expected %d items %s, got %d items %s" % (path, len(a), short(a), len(b), short(b))
        for index, (x, y) in enumerate(zip(a, b)):
            found = _diff(x, y, "%s[%d]" % (path, index), depth + 1, seen)
            if found:
                return found
        return None
    if isinstance(a, dict):
        seen.add(key)
        missing = [k for k in a if k not in b]
        extra = [k for k in b if k not in a]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing keys %s" % short(missing))
            if extra:
                parts.append("unexpected keys %s" % short(extra))
            return "%s: %s (expected %s, got %s)" % (path, ", ".join(parts), short(a), short(b))
        for k in a:
            found = _diff(a[k], b[k], "%s[%s]" % (path, short(k)), depth + 1, seen)
            if found:
                return found
        return None
    if isinstance(a, (set, frozenset)):
        if a == b:
            return None
        missing, extra = a - b, b - a
        if len(missing) == len(extra) and _floats_only(missing) and _floats_only(extra):
            if all(floats_close(x, y) for x, y in zip(sorted(missing), sorted(extra))):
                return None
        return "%s: missing %s, unexpected %s" % (path, short(missing), short(extra))
    ndarray = _numpy_array_type()
    if ndarray is not None and isinstance(a, ndarray):
        return None if _numpy_close(a, b) else mismatch
    if _has_own_eq(type(a)) and not _is_dataclass(a):
        return None if _eq(a, b) else mismatch
    state_a, state_b = _state(a), _state(b)
    if state_a is None or state_b is None:
        if _eq(a, b):
            return None
        reduced_a, reduced_b = _reduced(a), _reduced(b)
        if reduced_a is None or reduced_b is None:
            return mismatch
        # Builtin iterators and itertools objects: equal when what pickle keeps of them (the
        # items still to come, the position) is equal, as two partly consumed iterators are.
        seen.add(key)
        if _diff(reduced_a, reduced_b, path, depth + 1, seen) is None:
            return None
        return "%s: expected the %s left at another point (other items still to come)" % (path, _type_name(a))
    seen.add(key)
    for name in sorted(set(state_a) | set(state_b)):
        if name not in state_a or name not in state_b:
            return "%s: attribute %s %s (expected %s, got %s)" % (
                path, name, "missing" if name not in state_b else "unexpected", short(a), short(b))
        found = _diff(state_a[name], state_b[name], "%s.%s" % (path, name), depth + 1, seen)
        if found:
            return found
    return None


def _type_name(value) -> str:
    return type(value).__name__


def _floats_only(values) -> bool:
    return all(isinstance(v, float) for v in values)


def _eq(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return repr(a) == repr(b)


def _has_own_eq(cls: type) -> bool:
    for klass in cls.__mro__:
        if klass is object:
            return False
        if "__eq__" in klass.__dict__:
            return True
    return False


def _is_dataclass(value) -> bool:
    return hasattr(type(value), "__dataclass_fields__")


def _state(value):
    """Attribute values of a plain object, or None for objects that have no visible state."""
    if isinstance(value, _OPAQUE):
        return None
    state = {}
    if hasattr(value, "__dict__"):
        state.update(vars(value))
    for klass in type(value).__mro__:
        for slot in getattr(klass, "__slots__", ()) if klass is not object else ():
            if isinstance(slot, str) and slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
                state[slot] = getattr(value, slot)
    if not state and not hasattr(value, "__dict__"):
        return None
    return state


_OPAQUE = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType)


def _reduced(value):
    """What pickle keeps of an object with no visible state and identity equality (a list
    iterator, itertools.chain …), or None when its type keeps nothing of its own."""
    if isinstance(value, _OPAQUE):
        return None
    cls = type(value)
    if cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__:
        return None
    try:
        # Through a pickle round trip first, so both sides take the same form: a recorded value
        # comes from a pickle, and an exhausted iterator reduces otherwise than its copy does.
        reduced = pickle.loads(pickle.dumps(value, protocol=4)).__reduce_ex__(4)
    except Exception:
        return None
    return reduced if isinstance(reduced, tuple) else None


def _numpy_array_type():
    numpy = sys.modules.get("numpy")
    return getattr(numpy, "ndarray", None) if numpy is not None else None


def _numpy_close(a, b) -> bool:
    numpy = sys.modules["numpy"]
    try:
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        if a.dtype.kind in "fc":
            return bool(numpy.allclose(a, b, rtol=REL_TOL, atol=ABS_TOL, equal_nan=True))
        return bool(numpy.array_equal(a, b))
    except Exception:
        return False
