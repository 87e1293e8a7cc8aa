"""Which resource of the program adopts which object: one object, one resource.

Two resources adopting the same object would each converge it to their own inputs and each delete it
on destroy. Every check of the operation runs in one provider process, so the first resource to claim
an id keeps it and a second one fails at preview.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_claims: dict[tuple[str, str], str] = {}


def claim(kind: str, id_: str, urn: str) -> str | None:
    """Claim the object ``id_`` of ``kind`` for ``urn``; the URN that holds it already, if another does."""
    with _lock:
        holder = _claims.setdefault((kind, id_), urn)
    return holder if holder != urn else None
