"""The resources this provider process checked, for which the operation plans a change.

The engine checks a resource before it diffs it in a preview or an ``up``; a refresh diffs what it read
against the recorded inputs without checking, and sends nothing after. A rule that refuses a planned
update (in diff, where the recorded outputs are known) must not fail a refresh: it asks here first.
Every check and diff of one operation runs in one provider process.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_checked: set[str] = set()


def checked(urn: str) -> None:
    """``urn`` was checked: this operation plans its change."""
    with _lock:
        _checked.add(urn)


def planned(urn: str) -> bool:
    """Was ``urn`` checked in this process (a preview or an ``up``, not a refresh)?"""
    with _lock:
        return urn in _checked


def clear() -> None:
    """Forget every check (tests, which call providers directly in one process)."""
    with _lock:
        _checked.clear()
