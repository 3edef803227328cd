"""Outcomes that end a run early and become a report instead of a crash."""
from __future__ import annotations

import os
import sys
import traceback
from typing import Optional


class HarnessError(Exception):
    """Bad input or broken user code: becomes `{kind: 'error', message}`. With `show_output` the
    tail of what the user's code printed is added (off when the message already has it)."""

    def __init__(self, message: str, show_output: bool = True) -> None:
        super().__init__(message)
        self.show_output = show_output


class MemoryLimit(Exception):
    """A MemoryError seen anywhere: becomes `{kind: 'memory_limit', message}`."""


MAX_MESSAGE = 2000


def trim(text: str, limit: int = MAX_MESSAGE) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return text[:head] + "\n…\n" + text[-(limit - head - 3):]


def relative(path: Optional[str]) -> str:
    """Paths inside the work dir shown relative to it, the way the user wrote them."""
    if not path:
        return "?"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def user_frame(tb, files: Optional[set] = None):
    """The innermost traceback entry in the work dir (or in `files`), else the innermost one."""
    cwd = os.path.realpath(os.getcwd()) + os.sep
    best = None
    last = None
    while tb is not None:
        name = os.path.realpath(tb.tb_frame.f_code.co_filename)
        last = tb
        in_user = name in files if files else name.startswith(cwd)
        if in_user:
            best = tb
        tb = tb.tb_next
    return best or last


def describe_exception(exc: BaseException, files: Optional[set] = None) -> str:
    """`Type: message (file:line in func: `source`)` — short, with the user's line."""
    import linecache

    head = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    tb = user_frame(exc.__traceback__, files)
    if tb is None:
        return head
    code = tb.tb_frame.f_code
    line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
    where = "%s:%d in %s" % (relative(code.co_filename), tb.tb_lineno, code.co_name)
    return "%s (%s%s)" % (head, where, (": " + line) if line else "")


def describe_import_failure(exc: BaseException, what: str) -> str:
    """SyntaxError / ImportError while loading the user's module or tests, with a next step."""
    if isinstance(exc, SyntaxError):
        where = "%s:%s" % (relative(exc.filename), exc.lineno or "?")
        text = (exc.text or "").rstrip("\n")
        caret = ""
        if text and exc.offset:
            caret = "\n    " + " " * (max(exc.offset, 1) - 1 - (len(text) - len(text.lstrip()))) + "^"
        return (
            "%s in %s at %s: %s\n    %s%s\nNext step: fix the syntax at that line and run again."
            % (type(exc).__name__, what, where, exc.msg, text.strip(), caret)
        )
    if isinstance(exc, ImportError):
        tb = user_frame(exc.__traceback__)
        where = ""
        if tb is not None:
            where = " at %s:%d" % (relative(tb.tb_frame.f_code.co_filename), tb.tb_lineno)
        missing = getattr(exc, "name", None)
        hint = (
            "make sure '%s' is part of the job's files or is available in the sandbox image" % missing
            if missing
            else "check the import statement"
        )
        return "%s while importing %s%s: %s\nNext step: %s." % (type(exc).__name__, what, where, exc, hint)
    return "%s while importing %s\nNext step: fix the error above; it happens at import time." % (
        describe_exception(exc),
        what,
    )


def internal_error(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return trim("internal harness error (please report it): " + text, 4000)


def python_version() -> str:
    return "%d.%d.%d" % sys.version_info[:3]
