"""Deterministic autonames: what ``preview`` shows is what ``up`` creates.

The name of an autonamed object is ``<logical name>-<suffix>``, the suffix a hash of the resource's
URN: preview and up run in different provider processes and must agree without sharing anything.
The first creation's name depends on the URN alone, so code that must find an object a lost create
response may have made can recompute it.

A replacement needs a *different* name (the old object still exists while its successor is created),
but the engine re-runs ``check`` for it without the old inputs, so that check alone cannot tell a
replacement from a first creation. The check given the old inputs, which comes first for every
recorded resource, therefore remembers per URN the name of its object: a check without olds for that
URN later in the same operation is its replacement's (whatever forced it: a changed field,
``replace_on_changes``, ``replace_with``), and its suffix is a hash of (URN, old name) — still the
same in preview and up, and different again on the next replacement.
"""

from __future__ import annotations

import hashlib
import string
import threading

SUFFIX_LENGTH = 7
_ALPHABET = string.ascii_lowercase + string.digits

_lock = threading.Lock()
#: The name of each URN's recorded object, as the check given its old inputs saw it.
_recorded: dict[str, str] = {}
#: Every name this provider process chose (its checks run in the process that creates).
_chosen: set[str] = set()


def suffix(*parts: str) -> str:
    """A short lowercase-alphanumeric digest of ``parts``."""
    digest = int.from_bytes(hashlib.sha256("\x00".join(parts).encode()).digest(), "big")
    out = []
    for _ in range(SUFFIX_LENGTH):
        digest, index = divmod(digest, len(_ALPHABET))
        out.append(_ALPHABET[index])
    return "".join(out)


def first_name(prefix: str, urn: str) -> str:
    """The name a resource gets when it is first created: a pure function of its URN."""
    return f"{prefix}-{suffix(urn)}"


def replacement_name(prefix: str, urn: str, old_name: str) -> str:
    """The name of the object that replaces the one named ``old_name``."""
    return f"{prefix}-{suffix(urn, old_name)}"


def remember_current(urn: str, old_name: str) -> None:
    """``urn``'s recorded object is the autonamed ``old_name``: a replacement must be named otherwise."""
    with _lock:
        _recorded[urn] = old_name


def recorded_name(urn: str) -> str | None:
    """The name of ``urn``'s recorded object, if this operation checked it with its old inputs."""
    with _lock:
        return _recorded.get(urn)


def choose(prefix: str, urn: str) -> str:
    """The autoname for a check without old inputs: a replacement's or a first creation's."""
    old = recorded_name(urn)
    name = replacement_name(prefix, urn, old) if old is not None else first_name(prefix, urn)
    with _lock:
        _chosen.add(name)
    return name


def chosen_here(name: object) -> bool:
    """``name`` is an autoname this process chose for one of its resources (a hash of that resource's URN):
    an object with that name was made for that resource, by this run or by an earlier one."""
    with _lock:
        return isinstance(name, str) and name in _chosen
