"""Keeps the harness's own stdout for the report while the user's code prints what it likes.

At start the real stdout (fd 1) is duplicated for the report; fd 1 and fd 2 are then pointed at
a pipe drained by a daemon thread that keeps only the last few kB. So user output can neither
flood the host nor be mistaken for the report, and a blocked pipe can never stall user code.
"""
from __future__ import annotations

import json
import os
import sys
import threading

REPORT_MARKER = "@@AFTERBURNER_REPORT@@"
KEEP_BYTES = 4096


class OutputGuard:
    def __init__(self) -> None:
        self._report_fd = os.dup(1)
        self._tail = b""
        self._lock = threading.Lock()
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._read_fd = read_fd
        thread = threading.Thread(target=self._drain, name="afterburner-output", daemon=True)
        thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._tail = (self._tail + chunk)[-KEEP_BYTES:]

    def tail(self, limit: int = KEEP_BYTES) -> str:
        """The last `limit` bytes the user's code printed (stdout and stderr interleaved)."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        with self._lock:
            data = self._tail[-limit:]
        return data.decode("utf-8", "replace")

    def write_report(self, report: dict) -> None:
        """The report as the last line of the real stdout; the caller exits right after."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        try:
            body = json.dumps(report, allow_nan=False, default=str)
        except ValueError:
            body = json.dumps(_finite(report), default=str)
        data = ("\n" + REPORT_MARKER + body + "\n").encode("utf-8")
        while data:
            written = os.write(self._report_fd, data)
            data = data[written:]


def _finite(value):
    """JSON has no NaN/Infinity: replace them by null so the report still parses."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
