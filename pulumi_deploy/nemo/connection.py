"""An explicit NeMo platform for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pulumi import Input

from ..core.connection import Connection as _Connection
from ..core.fields import Doc
from .api import SETTINGS, WORKSPACE


@dataclass(kw_only=True)
class Connection(_Connection, vendor="nemo"):
    """The NeMo platform (and its default workspace) a resource uses.

    A deployment and the config it names must be on the same platform: give both the same connection.
    """

    base_url: Annotated[Input[str] | None, SETTINGS.base_url, Doc("The platform root (``https://nemo.host``)")] = None
    token: Annotated[
        Input[str] | None,
        SETTINGS.credential,
        Doc("A platform token (a Scoped Access Key for automation), only where the platform has auth on"),
    ] = None
    workspace: Annotated[
        Input[str] | None,
        WORKSPACE,
        Doc("The workspace of the resource when it does not set ``workspace`` itself"),
    ] = None
