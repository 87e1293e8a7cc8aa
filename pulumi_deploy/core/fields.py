"""Field policies: every quirk of a vendor object declared next to the field it concerns.

A resource's Args dataclass annotates each field once::

    workers_max: Annotated[Input[int] | None, Field(ge=0), Doc("...")] = None
    template_id: Annotated[Input[str], RollsWorkers()]
    gateway_id: Annotated[Input[str], In("path"), Replace(reason="an upstream belongs to one gateway")]

``Field`` (pydantic) carries the validation constraints; the policy objects below carry behaviour —
terraform-plugin-framework's plan modifiers in miniature. Each policy owns what it decides through
the hooks of :class:`Policy` (does a change replace the object, what does the preview say, is the
field sent on update, what clears it, how it is spelled on the wire) and the sentence the reference
docs show for it (``description``). The engine (``spec.py``, ``request.py``) only asks the hooks; it
never switches on a policy's type, so a new policy is one class here.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pulumi import Output
from pulumi.output import Unknown

from .config import Setting, connection_pending, lookup

# pulumi.Input is ``Union[T, Awaitable[T], "Output[T]"]``: its forward reference must resolve.
_HINT_NAMES = {"T": typing.TypeVar("T"), "Output": Output}


def declared_hints(cls: type) -> dict[str, Any]:
    """The annotations of ``cls`` and its bases, evaluated, with their ``Annotated`` policies kept."""
    return typing.get_type_hints(cls, localns=_HINT_NAMES, include_extras=True)


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


def is_unset(value: Any) -> bool:
    return value is MISSING or value is None


@dataclass(frozen=True)
class Doc:
    """User-facing description of a field (shown by ``help()`` of the Args class)."""

    text: str


@dataclass(frozen=True)
class Wire:
    """The field's key on the wire, when it differs from the spec's naming rule.

    ``response`` names the key the server answers with when it spells the field differently from the
    request (requests are always built from the inputs, never from a response)."""

    name: str | None = None
    response: str | None = None


class Policy:
    """Base of all field policies: the hooks the engine asks, each with a neutral default."""

    #: The sentence the reference docs show for a field carrying this policy ("" shows nothing).
    description: str = ""

    def requires_replace(self, old: Any, new: Any) -> bool:
        """Does this change (old -> new, either may be ``MISSING``) force a new object?"""
        return False

    def preview_note(self, names: Sequence[str]) -> str | None:
        """One preview line for the changed fields ``names`` carrying this policy (in-place updates only)."""
        return None

    @property
    def sent_on_update(self) -> bool:
        """False: the field is sent when the object is created, never in an update."""
        return True

    @property
    def sent(self) -> bool:
        """False: the field never reaches the API (a provider setting)."""
        return True

    @property
    def returned(self) -> bool:
        """False: the API never returns the field (state keeps the input; refresh cannot see drift)."""
        return True

    @property
    def input(self) -> bool:
        """False: the field is an output only."""
        return True

    @property
    def secret(self) -> bool:
        """True: the value is encrypted in state and never shown (previews, check failures, logs)."""
        return False

    @property
    def live_owned(self) -> bool:
        """False: a live value absent from a complete response does not mean "removed out of band"."""
        return True

    def cleared_by(self) -> Any:
        """What an update sends when the user removes the field (``MISSING``: nothing)."""
        return MISSING

    def unset_on_wire(self) -> Any:
        """How the wire spells "unset" (``MISSING``: by leaving the key out)."""
        return MISSING

    def encode(self, value: Any) -> Any:
        """The value as the request carries it."""
        return value

    def normalise(self, value: Any) -> Any:
        """The value as it is compared and stored."""
        return value

    def default(self) -> Any:
        """The value that applies while the field is unset (``MISSING``: none known)."""
        return MISSING

    def filled_when_unset(self) -> Any:
        """The value ``check`` records as the input when the user left the field unset (``MISSING``:
        none), so that a changed default previews like a changed input."""
        return MISSING

    def means_unset(self, value: Any) -> bool:
        """True: ``value`` is another spelling of "unset" (``check`` drops it)."""
        return False

    def unavailable(self) -> str | None:
        """Why the field cannot be set under the current provider settings (None: it can)."""
        return None


Place = Literal["body", "path", "query", "header"]


@dataclass(frozen=True)
class In(Policy):
    """Where the request carries the field: the JSON body (the default), the path, the query or a header."""

    place: Place
    #: For a header: its name (default: the field's wire name).
    header: str | None = None

    @property
    def description(self) -> str:  # type: ignore[override]
        return "" if self.place == "body" else f"sent in the request {self.place}"


@dataclass(frozen=True)
class Replace(Policy):
    """A change forces a new object: the API cannot change it in place (never sent in an update)."""

    reason: str = "the API cannot change it after creation"

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"changing it replaces the object ({self.reason})"

    def requires_replace(self, old: Any, new: Any) -> bool:
        if old is MISSING and new is MISSING:
            return False
        return is_unknown(new) or old != new

    @property
    def sent_on_update(self) -> bool:
        return False

    @property
    def live_owned(self) -> bool:
        return False  # identity fields absent from a body are usually path parameters


@dataclass(frozen=True)
class CreateOnly(Policy):
    """Sent when the object is created; the update call does not accept it (a change is not applied)."""

    description: str = "set at creation only: the update call does not accept it"

    @property
    def sent_on_update(self) -> bool:
        return False


@dataclass(frozen=True)
class ReplaceWhenCleared(Policy):
    """Setting or changing the value is an update; removing it forces a new object."""

    reason: str = "the API cannot clear it"

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"removing it replaces the object ({self.reason})"

    def requires_replace(self, old: Any, new: Any) -> bool:
        return not is_unset(old) and is_unset(new)


@dataclass(frozen=True)
class ClearWith(Policy):
    """Removing the field sends ``value`` (the API keeps a field an update leaves out)."""

    value: Any

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"removing it sends {'null' if self.value is None else repr(self.value)} to clear it"

    def cleared_by(self) -> Any:
        return self.value


@dataclass(frozen=True)
class UnsetOnWire(Policy):
    """The wire spells "unset" as ``value``: sent when the field is unset, read back as unset."""

    value: Any

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"unset is sent as {self.value!r}"

    def unset_on_wire(self) -> Any:
        return self.value


@dataclass(frozen=True)
class Default(Policy):
    """The value that applies while the field is unset (a provider setting's default)."""

    value: Any

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"default: {self.value!r}"

    def default(self) -> Any:
        return self.value


@dataclass(frozen=True)
class FromSetting(Policy):
    """Left unset, the field takes a provider setting's value (the resource's connection, stack config,
    environment, then the setting's default), recorded at check as the input."""

    setting: Setting

    @property
    def description(self) -> str:  # type: ignore[override]
        then = f", then {self.setting.default!r}" if self.setting.default else ""
        return f"default: `{self.setting.config_key}` / ${self.setting.env}{then}"

    def filled_when_unset(self) -> Any:
        if connection_pending():
            return Unknown()  # the connection, known only at apply, may set it
        return lookup(self.setting) or MISSING


@dataclass(frozen=True)
class UnsetWhen(Policy):
    """``value`` is how the API spells "unset" in a request: an input equal to it counts as unset."""

    value: Any
    reason: str = ""

    @property
    def description(self) -> str:  # type: ignore[override]
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.value!r} means the same as leaving it unset{why}"

    def means_unset(self, value: Any) -> bool:
        return bool(value == self.value)


@dataclass(frozen=True)
class RollsWorkers(Policy):
    """An in-place update that starts a rolling release (workers are replaced progressively)."""

    description: str = "changing it starts a rolling release: running workers are replaced"

    def preview_note(self, names: Sequence[str]) -> str:
        return f"rolling release — changing {', '.join(names)} replaces running workers"


@dataclass(frozen=True)
class Downtime(Policy):
    """An in-place update that stops the service while it is applied."""

    description: str = "changing it stops the service while the change is applied (downtime)"

    def preview_note(self, names: Sequence[str]) -> str:
        return f"downtime — applying {', '.join(names)} stops the service meanwhile"


@dataclass(frozen=True)
class NewVersion(Policy):
    """Every change writes a new immutable version of the object (its identity stays)."""

    description: str = "changing it writes a new version of the object"

    def preview_note(self, names: Sequence[str]) -> str:
        return f"new version — {', '.join(names)} changed"


@dataclass(frozen=True)
class KeptWhenRemoved(Policy):
    """The API cannot clear the field: removed from the program, nothing is sent and the object keeps the
    value last applied. A removal is then said as that, not as what sending a change would do.

    Core applies it by itself (``because=KEPT_BY_SPARSE_UPDATE``) to every field an update that sends only
    the changes would leave out when removed (no ``ClearWith``): the preview says what happens."""

    description: str = "the API cannot clear it: removed from the program, the last applied value stays"
    because: str = "the API cannot clear it"

    def preview_note(self, names: Sequence[str]) -> str:
        return f"{', '.join(names)} no longer set: the last applied value stays ({self.because}; nothing is sent)"


#: Why a removed field without a clearing value keeps its value under an update that sends only changes.
KEPT_BY_SPARSE_UPDATE = "an update sends only what is set; set another value to change it"


@dataclass(frozen=True)
class WriteOnly(Policy):
    """Sent, never returned by the API: state keeps the input; refresh cannot see drift."""

    description: str = "write-only: the API does not return it, so refresh cannot detect drift"

    @property
    def returned(self) -> bool:
        return False

    @property
    def live_owned(self) -> bool:
        return False


@dataclass(frozen=True)
class ServerDefault(Policy):
    """Left unset, the server fills a value: stored as output, never diffed against the input.

    ``value`` is what the server stores when the field is omitted; when known, removing the field
    sends it back (an update that leaves a field out keeps its old value). ``pinnable``: setting the
    field later to exactly the value the server chose is no change (the provider's ``old_inputs``) --
    for a value whose every change has a cost, such as a version a new deployment version is written for.
    Implied for a field whose change replaces the object (``FieldSpec.pinnable``).
    """

    value: Any = MISSING
    pinnable: bool = False

    @property
    def description(self) -> str:  # type: ignore[override]
        default = "" if self.value is MISSING else f" ({self.value!r}; removing it restores that)"
        pinning = " (setting it later to exactly that value is no change)" if self.pinnable else ""
        return f"optional; when unset the server's value{default} is kept as an output and not diffed{pinning}"

    @property
    def live_owned(self) -> bool:
        return False

    def cleared_by(self) -> Any:
        return self.value


@dataclass(frozen=True)
class Secret(Policy):
    """Encrypted in state and never logged.

    ``values=`` makes only the values secret, so that a preview names the entry that changed: for a
    mapping each value (``values="*"``), for a list of objects each object's ``values`` key, and the
    preview names the entries (by their ``keys`` key) whose value changed. The whole field is still a
    secret output and encrypted in state.
    """

    values: str | None = None
    #: For a list of objects: the key that names an entry (the preview names the entries that changed).
    keys: str | None = None
    #: For an object: the keys whose values are secret, the rest showing in previews (``"key.*"``: each
    #: value of the mapping at ``key``, its keys showing).
    within: tuple[str, ...] = ()
    description: str = "secret: encrypted in state, masked in previews"

    def __post_init__(self) -> None:
        if self.description != Secret.description:
            return
        if self.values is not None:
            object.__setattr__(self, "description", "values are secret (the keys show in previews); encrypted in state")
        elif self.within:
            parts = " and ".join(f"`{p.removesuffix('.*')}`" for p in self.within)
            object.__setattr__(self, "description", f"the values of {parts} are secret; encrypted in state")

    @property
    def secret(self) -> bool:
        return True

    def changed_entries(self, old: Any, new: Any) -> list[str]:
        """What changed between two values of a keyed list, by entry name: ``["A added", "B removed",
        "C changed"]`` (names only: the values are the secret)."""
        if not self.keys:
            return []

        def entries(value: Any) -> dict[str, Any]:
            items = value if isinstance(value, list) else []
            return {str(e.get(self.keys)): e.get(self.values or "") for e in items if isinstance(e, dict)}

        before, after = entries(old), entries(new)
        changes = []
        for k in sorted(before.keys() | after.keys()):
            if k not in before:
                changes.append(f"{k} added")
            elif k not in after:
                changes.append(f"{k} removed")
            elif before[k] != after[k]:
                changes.append(f"{k} changed")
        return changes

    def protect(self, value: Any, secret: Callable[[Any], Any]) -> Any:
        """``value`` with its secret parts wrapped by ``secret`` (the whole value unless ``values`` or
        ``within`` says)."""
        if self.within and isinstance(value, dict):
            out = dict(value)
            for part in self.within:
                key, _, each = part.partition(".")
                inner = out.get(key)
                if inner is None:
                    continue
                out[key] = (
                    {k: secret(v) for k, v in inner.items()} if each and isinstance(inner, dict) else secret(inner)
                )
            return out
        if self.values == "*" and isinstance(value, dict):
            return {k: secret(v) for k, v in value.items()}
        if self.values and isinstance(value, list) and all(isinstance(e, dict) for e in value):
            return [{k: secret(v) if k == self.values else v for k, v in e.items()} for e in value]
        return secret(value)


@dataclass(frozen=True)
class Computed(Policy):
    """Output only: set by the server, never an input."""

    description: str = "output only"

    @property
    def input(self) -> bool:
        return False

    @property
    def live_owned(self) -> bool:
        return False


@dataclass(frozen=True)
class Local(Policy):
    """A provider-side setting (e.g. ``adopt_id``, wait options): kept in state, never sent to the API."""

    description: str = "provider setting; not sent to the API"

    @property
    def sent(self) -> bool:
        return False

    @property
    def live_owned(self) -> bool:
        return False


@dataclass(frozen=True)
class Normalise(Policy):
    """Compare (and store) the value after ``fn``: e.g. lists that are sets, strings or lists."""

    fn: Callable[[Any], Any]
    description: str = ""

    def normalise(self, value: Any) -> Any:
        if is_unset(value) or is_unknown(value):
            return value
        return self.fn(value)

    __call__ = normalise


@dataclass(frozen=True)
class Encode(Policy):
    """The request carries ``fn(value)`` (the vendor's own spelling of a value)."""

    fn: Callable[[Any], Any]
    description: str = ""

    def encode(self, value: Any) -> Any:
        return self.fn(value)


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
