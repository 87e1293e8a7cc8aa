"""An explicit TrustGate server for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pulumi import Input

from ..core.config import Setting
from ..core.connection import Connection as _Connection
from .api import SERVER_SECRET, SETTINGS


@dataclass(kw_only=True)
class Connection(_Connection):
    """The TrustGate server a resource uses: unset fields fall back to stack config, then environment.
    Values may be ``Output``s; the whole connection is kept as a secret."""

    vendor: ClassVar[str] = "trustgate"
    settings: ClassVar[Mapping[str, Setting]] = {
        "admin_token": SETTINGS.credential,
        "server_secret_key": SERVER_SECRET,
        "base_url": SETTINGS.base_url,
    }

    admin_token: Input[str] | None = None
    """A ready admin JWT (default ``trustgate:adminToken`` / ``TRUSTGATE_ADMIN_TOKEN``)."""
    server_secret_key: Input[str] | None = None
    """The server's ``SERVER_SECRET_KEY``, to mint a token (default ``trustgate:serverSecretKey``)."""
    base_url: Input[str] | None = None
    """The admin server's root (default ``trustgate:baseUrl`` / ``TRUSTGATE_BASE_URL``)."""
