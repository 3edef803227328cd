"""Measurement at growing input sizes from a user-written `afterburner_inputs(size)`.

Looked up in the test files first, then in `afterburner_inputs.py` next to the tests or the
module. It returns the arguments of one call as a tuple, or a list of such tuples for several
calls (for `Class.method` the first element of each tuple is the instance).
"""
from __future__ import annotations

import os
import random
import sys
from typing import Callable, List, Optional

from .errors import HarnessError, describe_exception
from . import project
from .loader import Target, import_user_file
from .measure import fastest_interleaved, peak_memory_kb
from .recorder import Call
from .replay import Replayer

GENERATOR_NAME = "afterburner_inputs"


def find_generator(test_paths: List[str], module_path: str) -> Optional[Callable]:
    for path in test_paths:
        try:
            if "def %s" % GENERATOR_NAME not in project.read_text(path):
                continue
        except OSError:
            continue
        module = _loaded(path) or import_user_file(path, "test file")
        found = getattr(module, GENERATOR_NAME, None)
        if callable(found):
            return found
    folders = []
    for path in list(test_paths) + [module_path]:
        folder = os.path.dirname(path) or "."
        if folder not in folders:
            folders.append(folder)
    for folder in folders:
        candidate = os.path.join(folder, GENERATOR_NAME + ".py")
        if os.path.isfile(candidate):
            module = _loaded(candidate) or import_user_file(candidate, "input generator")
            found = getattr(module, GENERATOR_NAME, None)
            if callable(found):
                return found
    return None


def _loaded(path: str):
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if filename:
            try:
                if os.path.samefile(filename, path):
                    return module
            except OSError:
                continue
    return None


def calls_for(generated, target: Target) -> List[Call]:
    if isinstance(generated, tuple):
        groups = [generated]
    elif isinstance(generated, list) and generated and all(isinstance(g, tuple) for g in generated):
        groups = generated
    else:
        raise HarnessError(
            "%s(size) must return a tuple of arguments or a list of such tuples, not %s."
            % (GENERATOR_NAME, type(generated).__name__)
        )
    calls = []
    for group in groups:
        if target.kind == "method":
            if not group:
                raise HarnessError("%s(size) for a method needs the instance as the first element." % GENERATOR_NAME)
            calls.append(Call(group[0], tuple(group[1:]), {}, ("return", None), None))
        else:
            calls.append(Call(None, tuple(group), {}, ("return", None), None))
    return calls


def measure_sizes(target: Target, sizes: List[int], generator: Callable, seed: int, budget_ms: float,
                  min_sample_ms: float) -> List[dict]:
    replayers = []
    for size in sizes:
        random.seed(seed)
        try:
            generated = generator(size)
        except MemoryError:
            raise
        except Exception as exc:
            raise HarnessError("%s(%d) failed: %s" % (GENERATOR_NAME, size, describe_exception(exc))) from exc
        replayers.append(Replayer(target, calls_for(generated, target)))
    # The fastest sample per size, the sizes sampled in turn: a few samples per size cannot
    # outvote a burst of load on the largest sizes (which would bend n into n^2; two CPU hogs
    # beside a run once fitted a linear function as n^2 when each size was timed in one go), and
    # delays from other processes only add.
    fastest = fastest_interleaved(replayers, seed, max(50.0 * len(sizes), budget_ms), min_sample_ms)
    return [{"size": size, "runtimeMs": fastest[i], "peakMemoryKb": peak_memory_kb(replayers[i], seed)}
            for i, size in enumerate(sizes)]
