"""Which objects this operation replaces by deleting them first (``delete_before_replace``).

Another resource's preview may depend on it: an object that refuses to be deleted while something
still uses it cannot be replaced delete-first while that user stays. The engine diffs an object
before checking the resources that depend on it, and every diff and check of the operation runs in
one provider process, so a dependent's check sees what its dependency's diff decided.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_deleted_first: set[tuple[str, str]] = set()


def record(kind: str, id_: str) -> None:
    """The object ``id_`` of ``kind`` is replaced by deleting it first."""
    with _lock:
        _deleted_first.add((kind, id_))


def deleted_first(kind: str, id_: str) -> bool:
    """Is the object ``id_`` of ``kind`` replaced by deleting it first in this operation?"""
    with _lock:
        return (kind, id_) in _deleted_first
