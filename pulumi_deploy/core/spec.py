"""An object spec: the fields of one vendor object, read once from its Args and Outputs dataclasses.

From the annotations the spec derives everything generic:

* a pydantic validation model (``Input[T]`` stripped to ``T``) used by ``check``;
* the diff plan (which fields change, which force a replacement and why, which roll workers);
* wire <-> Python name mapping for request bodies and responses;
* the list of secret outputs.

No method here calls an API: check and diff run during preview.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pulumi import Output
from pydantic import BaseModel, ConfigDict

from .fields import (
    MISSING,
    Computed,
    Doc,
    Downtime,
    Local,
    NewVersion,
    Normalise,
    Policy,
    Replace,
    ReplaceWhenCleared,
    RollsWorkers,
    Secret,
    Wire,
    WriteOnly,
    int_if_integral,
    is_unknown,
)

INTERNAL_PREFIX = "_"
"""Keys starting with ``_`` are pulumi-deploy bookkeeping (never sent to an API)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    wire: str
    policies: tuple[Policy, ...]
    is_input: bool
    doc: str = ""

    def get(self, kind: type[Policy]) -> Policy | None:
        return next((p for p in self.policies if isinstance(p, kind)), None)

    def has(self, kind: type[Policy]) -> bool:
        return self.get(kind) is not None

    def normalise(self, value: Any) -> Any:
        value = int_if_integral(value)
        for p in self.policies:
            if isinstance(p, Normalise):
                value = p(value)
        return value


@dataclass
class Plan:
    """What a diff between old and new inputs means for one object."""

    changed: list[str] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    rolls: list[str] = field(default_factory=list)
    downtime: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)

    @property
    def replace_keys(self) -> list[str]:
        return [name for name, _ in self.replaces]


@dataclass
class CheckFailureInfo:
    property: str
    reason: str


class Rules:
    """Mixin for Args dataclasses: cross-field rules, run after every field validated.

    Override ``rules`` to yield ``(property, reason)`` pairs; ``unknown`` holds the fields whose
    values are not known yet (preview), which a rule must not judge.
    """

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        return ()


def _strip_input(tp: Any) -> Any:
    """``Input[T]`` (= T | Awaitable[T] | Output[T]) -> ``T``, recursively; nested Args -> models."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        return Annotated[(_strip_input(base), *meta)]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        members = [
            _strip_input(a)
            for a in get_args(tp)
            if not (get_origin(a) in (collections.abc.Awaitable, Output) or a is Output)
        ]
        members = list(dict.fromkeys(members))
        if len(members) == 1:
            return members[0]
        return Union[tuple(members)]  # noqa: UP007 -- built dynamically
    if origin in (list, collections.abc.Sequence):
        return list[_strip_input(get_args(tp)[0])]  # type: ignore[misc]
    if origin in (dict, collections.abc.Mapping):
        key, value = get_args(tp)
        return dict[key, _strip_input(value)]  # type: ignore[valid-type,misc]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return validation_model(tp)
    return tp


_models: dict[tuple[type, frozenset[str]], type[BaseModel]] = {}
# pulumi.Input is ``Union[T, Awaitable[T], "Output[T]"]``: its forward reference must resolve.
_HINT_NAMES = {"T": typing.TypeVar("T"), "Output": Output}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, localns=_HINT_NAMES, include_extras=True)


def validation_model(args_cls: type, omit: frozenset[str] = frozenset()) -> type[BaseModel]:
    """A strict pydantic model with the resolved types of an Args dataclass (cached).

    ``omit`` leaves fields out: during preview a value that is not known yet (``gateway_id=gw.id``
    on first create) is judged at apply time, and must not make a *required* field count as missing
    (which would fail validation and lose every known value with it).
    """
    key = (args_cls, omit)
    if key in _models:
        return _models[key]
    hints = _hints(args_cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(args_cls):
        if f.name in omit:
            continue
        tp = _strip_input(hints[f.name])
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = pydantic.Field(default_factory=f.default_factory)
        else:
            default = ...
        fields[f.name] = (tp, default)
    model = pydantic.create_model(  # type: ignore[call-overload]
        f"{args_cls.__name__}Validation",
        __config__=ConfigDict(extra="forbid", populate_by_name=True),
        **fields,
    )
    _models[key] = model
    return model


def _field_specs(cls: type, is_input: bool, wire_case: Callable[[str], str]) -> dict[str, FieldSpec]:
    hints = _hints(cls)
    specs: dict[str, FieldSpec] = {}
    for f in dataclasses.fields(cls):
        meta = get_args(hints[f.name])[1:] if get_origin(hints[f.name]) is Annotated else ()
        policies = tuple(m for m in meta if isinstance(m, Policy))
        wire = next((m.name for m in meta if isinstance(m, Wire)), wire_case(f.name))
        doc = next((m.text for m in meta if isinstance(m, Doc)), "")
        specs[f.name] = FieldSpec(
            f.name, wire, policies, is_input and not any(isinstance(p, Computed) for p in policies), doc
        )
    return specs


def snake_to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class ObjectSpec:
    """Fields and policies of one vendor object."""

    def __init__(
        self,
        *,
        vendor: str,
        kind: str,
        args: type,
        outputs: type | None = None,
        wire_case: Callable[[str], str] = lambda name: name,
        autoname: str | None = None,
    ) -> None:
        self.vendor, self.kind, self.args, self.autoname = vendor, kind, args, autoname
        self.fields = _field_specs(args, True, wire_case)
        if outputs is not None:
            for name, spec in _field_specs(outputs, False, wire_case).items():
                self.fields.setdefault(name, dataclasses.replace(spec, is_input=False))
        self.model = validation_model(args)  # built eagerly: a malformed Args class fails at import

    @property
    def label(self) -> str:
        return f"{self.vendor}:{self.kind}"

    def inputs(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if f.is_input]

    def outputs_only(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if not f.is_input]

    def secret_names(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.has(Secret)]

    # -- check --------------------------------------------------------------------------------

    def validate(self, news: dict[str, Any]) -> tuple[dict[str, Any], list[CheckFailureInfo]]:
        """Validate and normalise the user's inputs. Unknown values pass through unjudged."""
        user = {k: v for k, v in news.items() if not k.startswith(INTERNAL_PREFIX)}
        unknown = {k for k, v in user.items() if is_unknown(v)}
        known = {k: int_if_integral(v) for k, v in user.items() if k not in unknown}
        failures: list[CheckFailureInfo] = []
        values: dict[str, Any] = {}
        try:
            validated = validation_model(self.args, frozenset(unknown)).model_validate(known)
            values = validated.model_dump(mode="json", exclude_unset=True)
        except pydantic.ValidationError as exc:
            seen: set[str] = set()
            for err in exc.errors():
                loc = [str(p) for p in err["loc"]]
                top = loc[0] if loc else "(input)"
                if top in unknown or top in seen:  # unknowns are judged at apply time; one failure per property
                    continue
                seen.add(top)
                path = ".".join(loc) or top
                reason = err["msg"]
                if err["type"] == "extra_forbidden":
                    known = _known_keys(self.model, err["loc"][:-1]) or [f.name for f in self.inputs()]
                    reason = f"unknown property (known: {', '.join(known)})"
                elif "input" in err and err["type"] != "missing" and not _looks_secret(path, self):
                    reason = f"{reason} (got {err['input']!r})"
                failures.append(CheckFailureInfo(top, f"{path}: {reason}"))
        if failures:
            return news, failures
        values = {k: self.fields[k].normalise(v) for k, v in values.items() if v is not None}
        rules = getattr(self.args, "rules", None)
        if rules is not None:
            for prop, reason in rules(values, unknown):
                failures.append(CheckFailureInfo(prop, f"{prop}: {reason}"))
        result = dict(values)
        result.update({k: news[k] for k in unknown})
        result.update({k: v for k, v in news.items() if k.startswith(INTERNAL_PREFIX)})
        return result, failures

    # -- diff ---------------------------------------------------------------------------------

    def plan(self, old_inputs: dict[str, Any], new_inputs: dict[str, Any]) -> Plan:
        plan = Plan()
        for f in self.inputs():
            old = old_inputs.get(f.name, MISSING)
            new = new_inputs.get(f.name, MISSING)
            if old is MISSING and new is MISSING:
                continue
            if not is_unknown(new) and f.normalise(old) == f.normalise(new):
                continue
            plan.changed.append(f.name)
            for p in f.policies:
                if isinstance(p, Replace | ReplaceWhenCleared) and p.requires_replace(old, new):
                    plan.replaces.append((f.name, p.description))
            if f.has(RollsWorkers):
                plan.rolls.append(f.name)
            if f.has(Downtime):
                plan.downtime.append(f.name)
            if f.has(NewVersion):
                plan.new_version.append(f.name)
        return plan

    # -- wire mapping ---------------------------------------------------------------------------

    def to_wire(self, values: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
        """Request body for ``names`` (default: every input present in ``values``)."""
        selected = names if names is not None else [f.name for f in self.inputs() if f.name in values]
        return {
            self.fields[n].wire: int_if_integral(values[n])  # the engine turns every int into a float
            for n in selected
            if n in values and values[n] is not None and not self.fields[n].has(Local)
        }

    def from_wire(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Python-named, normalised values for every declared field present in a response."""
        out: dict[str, Any] = {}
        for f in self.fields.values():
            if f.has(WriteOnly) or f.has(Local) or f.wire not in obj or obj[f.wire] is None:
                continue
            out[f.name] = f.normalise(obj[f.wire])
        return out


def _known_keys(model: type[BaseModel], parents: tuple[int | str, ...]) -> list[str]:
    """The keys allowed where an unknown one was found: the nested model's fields at ``parents``."""
    for part in parents:
        if isinstance(part, int):
            continue  # a list index: the element's model is found from the field's annotation
        info = model.model_fields.get(part)
        nested = _nested_model(info.annotation) if info is not None else None
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _nested_model(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in get_args(tp):  # Optional[...], list[...], dict[str, ...], Annotated[...]
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _looks_secret(path: str, spec: ObjectSpec) -> bool:
    top = path.split(".")[0]
    f = spec.fields.get(top)
    return f is not None and f.has(Secret)
