"""Base classes for the typed resources users write: ``Args`` dataclass in, typed outputs out."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource
from pulumi.runtime import is_dry_run

from . import bookkeeping
from .connection import CONNECTION_KEY, Connection, connection_input
from .fields import Doc, Local, Replace
from .provider import PLAN_NOTES, SpecProvider
from .spec import FieldSpec, Rules


@dataclasses.dataclass(kw_only=True)
class ResourceArgs(Rules):
    """Base of every resource's Args: cross-field ``rules`` (see :class:`Rules`), no fields of its own."""


@dataclasses.dataclass(kw_only=True)
class AdoptableArgs(ResourceArgs):
    """Args of an object that can be taken over by id (opt in by deriving from this class)."""

    adopt_id: Annotated[
        Input[str] | None,
        Local(),
        Replace(reason="it names the object this resource manages"),
        Doc(
            "Take over an existing object with this id instead of creating one (Pulumi's import does not "
            "work for dynamic resources). The object is updated to match the other inputs and deleted on destroy."
        ),
    ] = None


def to_props(value: Any) -> Any:
    """Args dataclasses (nested too) -> plain dicts without None values, Outputs left in place."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_props(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, list | tuple):
        return [to_props(v) for v in value]
    if isinstance(value, dict):
        return {k: to_props(v) for k, v in value.items()}
    return value


class SpecResource(Resource):
    """A dynamic resource whose props come from an Args dataclass and the provider's spec.

    Every declared field, set or not, becomes an output attribute (so server-filled values are
    readable); secret fields are wrapped with ``Output.secret`` on the way in and listed in
    ``additional_secret_outputs`` on the way out.

    A subclass sets ``provider_cls`` and annotates one ``Output[...]`` attribute per field of its Args
    and Outputs (for type checkers and editors). The two lists are compared when the class is defined:
    a field without its attribute, or an attribute without its field, fails at import. Fields of the
    core's own Args bases (``adopt_id``) are exempt.
    """

    provider_cls: ClassVar[type[SpecProvider]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "provider_cls" in cls.__dict__:
            undeclared, unknown = output_attribute_mismatch(cls)
            if undeclared or unknown:
                raise TypeError(
                    f"{cls.__name__}: output attributes disagree with {cls.provider_cls.spec.args.__name__} + "
                    f"outputs (missing: {', '.join(undeclared) or '-'}; no such field: {', '.join(unknown) or '-'})"
                )

    def __init__(
        self,
        resource_name: str,
        args: ResourceArgs,
        opts: ResourceOptions | None = None,
        *,
        connection: Connection | Output[Connection] | None = None,
    ) -> None:
        """``connection``: the account/server this resource uses instead of the stack's config (the
        vendor's ``Connection``, or an ``Output`` of one); kept as a secret."""
        spec = self.provider_cls.spec
        if not isinstance(args, spec.args):
            raise TypeError(f"{type(self).__name__} takes {spec.args.__name__}, got {type(args).__name__}")
        if opts is not None and opts.import_:
            raise ValueError(import_refusal(type(self), spec.args, opts.import_))
        secrets = spec.secret_names()
        props: dict[str, Any] = {name: None for name in spec.fields}
        for name, value in to_props(args).items():
            props[name] = _protected(spec.fields[name], value) if name in secrets else value
        props[bookkeeping.ENVELOPE] = bookkeeping.envelope(bookkeeping.Bookkeeping(logical_name=resource_name))
        if is_dry_run():  # asks check for the plan's notes as a property the preview's diff prints
            props[PLAN_NOTES] = True
        if connection is not None:
            props[CONNECTION_KEY] = connection_input(spec.vendor, connection)
            secrets = [*secrets, CONNECTION_KEY]
        if secrets:
            extra = ResourceOptions(additional_secret_outputs=secrets)
            opts = ResourceOptions.merge(opts, extra) if opts else extra
        super().__init__(self.provider_cls(), resource_name, props, opts)


def import_refusal(cls: type, args: type, object_id: str) -> str:
    """Why ``ResourceOptions(import_=...)`` is refused, and what takes the object over instead.

    The engine's read of an import carries none of the props a dynamic provider is loaded from, so it
    would fail inside the Pulumi SDK with a bare ``KeyError: '__provider'``; refusing here says why.
    """
    why = f"{cls.__name__}: Pulumi's `import_` option does not work for dynamic resources (pulumi/pulumi#16175)"
    if issubclass(args, AdoptableArgs):
        return f"{why}; to take over `{object_id}`, pass `adopt_id={object_id!r}` in {args.__name__} instead"
    return f"{why}; {args.__name__} names the existing object itself (see help({args.__name__}))"


def _protected(field: FieldSpec, value: Any) -> Any:
    """``value`` with the parts its ``Secret`` policy names wrapped as secrets (a value that is itself an
    ``Output`` is wrapped whole: its parts are not known here)."""
    return Output.secret(value) if isinstance(value, Output) else field.protect(value, Output.secret)


def output_attribute_mismatch(cls: type[SpecResource]) -> tuple[list[str], list[str]]:
    """(fields without an ``Output`` attribute, attributes without a field) of a resource class."""
    spec = cls.provider_cls.spec
    core_fields = {
        f.name
        for base in spec.args.__mro__[1:]
        if dataclasses.is_dataclass(base) and base.__module__ == __name__
        for f in dataclasses.fields(base)
    }
    attributes = {name for name in inspect.get_annotations(cls) if name != "provider_cls"}
    fields = set(spec.fields) - core_fields
    return sorted(fields - attributes), sorted(attributes - fields)


__all__ = [
    "AdoptableArgs",
    "ResourceArgs",
    "SpecResource",
    "import_refusal",
    "output_attribute_mismatch",
    "to_props",
]
