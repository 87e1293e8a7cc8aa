"""The notes a preview's check gave a resource, kept for the check of its replacement.

When a change replaces an object, the engine checks the resource twice: with the old inputs (where the
notes are computed and said), then without them for the replacement. The second check's inputs are
what the preview shows as the new state, so it must carry the same ``plan_notes`` — without saying
them again.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_notes: dict[str, list[str]] = {}


def remember(urn: str, notes: list[str]) -> None:
    with _lock:
        _notes[urn] = list(notes)


def add(urn: str, note: str) -> None:
    """One more note for ``urn``'s replacement: one that diff found (check could not see it)."""
    with _lock:
        _notes[urn] = [*_notes.get(urn, []), note]


def take(urn: str) -> list[str]:
    """The notes remembered for ``urn`` (none: nothing was planned for it in this process)."""
    with _lock:
        return _notes.pop(urn, [])
