"""An explicit Cyberun team for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pulumi import Input

from ..core.connection import Connection as _Connection
from ..core.fields import Doc
from .api import SETTINGS, TEAM_ID


@dataclass(kw_only=True)
class Connection(_Connection, vendor="cyberun"):
    """The Cyberun team a resource uses."""

    token: Annotated[Input[str] | None, SETTINGS.credential, Doc("An ``sk-`` integration key or a user JWT")] = None
    team_id: Annotated[Input[str] | None, TEAM_ID, Doc("The team of a user JWT")] = None
    base_url: Annotated[Input[str] | None, SETTINGS.base_url, Doc("The core API root")] = None
