"""``ast.parse`` calls of the test process take turns.

CPython 3.11 keeps the AST constructor's recursion counter per interpreter, not per thread: two threads
inside ``ast.parse`` at once -- pytest rewriting an import, or the traceback module placing its carets,
here while an inline Pulumi program's thread does the same -- fail one of them with "SystemError: AST
constructor recursion depth mismatch", a failure of whichever test runs then. Only the test process
is changed, never the code under test.
"""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Callable
from typing import Any

MARK = "one_at_a_time"


def in_turn(parse: Callable[..., Any]) -> Callable[..., Any]:
    """``parse``, entered by one thread at a time."""
    turn = threading.RLock()

    @functools.wraps(parse)
    def parse_in_turn(*args: Any, **kwargs: Any) -> Any:
        with turn:
            return parse(*args, **kwargs)

    setattr(parse_in_turn, MARK, True)
    return parse_in_turn


def install() -> None:
    if not getattr(ast.parse, MARK, False):
        ast.parse = in_turn(ast.parse)
