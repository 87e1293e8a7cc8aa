"""The provider's own bookkeeping, kept in one envelope next to the user's properties.

What the provider must remember about a resource but the user never set — its logical name (for
messages), whether its name was chosen by the provider, which outputs are the user's inputs, the
server address the object was found at, which credential reached it and a create left unfinished —
lives under one key. The key starts with ``__``: the engine hides such keys in every preview, diff
and output listing, and ``diff`` never counts them as a change, so a rename through ``aliases`` (a
new logical name) is no change.

The envelope carries a state-format version. State written before the envelope existed kept the
same facts in top-level ``_input_names``/``_logical_name``/``_autonamed`` keys (format 1); they are
read as if they were the envelope and written back as one on the next update.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

ENVELOPE = "__pulumi_deploy"
FORMAT = 2
#: Format 1: the same facts as top-level keys.
LEGACY_INPUT_NAMES = "_input_names"
LEGACY_LOGICAL_NAME = "_logical_name"
LEGACY_AUTONAMED = "_autonamed"
LEGACY_KEYS = (LEGACY_INPUT_NAMES, LEGACY_LOGICAL_NAME, LEGACY_AUTONAMED)


@dataclass(frozen=True)
class Bookkeeping:
    logical_name: str = ""
    autonamed: bool = False
    #: The outputs that are the user's inputs (outputs only; None: not recorded).
    input_names: tuple[str, ...] | None = None
    format: int = FORMAT
    #: Settings that address a server, config key -> value (e.g. ``{"runpod:baseUrl": ...}``). In outputs,
    #: the server the object was last made, updated or read on; in checked inputs, the one the settings
    #: named then. None: not recorded (state written before, or a connection not known yet).
    location: tuple[tuple[str, str], ...] | None = None
    #: In outputs only: a create or update made its change and failed before finishing (the failure);
    #: the next update finishes it, and clears this.
    unfinished: str = ""
    #: In outputs only, for a vendor whose credentials each see one account: the fingerprint of the
    #: credential that last reached the object ("": not recorded).
    credential: str = ""

    def for_inputs(self) -> Bookkeeping:
        """The part that carries over to new inputs: what is known before the object exists."""
        return replace(self, input_names=None, location=None, unfinished="", credential="")


def read(props: dict[str, Any]) -> Bookkeeping:
    """The bookkeeping of ``props`` in either format (an empty one when there is none)."""
    envelope = props.get(ENVELOPE)
    if isinstance(envelope, dict):
        names = envelope.get("input_names")
        return Bookkeeping(
            logical_name=str(envelope.get("logical_name") or ""),
            autonamed=bool(envelope.get("autonamed")),
            input_names=tuple(str(n) for n in names) if isinstance(names, list | tuple) else None,
            format=int(envelope.get("format") or FORMAT),
            location=_location(envelope.get("location")),
            unfinished=str(envelope.get("unfinished") or ""),
            credential=str(envelope.get("credential") or ""),
        )
    names = props.get(LEGACY_INPUT_NAMES)
    return Bookkeeping(
        logical_name=str(props.get(LEGACY_LOGICAL_NAME) or ""),
        autonamed=bool(props.get(LEGACY_AUTONAMED)),
        input_names=tuple(str(n) for n in names) if isinstance(names, list | tuple) else None,
        format=1,
    )


def _location(raw: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(raw, dict):
        return None
    return tuple(sorted((str(k), str(v)) for k, v in raw.items() if isinstance(v, str)))


def is_bookkeeping(key: str) -> bool:
    return key == ENVELOPE or key in LEGACY_KEYS


def envelope(book: Bookkeeping) -> dict[str, Any]:
    """The envelope's stored shape (unset facts left out)."""
    out: dict[str, Any] = {"format": FORMAT, "logical_name": book.logical_name}
    if book.autonamed:
        out["autonamed"] = True
    if book.input_names is not None:
        out["input_names"] = sorted(book.input_names)
    if book.location is not None:
        out["location"] = dict(book.location)
    if book.unfinished:
        out["unfinished"] = book.unfinished
    if book.credential:
        out["credential"] = book.credential
    return out


def amend(props: dict[str, Any], **facts: Any) -> dict[str, Any]:
    """``props`` with these facts of their bookkeeping changed (e.g. ``unfinished="..."``)."""
    return write(props, replace(read(props), **facts))


def write(props: dict[str, Any], book: Bookkeeping) -> dict[str, Any]:
    """``props`` with ``book`` as their (current-format) envelope and no legacy keys."""
    out = {k: v for k, v in props.items() if not is_bookkeeping(k)}
    out[ENVELOPE] = envelope(book)
    return out
