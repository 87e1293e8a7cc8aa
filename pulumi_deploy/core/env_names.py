"""What makes a set of environment-variable names unusable, said once for every vendor's env field.

Only what can never work is refused: an empty name, one with white space or ``=`` (which a process
environment cannot hold), and a name given twice (one value would silently win). Vendors differ on
the rest (dots, dashes), so the rest is left to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

_FORBIDDEN = frozenset(" \t\r\n=")


def problems(field: str, names: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(field, reason) for each kind of unusable name among ``names`` (not strings: not known yet)."""
    known = [n for n in names if isinstance(n, str)]
    bad = [n for n in known if not n or _FORBIDDEN & set(n)]
    if bad:
        got = ", ".join(repr(n) for n in bad)
        yield field, f"variable names must be non-empty, without spaces or '=' (got {got})"
    twice = sorted(n for n, count in Counter(known).items() if count > 1)
    if twice:
        yield field, f"each variable name may be given once (twice: {', '.join(twice)})"
