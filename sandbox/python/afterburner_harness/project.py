"""The user's project, run in place.

When the job names a `projectRoot`, the project is mounted read-only at that same path. The harness
then runs from the project root as `python -m pytest` started there would: cwd is the root and the
root is first on sys.path (pytest itself adds the rootdirs of conftest.py files and test modules,
and applies the `pythonpath`/`testpaths` ini options). Each overlay (a project-relative path whose
content for this run is in the work dir: the module as the editor has it, or the candidate) is
served in place of the project's file at import time by a meta-path finder; the module's spec
keeps the project path as `origin`, so `__file__`, relative data reads and relative imports behave
as in the project. Nothing is written under the project root.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import linecache
import os
import sys
from typing import Dict, Optional


class _OverlayLoader(importlib.machinery.SourceFileLoader):
    """Loads the overlay's text under the project file's path. Bytecode caches are never read
    (the project's __pycache__ holds the on-disk version) nor written."""

    def __init__(self, fullname: str, path: str, overlay: str) -> None:
        super().__init__(fullname, path)
        self.overlay = overlay

    def get_data(self, path: str) -> bytes:
        if path == self.path:
            with open(self.overlay, "rb") as handle:
                return handle.read()
        return super().get_data(path)

    def path_stats(self, path: str):
        if path == self.path:
            raise OSError("an overlay has no bytecode cache")
        return super().path_stats(path)

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:
        return None

    def exec_module(self, module) -> None:
        # Tracebacks and inspect.getsource() read through linecache, which would read the file on
        # disk: it gets the overlay's lines instead (an mtime of None keeps checkcache off them).
        text = self.get_data(self.path).decode("utf-8", "replace")
        linecache.cache[self.path] = (len(text), None, text.splitlines(True), self.path)
        super().exec_module(module)


class OverlayFinder:
    """Finds modules as the path finder would and, when the file found is an overlay, serves the
    overlay's content for it."""

    def __init__(self, overlays: Dict[str, str]) -> None:
        self._overlays: Dict[str, str] = {}
        for project_file, local in overlays.items():
            self._overlays[os.path.abspath(project_file)] = local
            self._overlays[os.path.realpath(project_file)] = local
        # Module names that can map to an overlay: a quick "no" for every other import.
        self._names = set()
        for project_file in overlays:
            stem = os.path.splitext(os.path.basename(project_file))[0]
            self._names.add(os.path.basename(os.path.dirname(project_file)) if stem == "__init__" else stem)

    def overlay_for(self, path: str) -> Optional[str]:
        return self._overlays.get(os.path.abspath(path)) or self._overlays.get(os.path.realpath(path))

    def find_spec(self, fullname, path=None, target=None):
        if fullname.rpartition(".")[2] not in self._names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.has_location:
            return None
        local = self.overlay_for(spec.origin)
        if local is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname,
            spec.origin,
            loader=_OverlayLoader(fullname, spec.origin, local),
            submodule_search_locations=spec.submodule_search_locations,
        )

    # Python < 3.10 still asks finders for this.
    def invalidate_caches(self) -> None:
        return None


_finder: Optional[OverlayFinder] = None
_work_dir: Optional[str] = None


def enter(job: dict) -> None:
    """Moves into the project root and installs the overlays (no-op for a job without a project)."""
    global _finder, _work_dir
    root = job.get("projectRoot")
    if not root:
        return
    work = os.getcwd()
    if not os.path.isdir(root):
        from .errors import HarnessError

        raise HarnessError("the project root %s is not visible in the sandbox." % root)
    overlays = {}
    for relative in job.get("overlays") or []:
        local = os.path.join(work, relative)
        if relative.endswith(".py") and os.path.isfile(local) and _differs(local, os.path.join(root, relative)):
            overlays[os.path.join(root, relative)] = local
    _work_dir = work
    os.chdir(root)
    # As `python -m pytest` from the root: the root first; the work dir (overlays, job.json) never.
    rest = [p for p in sys.path if os.path.abspath(p or work) not in (work, root)]
    sys.path[:] = [root] + rest
    _finder = OverlayFinder(overlays)
    sys.meta_path.insert(0, _finder)


def _differs(local: str, project_file: str) -> bool:
    """An overlay the same as the project's file is left to the normal import system, so test files
    the editor has not changed keep pytest's assertion rewriting (its detailed assert messages)."""
    try:
        with open(local, "rb") as mine, open(project_file, "rb") as theirs:
            return mine.read() != theirs.read()
    except OSError:
        return True


def put_first() -> None:
    """Moves the overlay finder back in front of finders installed after it. pytest's assertion
    rewriter (installed when pytest starts) reads test files from disk: an unsaved test file would
    run as saved. With the overlays first it runs as the editor has it, only without rewritten
    assert messages."""
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
        sys.meta_path.insert(0, _finder)


def read_text(path: str) -> str:
    """A job file's text as this run sees it: the overlay's (the editor's unsaved text) when the
    file has one, else the file's."""
    local = _finder.overlay_for(path) if _finder is not None else None
    with open(local or path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def local_path(relative: str) -> str:
    """Where a job file is readable: the overlay in the work dir when there is one (a reference
    module exists nowhere else), else the project's file (relative to the root, the cwd)."""
    if _work_dir is not None:
        local = os.path.join(_work_dir, relative)
        if os.path.isfile(local) and not os.path.isfile(relative):
            return local
    return relative
