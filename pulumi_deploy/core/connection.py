"""Explicit connections: the account, base URL and options one resource uses, instead of the stack's.

Stack config and environment variables are the default for every resource of a vendor. A resource
given ``connection=runpod.Connection(api_key=..., base_url=...)`` uses those settings instead, so one
program can manage two accounts (or two self-hosted servers). A connection's values may be
``Output``s (a key read from a secret store, a base URL from another resource), and the connection
itself may be an ``Output`` of a connection.

On the wire a connection is one internal input, ``_connection``: a map from the setting's config key
(``runpod:apiKey``) to its value, always a secret. Internal inputs are never validated as fields,
never sent to the API and never diffed as fields. The provider applies the map around each call
(:func:`with_connection`); settings the connection leaves unset fall back to stack config and env.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pulumi import Output

from .config import ConnectionValues, Setting, connection_settings, looks_secret, register_setting
from .fields import Doc, declared_hints, is_unknown
from .location import url_credentials

CONNECTION_KEY = "_connection"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclasses.dataclass(kw_only=True)
class Connection:
    """Base of the per-vendor connection classes: each field is one vendor setting.

    A subclass names its vendor (``class Connection(core.Connection, vendor="runpod")``) and annotates
    each field with the :class:`Setting` it overrides and a :class:`Doc`; ``settings`` and the help text
    (each field with its stack config key and environment variable) are derived from those, so they
    cannot disagree with what the provider reads.
    """

    vendor: ClassVar[str]
    #: Field name -> the setting it overrides.
    settings: ClassVar[Mapping[str, Setting]]

    def __init_subclass__(cls, *, vendor: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.vendor = vendor
        hints = declared_hints(cls)
        declared = {name: hint.__metadata__ for name, hint in hints.items() if hasattr(hint, "__metadata__")}
        cls.settings = {name: _one(cls, name, meta, Setting) for name, meta in declared.items()}
        for name, setting in cls.settings.items():
            register_setting(setting, name)
        lines = [
            f"- ``{name}``: {_one(cls, name, meta, Doc).text} (unset: {_fallback(cls.settings[name])})."
            for name, meta in declared.items()
        ]
        cls.__doc__ = "\n".join(
            [
                inspect.cleandoc(cls.__doc__ or ""),
                "",
                "Unset fields fall back to stack config, then environment. Values may be ``Output``s; the whole",
                "connection is kept as a secret.",
                "",
                *lines,
            ]
        )

    def config_values(self) -> dict[str, Any]:
        """Config key -> value (``Output``s left in place) of the fields that are set."""
        return {
            self.settings[f.name].config_key: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


def _one(cls: type, name: str, metadata: tuple[Any, ...], kind: type[T]) -> T:
    found = [m for m in metadata if isinstance(m, kind)]
    if len(found) != 1:
        raise TypeError(f"{cls.__module__}.{cls.__name__}.{name}: annotate one {kind.__name__}, found {len(found)}")
    return found[0]


def _fallback(setting: Setting) -> str:
    then = f", else ``{setting.default}``" if setting.default else ""
    return f"``{setting.config_key}`` / ``${setting.env}``{then}"


def connection_input(vendor: str, connection: Connection | Output[Any]) -> Output[Any]:
    """The ``_connection`` input of a resource of ``vendor``: a secret map of config key -> value."""
    if isinstance(connection, Output):
        return Output.secret(connection.apply(lambda c: _checked(vendor, c).config_values()))
    return Output.secret(_checked(vendor, connection).config_values())


def _checked(vendor: str, connection: Any) -> Connection:
    if not isinstance(connection, Connection):
        raise TypeError(f"connection= takes a {vendor}.Connection, got {type(connection).__name__}")
    if connection.vendor != vendor:
        raise TypeError(f"a {vendor} resource cannot use a {connection.vendor}.Connection")
    return connection


def values_of(props: Mapping[str, Any] | None) -> ConnectionValues:
    """The connection recorded in a call's properties (none: stack config and environment apply)."""
    raw = (props or {}).get(CONNECTION_KEY)
    if raw is None:
        return ConnectionValues()
    if is_unknown(raw) or not isinstance(raw, Mapping):
        # Not known yet, or partly: its known values are not used either, so that a preview never pairs
        # the connection's base URL with the stack's credential (or the other way round).
        return ConnectionValues(pending=True)
    return ConnectionValues({k: v for k, v in raw.items() if isinstance(v, str)})


def connection_secrets(props: Mapping[str, Any]) -> set[str]:
    """The credentials (API keys, tokens, server secrets, a base URL's user info) of the connection
    recorded in ``props``."""
    raw = props.get(CONNECTION_KEY)
    items = [(k, v) for k, v in raw.items() if isinstance(v, str)] if isinstance(raw, Mapping) else []
    return {value for key, value in items if looks_secret(key)}.union(*(url_credentials(v) for _, v in items))


#: The provider methods the engine calls, and the position of the properties that carry the
#: connection (the new inputs where there are old and new ones).
PROPS_ARGUMENT = {"check": 1, "diff": 2, "create": 0, "read": 1, "update": 2, "delete": 1}


def with_connection(method: F, props_index: int) -> F:
    """``method`` run with the connection found in its properties argument applied."""
    if getattr(method, "__pulumi_deploy_connection__", False):
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        props = args[props_index] if len(args) > props_index else None
        with connection_settings(values_of(props if isinstance(props, Mapping) else None)):
            return method(self, *args, **kwargs)

    wrapper.__pulumi_deploy_connection__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def wrap_engine_calls(cls: type, wrap: Callable[[Callable[..., Any], int], Callable[..., Any]]) -> None:
    """Replace each engine-facing method ``cls`` defines itself with ``wrap(method, props_index)``."""
    for name, index in PROPS_ARGUMENT.items():
        method = cls.__dict__.get(name)
        if callable(method):
            setattr(cls, name, wrap(method, index))


def apply_connections(cls: type) -> None:
    """Wrap the engine-facing methods ``cls`` defines itself (called for every provider class)."""
    wrap_engine_calls(cls, with_connection)
