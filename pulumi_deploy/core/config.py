"""Credentials and base URLs: a resource's explicit connection first, then stack config (via
``configure()``), then environment variables.

The provider instance is pickled into state, so nothing here lives on it: ``configure()`` hands the
decrypted stack config to :func:`load_stack_config`, which keeps it in this module for the life of
the provider process. A resource given a ``connection=`` carries its settings as a (secret) input;
the provider applies them for the duration of one call with :func:`connection_settings` — a context
variable, so calls for different accounts served at once on other threads never see each other's.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigError, ErrorRules
from .location import url_credentials


@dataclass(frozen=True)
class Setting:
    """One user-facing setting: its stack-config key and its environment variable."""

    config_key: str  # e.g. "runpod:apiKey"
    env: str  # e.g. "RUNPOD_API_KEY"
    default: str | None = None

    def describe(self) -> str:
        return f"`pulumi config set {'--secret ' if self.secret_hint else ''}{self.config_key} ...` or ${self.env}"

    @property
    def secret_hint(self) -> bool:
        return looks_secret(self.config_key)


def looks_secret(config_key: str) -> bool:
    """A setting that holds a credential (an API key, a token, a server secret), by its config key."""
    return any(w in config_key.lower() for w in ("key", "token", "secret"))


@dataclass(frozen=True)
class VendorSettings:
    """Where a vendor's credential and base URL come from, and how its error answers read."""

    vendor: str
    credential: Setting
    base_url: Setting
    credential_required: bool = True
    #: How the vendor's error answers read (message keys, domain errors).
    errors: ErrorRules = field(default_factory=ErrorRules)
    #: A credential sees its own account's objects only: under another account's key, an object answers
    #: 404 while the account's lists answer. The outputs then record which credential last reached the
    #: object (:func:`credential_fingerprint`), and a 404 under another one is not taken for a deletion.
    credential_scopes_objects: bool = False
    #: Error statuses that mean "try again later" for this vendor. Idempotent requests (and actions
    #: made safe by a state check) are retried on them; 429 always is. 500 is listed only where the
    #: vendor uses it for passing failures, not for answers that repeat (validation, unknown workspace).
    transient_statuses: frozenset[int] = frozenset({502, 503, 504})

    def __post_init__(self) -> None:
        register_setting(self.credential)
        register_setting(self.base_url)

    # -- the likely fix of a failed request, in terms of these settings ---------------------------

    def unreachable_hint(self, base_url: str) -> str:
        """No answer at all: the server is down or the base URL names the wrong host or port."""
        if recorded(self.base_url):
            return (
                f"Is the {self.vendor} server this object lives on still running at {base_url}? It was "
                f"recorded there, and {how_to_set(self.base_url)} now names another server (or none). If that "
                "server is gone for good, `pulumi state delete <urn>` forgets the object."
            )
        return (
            f"Is the {self.vendor} API running and reachable at {base_url}? "
            f"Check the base URL setting: {how_to_set(self.base_url)}"
        )

    def status_hint(self, status: int, method: str, base_url: str) -> str:
        """The likely fix of an error answer (empty when the vendor's message speaks for itself)."""
        if status == 401:
            return (
                f"The credential was refused: check it with {how_to_set(self.credential)} "
                f"(the base URL {base_url} comes from {source(self.base_url)})"
            )
        if status == 403:
            return (
                f"The credential may not do this: check that the one from {source(self.credential)} "
                "belongs to the account that owns the object"
            )
        if status == 404 and method in ("PATCH", "PUT"):
            return (
                "The object may have been deleted outside Pulumi: run `pulumi refresh` to drop it from the "
                "stack, then `pulumi up` creates it again. If every request fails like this, check the base "
                f"URL ({base_url}): {how_to_set(self.base_url)}"
            )
        if status in (404, 405):
            return (
                f"No such API path at {base_url}: check the base URL setting, {how_to_set(self.base_url)}"
                + (f" (default {self.base_url.default})" if self.base_url.default else "")
            )
        return ""


_lock = threading.Lock()
_stack_config: dict[str, str] = {}


def load_stack_config(config: Mapping[str, str] | None) -> None:
    """Remember the stack config the engine passed to ``configure()`` (keys like ``runpod:apiKey``)."""
    with _lock:
        _stack_config.clear()
        if config:
            _stack_config.update({k: v for k, v in config.items() if isinstance(v, str)})


@dataclass(frozen=True)
class ConnectionValues:
    """The settings of the call being served: config key -> value, and whether some are not known yet."""

    values: Mapping[str, str] = field(default_factory=dict)
    #: Part of the connection is an ``Output`` not known yet (preview): configuration cannot be judged.
    pending: bool = False
    #: The address an existing object was recorded at, where the settings now name another server:
    #: reading and deleting it go there (below the connection, above stack config).
    recorded: Mapping[str, str] = field(default_factory=dict)


_NO_CONNECTION = ConnectionValues()
_connection: ContextVar[ConnectionValues | None] = ContextVar("pulumi_deploy_connection", default=None)
#: Config key -> every vendor setting defined, and the field of a vendor's ``Connection`` that sets it.
_settings: dict[str, Setting] = {}
_connection_fields: dict[str, str] = {}


@contextmanager
def connection_settings(values: ConnectionValues) -> Iterator[None]:
    """Within the block, ``values`` win over stack config and environment (one provider call)."""
    token = _connection.set(values)
    try:
        yield
    finally:
        _connection.reset(token)


def _current() -> ConnectionValues:
    return _connection.get() or _NO_CONNECTION


def connection_pending() -> bool:
    """True while serving a call whose explicit connection is not known yet."""
    return _current().pending


def register_setting(setting: Setting, connection_field: str | None = None) -> None:
    """Remember a vendor setting (its secret values are withheld from errors), and the field of the
    vendor's ``Connection`` that sets it (messages name that field when the connection gave the value)."""
    with _lock:
        _settings[setting.config_key] = setting
        if connection_field:
            _connection_fields[setting.config_key] = connection_field


def secret_setting_values(vendor: str) -> set[str]:
    """The values in effect of ``vendor``'s secret settings (credential, server keys, ...), and the
    credentials any of its settings carries in a URL (a base URL ``https://user:token@host``)."""
    with _lock:
        settings = [s for key, s in _settings.items() if key.startswith(f"{vendor}:")]
    values = {value for value in (lookup(s) for s in settings if s.secret_hint) if value}
    return values.union(*(url_credentials(value) for value in map(lookup, settings) if value))


def given_by_connection(config_key: str) -> bool:
    """The resource's connection sets this setting (its value is stored with the connection, a secret)."""
    return bool(_current().values.get(config_key))


def _explicit(setting: Setting) -> str | None:
    return _current().values.get(setting.config_key) or None


def recorded(setting: Setting) -> str | None:
    """The value of ``setting`` this call takes from where the object was recorded to live, if any."""
    return _current().recorded.get(setting.config_key) or None


def source(setting: Setting) -> str:
    """Where the value of ``setting`` this call uses comes from, in the words a user changes it by: the
    field of this resource's ``connection=`` that gave it, else the config key and environment variable."""
    if _explicit(setting):
        with _lock:
            field_name = _connection_fields.get(setting.config_key, setting.config_key)
        return f"the `{field_name}` of this resource's `connection=`"
    if recorded(setting):
        return (
            f"the stack's record of where this object lives, which the next `pulumi up` moves to the current "
            f"`{setting.config_key}`"
        )
    return f"`{setting.config_key}` / ${setting.env}"


def how_to_set(setting: Setting) -> str:
    """How to change the value of ``setting`` this call uses (its connection field when one gave it)."""
    return source(setting) if _explicit(setting) else setting.describe()


def lookup(setting: Setting) -> str | None:
    """The resource's connection wins, then where the object was recorded (when it lives elsewhere than
    the settings now say), then stack config, then the environment; then the default."""
    explicit = _explicit(setting) or recorded(setting)
    if explicit:
        return explicit
    with _lock:
        value = _stack_config.get(setting.config_key)
    if value:
        return value
    return os.environ.get(setting.env) or setting.default


def resolve_base_url(settings: VendorSettings) -> str:
    url = lookup(settings.base_url)
    if not url:
        raise ConfigError(f"{settings.vendor}: no base URL configured; set {settings.base_url.describe()}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{settings.vendor}: base URL {url!r} (from {source(settings.base_url)}) is not an http(s) URL"
        )
    return url.rstrip("/")


def credential_fingerprint(settings: VendorSettings) -> str:
    """A one-way mark of the credential in effect ("" for none): the same for one key, different for
    another, and of no use for finding the key (16 hex digits of a SHA-256): it is kept in plain text."""
    token = lookup(settings.credential)
    if not token:
        return ""
    return hashlib.sha256(b"pulumi-deploy credential\0" + token.encode()).hexdigest()[:16]


def resolve_credential(settings: VendorSettings, base_url: str) -> str | None:
    """The credential for ``base_url``; refuses to send one over plain http to a remote host."""
    token = lookup(settings.credential)
    if not token:
        if settings.credential_required:
            raise ConfigError(f"{settings.vendor}: no credential configured; set {settings.credential.describe()}")
        return None
    parts = urlsplit(base_url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise ConfigError(
            f"{settings.vendor}: refusing to send the credential over plain http to {parts.hostname}; "
            f"use an https:// base URL in {source(settings.base_url)} "
            "(plain http is only allowed for loopback hosts such as the emulator)"
        )
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
