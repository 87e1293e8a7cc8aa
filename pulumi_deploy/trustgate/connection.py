"""An explicit TrustGate server for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pulumi import Input

from ..core.connection import Connection as _Connection
from ..core.fields import Doc
from .api import SERVER_SECRET, SETTINGS


@dataclass(kw_only=True)
class Connection(_Connection, vendor="trustgate"):
    """The TrustGate server a resource uses."""

    admin_token: Annotated[Input[str] | None, SETTINGS.credential, Doc("A ready admin JWT")] = None
    server_secret_key: Annotated[
        Input[str] | None, SERVER_SECRET, Doc("The server's ``SERVER_SECRET_KEY``, to mint an admin token")
    ] = None
    base_url: Annotated[Input[str] | None, SETTINGS.base_url, Doc("The admin server's root")] = None
