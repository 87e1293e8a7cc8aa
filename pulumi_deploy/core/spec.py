"""An object spec: the fields of one vendor object, read once from its Args and Outputs dataclasses.

From the annotations the spec derives everything generic:

* a pydantic validation model (``Input[T]`` stripped to ``T``) used by ``check``;
* the diff plan (which fields change, which force a replacement and why, what the preview notes);
* wire <-> Python name mapping for request bodies and responses (``request.py`` builds the calls);
* the list of secret outputs and the reference docs of the Args class (``help()``).

No method here calls an API: check and diff run during preview.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pulumi import Output
from pydantic import BaseModel, ConfigDict

from .fields import (
    KEPT_BY_SPARSE_UPDATE,
    MISSING,
    Doc,
    Downtime,
    In,
    KeptWhenRemoved,
    NewVersion,
    Place,
    Policy,
    Replace,
    Secret,
    ServerDefault,
    Wire,
    declared_hints,
    int_if_integral,
    is_unknown,
)
from .withheld import strings_in

INTERNAL_PREFIX = "_"
"""Keys starting with ``_`` are pulumi-deploy bookkeeping (never sent to an API)."""


@dataclass(frozen=True)
class FieldSpec:
    """One declared field: its names, its policies and what they decide together."""

    name: str
    wire: str
    policies: tuple[Policy, ...]
    is_input: bool
    doc: str = ""
    #: The key the server answers with (``wire`` unless the response spells it differently).
    wire_response: str = ""

    def get(self, kind: type[Policy]) -> Policy | None:
        return next((p for p in self.policies if isinstance(p, kind)), None)

    def has(self, kind: type[Policy]) -> bool:
        return self.get(kind) is not None

    @property
    def pinnable(self) -> bool:
        """Left to the server, then set to exactly the value the server chose: no change (the provider's
        ``old_inputs``). Declared (``ServerDefault(pinnable=True)``), and implied where a change replaces the
        object: writing down the value an object already has must never delete and recreate it."""
        server_default = self.get(ServerDefault)
        return isinstance(server_default, ServerDefault) and (server_default.pinnable or self.has(Replace))

    @property
    def place(self) -> Place:
        found = self.get(In)
        return found.place if isinstance(found, In) else "body"

    @property
    def secret(self) -> bool:
        return any(p.secret for p in self.policies)

    @property
    def sent(self) -> bool:
        return self.is_input and all(p.sent for p in self.policies)

    @property
    def sent_on_update(self) -> bool:
        return self.sent and all(p.sent_on_update for p in self.policies)

    @property
    def returned(self) -> bool:
        return all(p.returned for p in self.policies)

    @property
    def live_owned(self) -> bool:
        """An input whose live value is the user's business (a complete response's absence is a removal)."""
        return self.is_input and all(p.live_owned for p in self.policies)

    def protect(self, value: Any, secret: Callable[[Any], Any]) -> Any:
        """``value`` with the parts its ``Secret`` policy names passed through ``secret`` (all of it when the
        policy names no parts, or when another policy makes the field secret)."""
        policy = self.get(Secret)
        return policy.protect(value, secret) if isinstance(policy, Secret) else secret(value)

    def first(self, hook: Callable[[Policy], Any]) -> Any:
        """The first policy answer that is not ``MISSING`` (``MISSING`` when none answers)."""
        return next((v for v in map(hook, self.policies) if v is not MISSING), MISSING)

    def cleared_by(self) -> Any:
        return self.first(lambda p: p.cleared_by())

    def unset_on_wire(self) -> Any:
        return self.first(lambda p: p.unset_on_wire())

    def default(self) -> Any:
        return self.first(lambda p: p.default())

    def filled_when_unset(self) -> Any:
        return self.first(lambda p: p.filled_when_unset())

    def means_unset(self, value: Any) -> bool:
        return any(p.means_unset(value) for p in self.policies)

    def unavailable(self) -> str | None:
        return next((why for p in self.policies if (why := p.unavailable())), None)

    def encode(self, value: Any) -> Any:
        value = int_if_integral(value)  # the engine turns every int into a float
        for p in self.policies:
            value = p.encode(value)
        return value

    def normalise(self, value: Any) -> Any:
        value = int_if_integral(value)
        for p in self.policies:
            value = p.normalise(value)
        return value

    def reference(self) -> str:
        """The field's reference-doc line: its own text, then what its policies mean."""
        sentences = [self.doc.rstrip(".")] if self.doc else []
        sentences += [p.description for p in self.policies if p.description]
        text = "; ".join(sentences)
        return f"{self.name}: {text}." if text else self.name


@dataclass
class Plan:
    """What a diff between old and new inputs means for one object."""

    changed: list[str] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    #: Changed fields grouped by the first policy (per policy type) that has a preview note for them.
    noted: dict[type[Policy], tuple[Policy, list[str]]] = field(default_factory=dict)

    @property
    def replace_keys(self) -> list[str]:
        return [name for name, _ in self.replaces]

    def notes(self) -> list[str]:
        """The preview lines of an in-place update (none when the object is replaced)."""
        if self.replaces:
            return []
        lines = (policy.preview_note(names) for policy, names in self.noted.values())
        return [line for line in lines if line]

    def sent_after_all(self, name: str) -> bool:
        """The removal of ``name``, said as kept (``KeptWhenRemoved``), is sent by the vendor's update after
        all: it is no longer said as kept (the caller says what it does). Whether it was said so."""
        kept = self.noted.get(KeptWhenRemoved, (None, []))[1]
        if name not in kept:
            return False
        kept.remove(name)
        self.noted = {k: v for k, v in self.noted.items() if v[1]}
        return True

    def fields_with(self, kind: type[Policy]) -> list[str]:
        return list(self.noted[kind][1]) if kind in self.noted else []

    @property
    def new_version(self) -> list[str]:
        return self.fields_with(NewVersion)

    @property
    def downtime(self) -> list[str]:
        return self.fields_with(Downtime)


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

    @classmethod
    def raw_rules(cls, raw: dict[str, Any]) -> Iterable[tuple[str, str]]:
        """Rules judged on the unvalidated inputs, where a block may be known to be set although its
        contents are not known yet (preview); run after validation, also when it failed."""
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


def _with_nested_defaults(given: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """``given`` (the values set, top level), whose nested objects also carry the values their Args
    classes default to (``full``: every field) — none that defaults to None, which says nothing."""

    def nested(set_: Any, all_: Any) -> Any:
        if isinstance(set_, dict) and isinstance(all_, dict):
            merged = {k: nested(v, all_.get(k)) for k, v in set_.items()}
            return {**{k: v for k, v in all_.items() if k not in set_ and v is not None}, **merged}
        if isinstance(set_, list) and isinstance(all_, list) and len(set_) == len(all_):
            return [nested(a, b) for a, b in zip(set_, all_, strict=True)]
        return set_

    return {k: nested(v, full.get(k)) for k, v in given.items()}


def validation_model(args_cls: type, omit: frozenset[str] = frozenset()) -> type[BaseModel]:
    """A strict pydantic model with the resolved types of an Args dataclass (cached).

    ``omit`` leaves fields out: during preview a value that is not known yet (``gateway_id=gw.id``
    on first create) is judged at apply time, and must not make a *required* field count as missing
    (which would fail validation and lose every known value with it).
    """
    key = (args_cls, omit)
    if key in _models:
        return _models[key]
    hints = declared_hints(args_cls)
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
        # strict: no coercion the user did not ask for (``workers_max="5"`` is an error, not 5)
        __config__=ConfigDict(extra="forbid", populate_by_name=True, strict=True),
        **fields,
    )
    _models[key] = model
    return model


def _field_specs(cls: type, is_input: bool, wire_case: Callable[[str], str]) -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for name, meta in _annotations(cls).items():
        policies = tuple(m for m in meta if isinstance(m, Policy))
        names = next((m for m in meta if isinstance(m, Wire)), Wire())
        wire = names.name or wire_case(name)
        doc = next((m.text for m in meta if isinstance(m, Doc)), "")
        specs[name] = FieldSpec(
            name, wire, policies, is_input and all(p.input for p in policies), doc, names.response or wire
        )
    return specs


def _annotations(cls: type) -> dict[str, tuple[Any, ...]]:
    """Each dataclass field's ``Annotated`` metadata (empty when plainly typed)."""
    hints = declared_hints(cls)
    return {
        f.name: tuple(get_args(hints[f.name])[1:]) if get_origin(hints[f.name]) is Annotated else ()
        for f in dataclasses.fields(cls)
    }


def document(cls: type) -> None:
    """Give an Args dataclass (and the nested ones it uses) its reference text as ``__doc__``: one line
    per field, from its ``Doc`` and its policies' descriptions, so ``help()`` shows readable docs."""
    if getattr(cls, _DOCUMENTED, False):
        return
    summary = (cls.__doc__ or "").strip()
    if summary.startswith(f"{cls.__name__}("):  # the signature dataclasses puts there when there is no docstring
        summary = ""
    specs = _field_specs(cls, True, lambda name: name)
    lines = [summary, "", "Fields:"] if summary else ["Fields:"]
    lines += [f"    {spec.reference()}" for spec in specs.values()]
    cls.__doc__ = "\n".join(lines)
    setattr(cls, _DOCUMENTED, True)
    for tp in declared_hints(cls).values():
        for nested in _nested_dataclasses(tp):
            document(nested)


_DOCUMENTED = "__pulumi_deploy_documented__"


def _nested_dataclasses(tp: Any) -> Iterable[type]:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        yield tp
    for arg in get_args(tp):
        yield from _nested_dataclasses(arg)


#: The union-member tags pydantic inserts for a plain type (``flashboot.bool`` of ``bool | Literal[...]``).
_SCALAR_TAGS = frozenset({"bool", "str", "int", "float", "none"})


def readable_loc(loc: tuple[int | str, ...]) -> list[str]:
    """The path of a validation error in the user's terms: field names and list indexes, without the
    union-member tags pydantic inserts (``list[literal[...]]``, ``function-after[...]``, ``bool``)."""
    return [str(p) for p in loc if isinstance(p, int) or not (any(c in p for c in "[(") or p in _SCALAR_TAGS)]


def _choices_first(errors: list[Any]) -> list[Any]:
    """A union's errors with its list of allowed values first: for ``bool | Literal[...]`` that says more
    than "should be a valid boolean" (the one failure per property reported is the first)."""

    def top(err: Any) -> str:
        loc = readable_loc(err["loc"])
        return loc[0] if loc else ""

    first: dict[str, int] = {}
    for i, err in enumerate(errors):
        first.setdefault(top(err), i)
    return sorted(errors, key=lambda err: (first[top(err)], err.get("type") != "literal_error"))


#: Past this many allowed values, a "should be one of" message names a few and counts the rest.
MAX_LISTED_CHOICES = 8


def readable_message(err: Any) -> str:
    """pydantic's message, with a long list of allowed values shortened."""
    expected = (err.get("ctx") or {}).get("expected")
    if err.get("type") == "literal_error" and isinstance(expected, str):
        choices = expected.replace(" or ", ", ").split(", ")
        if len(choices) > MAX_LISTED_CHOICES:
            shown = ", ".join(choices[:MAX_LISTED_CHOICES])
            return f"Input should be one of {len(choices)} known values ({shown}, ...)"
    return str(err["msg"])


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
        self.vendor, self.kind, self.args, self.outputs, self.autoname = vendor, kind, args, outputs, autoname
        self.fields = _field_specs(args, True, wire_case)
        if outputs is not None:
            for name, spec in _field_specs(outputs, False, wire_case).items():
                self.fields.setdefault(name, dataclasses.replace(spec, is_input=False))
        self.model = validation_model(args)  # built eagerly: a malformed Args class fails at import
        document(args)

    @property
    def label(self) -> str:
        return f"{self.vendor}:{self.kind}"

    def inputs(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if f.is_input]

    def outputs_only(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if not f.is_input]

    def value_of(self, values: dict[str, Any], name: str) -> Any:
        """The field's value in ``values``, or the default its policies declare while it is unset."""
        value = values.get(name)
        if value is None:
            default = self.fields[name].default()
            return None if default is MISSING else default
        return value

    def secret_names(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.secret]

    def secret_strings(self, props: collections.abc.Mapping[str, Any]) -> set[str]:
        """The secret strings of ``props``: each secret field's value, or the parts its ``Secret`` names."""
        found: set[str] = set()

        def keep(value: Any) -> Any:
            found.update(strings_in(value))
            return value

        for f in self.fields.values():
            if f.secret and props.get(f.name) is not None:
                f.protect(props[f.name], keep)
        return found

    # -- check --------------------------------------------------------------------------------

    def validate(self, news: dict[str, Any]) -> tuple[dict[str, Any], list[CheckFailureInfo]]:
        """Validate and normalise the user's inputs. Unknown values pass through unjudged."""
        user = {k: v for k, v in news.items() if not k.startswith(INTERNAL_PREFIX)}
        for f in self.inputs():  # defaults taken from provider settings become the user's inputs
            if user.get(f.name) is None and (filled := f.filled_when_unset()) is not MISSING:
                user[f.name] = filled
        unknown = {k for k, v in user.items() if is_unknown(v)}
        known = {k: int_if_integral(v) for k, v in user.items() if k not in unknown}
        failures: list[CheckFailureInfo] = []
        values: dict[str, Any] = {}
        try:
            validated = validation_model(self.args, frozenset(unknown)).model_validate(known)
            # What the user set, each with the defaults its nested objects declare: a nested object
            # written as a dict then means what the same object written as its Args class means.
            values = _with_nested_defaults(
                validated.model_dump(mode="json", exclude_unset=True), validated.model_dump(mode="json")
            )
        except pydantic.ValidationError as exc:
            seen: set[str] = set()
            for err in _choices_first(exc.errors()):
                loc = readable_loc(err["loc"])
                top = loc[0] if loc else "(input)"
                if top in unknown or top in seen:  # unknowns are judged at apply time; one failure per property
                    continue
                seen.add(top)
                path = ".".join(loc) or top
                reason = readable_message(err)
                if err["type"] == "extra_forbidden":
                    allowed = _known_keys(self.model, err["loc"][:-1]) or [f.name for f in self.inputs()]
                    reason = f"unknown property (known: {', '.join(allowed)})"
                elif "input" in err and err["type"] != "missing" and not _looks_secret(path, self):
                    reason = f"{reason} (got {err['input']!r})"
                failures.append(CheckFailureInfo(top, f"{path}: {reason}"))
        raw_rules = getattr(self.args, "raw_rules", None)
        if raw_rules is not None:
            judged = {f.property for f in failures}
            failures += [CheckFailureInfo(p, f"{p}: {r}") for p, r in raw_rules(user) if p not in judged]
        if failures:
            return news, failures
        values = {k: self.fields[k].normalise(v) for k, v in values.items() if v is not None}
        values = {k: v for k, v in values.items() if not self.fields[k].means_unset(v)}
        for name in sorted(set(values) | unknown):
            if name in self.fields and (why := self.fields[name].unavailable()):
                failures.append(CheckFailureInfo(name, f"{name}: {why}"))
        rules = getattr(self.args, "rules", None)
        if rules is not None:
            for prop, reason in rules(values, unknown):
                failures.append(CheckFailureInfo(prop, f"{prop}: {reason}"))
        result = dict(values)
        result.update({k: user[k] for k in unknown})
        result.update({k: v for k, v in news.items() if k.startswith(INTERNAL_PREFIX)})
        return result, failures

    # -- diff ---------------------------------------------------------------------------------

    def plan(self, old_inputs: dict[str, Any], new_inputs: dict[str, Any], *, sparse: bool = False) -> Plan:
        """The plan from old to new inputs; ``sparse``: an update sends only the changed fields, so one
        removed without a clearing value keeps its value (said as ``KeptWhenRemoved``)."""
        plan = Plan()
        for f in self.inputs():
            old = old_inputs.get(f.name, MISSING)
            new = new_inputs.get(f.name, MISSING)
            if old is MISSING and new is MISSING:
                continue
            if not is_unknown(new) and f.normalise(old) == f.normalise(new):
                continue
            plan.changed.append(f.name)
            policies = list(f.policies)
            if sparse and f.sent_on_update and f.cleared_by() is MISSING and not f.has(KeptWhenRemoved):
                policies.append(KeptWhenRemoved(because=KEPT_BY_SPARSE_UPDATE))
            kept = new is MISSING and any(isinstance(p, KeptWhenRemoved) for p in policies)
            for p in policies:
                if p.requires_replace(old, new):
                    plan.replaces.append((f.name, p.description))
                if kept != isinstance(p, KeptWhenRemoved):
                    continue  # a removal that sends nothing is said as only that; a change never as one
                if type(p) not in plan.noted and p.preview_note([f.name]) is not None:
                    plan.noted[type(p)] = (p, [])
                if type(p) in plan.noted:
                    plan.noted[type(p)][1].append(f.name)
        return plan

    # -- wire mapping ---------------------------------------------------------------------------

    def to_wire(self, values: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
        """Body keys for ``names`` (default: every body field present in ``values``), encoded."""
        selected = names if names is not None else [f.name for f in self.inputs() if f.name in values]
        return {
            self.fields[n].wire: self.fields[n].encode(values[n])
            for n in selected
            if n in values and values[n] is not None and self.fields[n].sent
        }

    def from_wire(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Python-named, normalised values for every declared field present in a response."""
        out: dict[str, Any] = {}
        for f in self.fields.values():
            local = f.is_input and not f.sent  # a provider setting: never read from a response
            value = obj.get(f.wire_response) if f.returned and not local else None
            if value is None or value == f.unset_on_wire():
                continue
            out[f.name] = f.normalise(value)
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
    return f is not None and f.secret
