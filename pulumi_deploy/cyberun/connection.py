"""An explicit Cyberun team for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pulumi import Input

from ..core.config import Setting
from ..core.connection import Connection as _Connection
from .api import SETTINGS, TEAM_ID


@dataclass(kw_only=True)
class Connection(_Connection):
    """The Cyberun team a resource uses: unset fields fall back to stack config, then environment.
    Values may be ``Output``s; the whole connection is kept as a secret."""

    vendor: ClassVar[str] = "cyberun"
    settings: ClassVar[Mapping[str, Setting]] = {
        "token": SETTINGS.credential,
        "team_id": TEAM_ID,
        "base_url": SETTINGS.base_url,
    }

    token: Input[str] | None = None
    """An ``sk-`` integration key or a user JWT (default ``cyberun:token`` / ``CYBERUN_TOKEN``)."""
    team_id: Input[str] | None = None
    """The team of a user JWT (default ``cyberun:teamId`` / ``CYBERUN_TEAM_ID``)."""
    base_url: Input[str] | None = None
    """The core API root (default ``cyberun:baseUrl`` / ``CYBERUN_BASE_URL``)."""
