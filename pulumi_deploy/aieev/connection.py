"""An explicit Aieev account for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pulumi import Input

from ..core.config import Setting
from ..core.connection import Connection as _Connection
from .api import SETTINGS


@dataclass(kw_only=True)
class Connection(_Connection):
    """The Aieev account a resource uses: unset fields fall back to stack config, then environment.
    Values may be ``Output``s; the whole connection is kept as a secret."""

    vendor: ClassVar[str] = "aieev"
    settings: ClassVar[Mapping[str, Setting]] = {"api_key": SETTINGS.credential, "base_url": SETTINGS.base_url}

    api_key: Input[str] | None = None
    """The External API key (default ``aieev:apiKey`` / ``AIEEV_API_KEY``)."""
    base_url: Input[str] | None = None
    """The External API root (default ``aieev:baseUrl`` / ``AIEEV_BASE_URL``)."""
