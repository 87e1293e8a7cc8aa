"""The preview's notes as entries of the ``plan_notes`` property, short enough to be printed whole.

``pulumi preview --diff`` cuts a string property longer than 150 bytes (``...`` after the 150th)
unless it runs with ``--show-full-output``; a note cut there loses its end, which is often the advice.
So a long note is split at spaces into entries of at most :data:`ENTRY_BYTES` bytes (UTF-8, as the
CLI counts), each further entry starting with :data:`CONTINUED`; :func:`joined` puts them together again, exactly.
"""

from __future__ import annotations

ENTRY_BYTES = 150
"""The longest string the CLI's property diff prints whole."""
CONTINUED = "… "
"""Starts an entry that carries on the note before it."""


def _size(text: str) -> int:
    return len(text.encode())


def _cut(text: str, limit: int) -> tuple[str, str]:
    """``text`` up to ``limit`` bytes, cut after the last space that fits (mid-word if none), and the rest."""
    fits = text.encode()[:limit].decode(errors="ignore")
    space = fits.rfind(" ")
    if len(fits) < len(text) and space > 0:
        fits = fits[: space + 1]
    return fits, text[len(fits) :]


def entries(note: str) -> list[str]:
    """One note as the property's entries, each at most :data:`ENTRY_BYTES` bytes."""
    first, rest = _cut(note, ENTRY_BYTES)
    parts = [first]
    while rest:
        part, rest = _cut(rest, ENTRY_BYTES - _size(CONTINUED))
        parts.append(CONTINUED + part)
    return parts


def as_property(notes: list[str]) -> list[str]:
    """The ``plan_notes`` property of ``notes``."""
    return [entry for note in notes for entry in entries(note)]


def joined(values: list[str]) -> list[str]:
    """The notes a ``plan_notes`` property carries (its continued entries put back together)."""
    notes: list[str] = []
    for value in values:
        if value.startswith(CONTINUED) and notes:
            notes[-1] += value[len(CONTINUED) :]
        else:
            notes.append(value)
    return notes
