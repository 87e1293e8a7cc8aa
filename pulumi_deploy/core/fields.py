"""Field policies: every quirk of a vendor object declared next to the field it concerns.

A resource's Args dataclass annotates each field once::

    workers_max: Annotated[Input[int] | None, Field(ge=0), Doc("...")] = None
    template_id: Annotated[Input[str], RollsWorkers()]
    service_type: Annotated[Input[str], Replace()]

``Field`` (pydantic) carries the validation constraints; the policy objects below carry behaviour.
The spec engine (``spec.py``) reads them to derive check, diff, request bodies and read-merge. Each
policy is a small named object with a one-line description (shown in preview messages) and, where
it decides something, one pure method — terraform-plugin-framework's plan modifiers in miniature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi.output import Unknown

MISSING: Any = object()
"""The field is absent (not set by the user / not returned by the server)."""


def is_unknown(value: Any) -> bool:
    """True for a value not known until apply (preview), at any nesting depth."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


@dataclass(frozen=True)
class Doc:
    """User-facing description of a field."""

    text: str


@dataclass(frozen=True)
class Wire:
    """The field's name on the wire, when it differs from the spec's naming rule."""

    name: str


class Policy:
    """Base of all field policies."""

    description: str = ""


@dataclass(frozen=True)
class Replace(Policy):
    """A change forces a new object: the API cannot change it in place."""

    reason: str = "the API cannot change it after creation"

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"changing it replaces the object ({self.reason})"

    def requires_replace(self, old: Any, new: Any) -> bool:
        if old is MISSING and new is MISSING:
            return False
        return is_unknown(new) or old != new


@dataclass(frozen=True)
class ReplaceWhenCleared(Policy):
    """Setting or changing the value is an update; removing it forces a new object."""

    reason: str = "the API cannot clear it"

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"removing it replaces the object ({self.reason})"

    def requires_replace(self, old: Any, new: Any) -> bool:
        return old not in (MISSING, None) and new in (MISSING, None)


@dataclass(frozen=True)
class RollsWorkers(Policy):
    """An in-place update that starts a rolling release (workers are replaced progressively)."""

    description: str = "changing it starts a rolling release: running workers are replaced"


@dataclass(frozen=True)
class Downtime(Policy):
    """An in-place update that stops the service while it is applied."""

    description: str = "changing it stops the service while the change is applied (downtime)"


@dataclass(frozen=True)
class WriteOnly(Policy):
    """Sent, never returned by the API: state keeps the input; refresh cannot see drift."""

    description: str = "write-only: the API does not return it, so refresh cannot detect drift"


@dataclass(frozen=True)
class ServerDefault(Policy):
    """Left unset, the server fills a value: stored as output, never diffed against the input."""

    description: str = "optional; when unset the server's value is kept as an output and not diffed"


@dataclass(frozen=True)
class Secret(Policy):
    """Encrypted in state and never logged."""

    description: str = "secret: encrypted in state"


@dataclass(frozen=True)
class Computed(Policy):
    """Output only: set by the server, never an input."""

    description: str = "output only"


@dataclass(frozen=True)
class Local(Policy):
    """A provider-side setting (e.g. ``adopt_id``, wait options): kept in state, never sent to the API."""

    description: str = "provider setting; not sent to the API"


@dataclass(frozen=True)
class Normalise(Policy):
    """Compare (and store) the value after ``fn``: e.g. lists that are sets, strings or lists."""

    fn: Callable[[Any], Any]
    description: str = "compared after normalisation"

    def __call__(self, value: Any) -> Any:
        if value is MISSING or value is None or is_unknown(value):
            return value
        return self.fn(value)


@dataclass(frozen=True)
class NewVersion(Policy):
    """Every change writes a new immutable version of the object (its identity stays)."""

    description: str = "changing it writes a new version of the object"


# -- normalisers used by several vendors ---------------------------------------------------------


def as_sorted_set(value: Any) -> list[Any]:
    """A comma string or a list, compared as a set: sorted, de-duplicated, blanks dropped."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return sorted({str(i).strip() for i in items if str(i).strip()})


def int_if_integral(value: Any) -> Any:
    """The engine sends every number as a float; give integral ones back as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: int_if_integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [int_if_integral(v) for v in value]
    return value
