"""Which resource of the program adopts which object: one object, one resource.

Two resources adopting the same object would each converge it to their own inputs and each delete it
on destroy. Every check of the operation runs in one provider process, so the first resource to claim
an id keeps it and a second one fails at preview. The deletes of the operation run in that process
too: a resource leaving the program (renamed, or its object handed to another resource's adoption)
must not delete the object the program's resource now adopts — nor, when a replacement's create took
over the very object it replaces (found by the resource's name, or adopted), that object.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_claims: dict[tuple[str, str], str] = {}
#: The objects the creates of this operation handed to the engine: for which resource, and on which server
#: (the same id on another server — a resource moved to another platform — is another object).
_created: dict[tuple[str, str], tuple[str, object]] = {}


def claim(kind: str, id_: str, urn: str) -> str | None:
    """Claim the object ``id_`` of ``kind`` for ``urn``; the URN that holds it already, if another does."""
    with _lock:
        holder = _claims.setdefault((kind, id_), urn)
    return holder if holder != urn else None


def holder(kind: str, id_: str) -> str | None:
    """The URN that claimed the object ``id_`` of ``kind`` in this operation, if any."""
    with _lock:
        return _claims.get((kind, id_))


def record_created(kind: str, id_: str, urn: str, where: object) -> None:
    """A create of ``urn`` in this operation returned the object ``id_`` on the server ``where``: the
    stack now records it for ``urn``."""
    with _lock:
        _created[(kind, id_)] = (urn, where)


def created_for(kind: str, id_: str, where: object) -> str | None:
    """The URN a create of this operation returned the object ``id_`` on the server ``where`` for, if any."""
    with _lock:
        urn, there = _created.get((kind, id_), ("", None))
    return urn if urn and there == where else None
