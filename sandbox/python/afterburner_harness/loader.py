"""Importing the user's module and tests under the names their own imports would use."""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import io
import os
import pickle
import sys
from typing import List, Optional, Tuple

from .errors import HarnessError, MemoryLimit, describe_import_failure


def module_name_for(path: str) -> Tuple[str, str]:
    """(dotted module name, sys.path root) for a .py file relative to the work dir.

    Regular packages (dirs with __init__.py) are walked upwards, so `src/pkg/mod.py` with
    `src/pkg/__init__.py` is `pkg.mod` rooted at `src`. A file in a dir without __init__.py is
    named from the work dir (`pkg/mod.py` -> `pkg.mod`, a namespace package), as tests written
    from the project root import it.
    """
    path = os.path.normpath(path)
    directory, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    parts = [stem] if stem != "__init__" else []
    current = directory
    while current and os.path.isfile(os.path.join(current, "__init__.py")):
        current, package = os.path.split(current)
        parts.insert(0, package)
    if current and not parts[:-1]:
        # No regular package: a namespace path from the work dir.
        parts = [p for p in current.split(os.sep) if p] + parts
        current = ""
    if not all(p.isidentifier() for p in parts):
        # Not importable by a dotted name (e.g. a dash in a folder): root it at its own dir.
        return stem, directory
    return ".".join(parts), current


def ensure_on_path(root: str) -> None:
    absolute = os.path.abspath(root or ".")
    if absolute not in [os.path.abspath(p or ".") for p in sys.path]:
        # After the work dir, before the standard library: the user's files win over site-packages
        # the way they do when the user runs their tests from the project root.
        sys.path.insert(1 if sys.path and os.path.abspath(sys.path[0] or ".") == os.getcwd() else 0, absolute)


def _basedir(path: str) -> str:
    current = os.path.dirname(os.path.normpath(path))
    while current and os.path.isfile(os.path.join(current, "__init__.py")):
        current = os.path.dirname(current)
    return current


def import_user_file(path: str, what: str):
    """Import a .py file of the work dir; SyntaxError/ImportError become a HarnessError."""
    if not os.path.isfile(path):
        raise HarnessError("%s %s does not exist in the work dir. Next step: include it in the job's files." % (what, path))
    name, root = module_name_for(path)
    ensure_on_path(root)
    if what == "test file":
        # pytest (rootdir-based "prepend" import) puts a test module's basedir, the first folder up
        # without __init__.py, on sys.path: helpers beside the tests import by their bare names.
        ensure_on_path(_basedir(path))
    existing = sys.modules.get(name)
    try:
        if existing is not None and not _same_file(getattr(existing, "__file__", None), path):
            return _import_by_location(path, "_afterburner_%s_%d" % (name.replace(".", "_"), len(sys.modules)))
        return importlib.import_module(name)
    except MemoryError as exc:
        raise MemoryLimit("MemoryError while importing %s %s" % (what, path)) from exc
    except (SyntaxError, ImportError) as exc:
        raise HarnessError(describe_import_failure(exc, "%s %s" % (what, path))) from exc


def _import_by_location(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


REFERENCE_PREFIX = "_afterburner_reference_"


def import_reference(path: str, candidate):
    """Import the reference version of the module (check mode) from its file, under a private name
    so the candidate keeps its own module identity (tests and recorded classes resolve to it).
    The private name sits in the package of the file's folder when there is one, so relative
    imports (`from . import helpers`) in the reference find the same siblings as the candidate's."""
    if not os.path.isfile(path):
        raise HarnessError("reference module %s does not exist in the work dir." % path)
    sibling, _root = module_name_for(os.path.join(os.path.dirname(path), "x.py"))
    package = sibling.rpartition(".")[0]
    if package:
        try:
            importlib.import_module(package)
        except Exception:
            package = ""
    stem = os.path.splitext(os.path.basename(getattr(candidate, "__file__", None) or path))[0]
    local = REFERENCE_PREFIX + "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    name = "%s.%s" % (package, local) if package else local
    try:
        return _import_by_location(path, name)
    except MemoryError as exc:
        raise MemoryLimit("MemoryError while importing the reference module %s" % path) from exc


class RemappingUnpickler(pickle.Unpickler):
    """Unpickles recorded values with the candidate module's classes replaced by the reference
    module's classes of the same name, so the reference meets its own classes (isinstance checks,
    its own methods) exactly as the candidate meets the candidate's. Other classes, and a class the
    reference lacks, stay as recorded."""

    def __init__(self, data: bytes, from_names: set, reference) -> None:
        super().__init__(io.BytesIO(data))
        self._from = from_names
        self._reference = reference

    def find_class(self, module_name, qualname):
        if module_name in self._from:
            found = self._reference
            try:
                for part in qualname.split("."):
                    found = getattr(found, part)
                return found
            except AttributeError:
                pass
        return super().find_class(module_name, qualname)


def remapping_loads(candidate, reference):
    """A `pickle.loads` for recorded values, remapping the candidate's classes to the reference's."""
    names = {n for n, m in list(sys.modules.items()) if m is candidate} | {candidate.__name__}
    return lambda data: RemappingUnpickler(data, names, reference).load()


def _same_file(a: Optional[str], b: str) -> bool:
    try:
        return bool(a) and os.path.samefile(a, b)  # type: ignore[arg-type]
    except OSError:
        return False


def alias_for_tests(module, module_path: str, test_paths: List[str]) -> None:
    """Register the module under the other names the tests import it by (`import mod` with the
    module's folder put on sys.path by the test), so they all see the same, patched object."""
    stem = os.path.splitext(os.path.basename(module_path))[0]
    for name in _imported_names(test_paths):
        if name == module.__name__ or name.split(".")[-1] != stem or name in sys.modules:
            continue
        sys.modules[name] = module
    folder = os.path.dirname(os.path.abspath(module_path))
    if stem in sys.modules and sys.modules[stem] is module and folder not in sys.path:
        sys.path.append(folder)


def _imported_names(test_paths: List[str]) -> List[str]:
    names: List[str] = []
    for path in test_paths:
        try:
            with open(path, "rb") as handle:
                tree = ast.parse(handle.read(), path)
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return names


def plain_function(raw):
    """A static or class method's underlying function, anything else as it is."""
    return raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw


class Target:
    """Where the target lives: a module function, or a method on a class of the module."""

    def __init__(self, module, spec: str) -> None:
        self.module = module
        self.spec = spec
        parts = spec.split(".")
        if len(parts) == 1:
            self.owner = module
            self.cls = None
        elif len(parts) == 2:
            if not hasattr(module, parts[0]) or not inspect.isclass(getattr(module, parts[0])):
                raise HarnessError(
                    "%s has no class %s. It defines classes: %s. Next step: pass the target as "
                    "`name` or `Class.method`." % (module.__name__, parts[0], _names(module, classes=True))
                )
            self.owner = getattr(module, parts[0])
            self.cls = self.owner
        else:
            raise HarnessError("target %r must be `name` or `Class.method`." % spec)
        self.name = parts[-1]
        if self.cls is None:
            if not callable(getattr(module, self.name, None)):
                raise HarnessError(
                    "%s has no function %s. It defines: %s. Next step: check the function name."
                    % (module.__name__, self.name, _names(module))
                )
            self.kind = "function"
        else:
            try:
                raw = inspect.getattr_static(self.cls, self.name)
            except AttributeError:
                methods = sorted(n for n, v in vars(self.cls).items() if callable(v) or isinstance(v, (staticmethod, classmethod)))
                raise HarnessError(
                    "class %s has no method %s. Its methods: %s." % (self.cls.__name__, self.name, ", ".join(methods) or "none")
                ) from None
            if isinstance(raw, staticmethod):
                self.kind = "static"
            elif isinstance(raw, classmethod):
                self.kind = "class"
            elif callable(raw):
                self.kind = "method"
            else:
                raise HarnessError("%s.%s is not a method." % (self.cls.__name__, self.name))

    def raw(self):
        return self.owner.__dict__.get(self.name) if self.cls is not None else getattr(self.module, self.name)

    def function(self):
        """The target's plain function (see plain_function)."""
        return plain_function(self.raw())

    def code_files(self) -> set:
        files = {os.path.realpath(getattr(self.module, "__file__", "") or "")}
        return files


def _names(module, classes: bool = False) -> str:
    found = []
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(value):
            methods = [n for n, v in vars(value).items() if not n.startswith("__") and (callable(v) or isinstance(v, (staticmethod, classmethod)))]
            found.append("%s (methods: %s)" % (name, ", ".join(methods) or "none"))
        elif not classes and callable(value):
            found.append(name)
    return ", ".join(found) or "nothing callable"
