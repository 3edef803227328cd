"""Failure text for tests run without pytest: a bare `assert a == b` says what a and b were.

The failing assert statement is found in the test file's syntax tree; its operands are evaluated
again in the frame's globals and locals (the frame is finished, its variables are still there),
with the recorder paused so the re-evaluation is not recorded as a call.
"""
from __future__ import annotations

import ast
import linecache
import os
from typing import Callable, List, Optional

from .compare import short
from .errors import describe_exception, relative, trim, user_frame


def failure_text(exc: BaseException, test_files: set, pause: Callable[[bool], None]) -> str:
    if isinstance(exc, AssertionError) and not str(exc):
        explained = _explain_assert(exc, test_files, pause)
        if explained:
            return trim(explained)
    # Other exceptions are shown where they were raised in the user's code, test or module.
    return trim(describe_exception(exc))


def _explain_assert(exc: AssertionError, test_files: set, pause: Callable[[bool], None]) -> Optional[str]:
    tb = user_frame(exc.__traceback__, test_files)
    if tb is None:
        return None
    frame = tb.tb_frame
    filename = frame.f_code.co_filename
    node = _assert_at(filename, tb.tb_lineno)
    where = "%s:%d" % (relative(filename), tb.tb_lineno)
    if node is None:
        line = linecache.getline(filename, tb.tb_lineno).strip()
        return "AssertionError (%s): %s" % (where, line)
    source = _segment(filename, node.test)
    details: List[str] = []
    pause(True)
    try:
        if isinstance(node.test, ast.Compare) and len(node.test.comparators) == 1:
            left = _evaluate(node.test.left, frame, filename)
            right = _evaluate(node.test.comparators[0], frame, filename)
            if left is not _FAILED and right is not _FAILED:
                op = _segment_op(node.test.ops[0])
                details.append("assert %s %s %s" % (short(left), op, short(right)))
                details.extend(_where(node.test.left, left, filename))
                details.extend(_where(node.test.comparators[0], right, filename))
        else:
            value = _evaluate(node.test, frame, filename)
            if value is not _FAILED:
                details.append("assert %s" % short(value))
                for name in sorted({n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}):
                    if name in frame.f_locals:
                        details.append("  where %s = %s" % (name, short(frame.f_locals[name])))
    finally:
        pause(False)
    return "AssertionError: assert %s (%s)%s" % (source, where, ("\n" + "\n".join(details)) if details else "")


_FAILED = object()


def _evaluate(expr: ast.expr, frame, filename: str):
    try:
        code = compile(ast.Expression(body=expr), filename, "eval")
        return eval(code, frame.f_globals, dict(frame.f_locals))
    except Exception:
        return _FAILED


def _where(expr: ast.expr, value, filename: str) -> List[str]:
    if isinstance(expr, ast.Constant):
        return []
    return ["  where %s = %s" % (_segment(filename, expr), short(value))]


def _segment(filename: str, node: ast.AST) -> str:
    source = "".join(linecache.getlines(filename))
    text = ast.get_source_segment(source, node) if source else None
    return " ".join((text or ast.dump(node)).split())


def _segment_op(op: ast.cmpop) -> str:
    return {
        ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    }.get(type(op), "?")


def _assert_at(filename: str, lineno: int) -> Optional[ast.Assert]:
    lines = linecache.getlines(filename)
    if not lines or not os.path.exists(filename):
        return None
    try:
        tree = ast.parse("".join(lines), filename)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            end = getattr(node, "end_lineno", node.lineno) or node.lineno
            if node.lineno <= lineno <= end:
                return node
    return None
