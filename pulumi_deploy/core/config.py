"""Credentials and base URLs: stack config (via ``configure()``) first, then environment variables.

The provider instance is pickled into state, so nothing here lives on it: ``configure()`` hands the
decrypted stack config to :func:`load_stack_config`, which keeps it in this module for the life of
the provider process.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigError, ErrorRules


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
        return any(w in self.config_key.lower() for w in ("key", "token", "secret"))


@dataclass(frozen=True)
class VendorSettings:
    """Where a vendor's credential and base URL come from, and how its error answers read."""

    vendor: str
    credential: Setting
    base_url: Setting
    credential_required: bool = True
    #: How the vendor's error answers read (message keys, domain errors).
    errors: ErrorRules = field(default_factory=ErrorRules)
    #: Error statuses that mean "try again later" for this vendor. Idempotent requests (and actions
    #: made safe by a state check) are retried on them; 429 always is. 500 is listed only where the
    #: vendor uses it for passing failures, not for answers that repeat (validation, unknown workspace).
    transient_statuses: frozenset[int] = frozenset({502, 503, 504})


_lock = threading.Lock()
_stack_config: dict[str, str] = {}


def load_stack_config(config: Mapping[str, str] | None) -> None:
    """Remember the stack config the engine passed to ``configure()`` (keys like ``runpod:apiKey``)."""
    with _lock:
        _stack_config.clear()
        if config:
            _stack_config.update({k: v for k, v in config.items() if isinstance(v, str)})


def lookup(setting: Setting) -> str | None:
    """Stack config wins over the environment; then the default."""
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
        raise ConfigError(f"{settings.vendor}: base URL {url!r} is not an http(s) URL")
    return url.rstrip("/")


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
            "use an https:// base URL (plain http is only allowed for loopback hosts such as the emulator)"
        )
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
