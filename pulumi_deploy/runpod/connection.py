"""An explicit RunPod account for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pulumi import Input

from ..core.config import Setting
from ..core.connection import Connection as _Connection
from .api import API_VERSION, BASE_URL, CREDENTIAL


@dataclass(kw_only=True)
class Connection(_Connection):
    """The RunPod account a resource uses: unset fields fall back to stack config, then environment.
    Values may be ``Output``s; the whole connection is kept as a secret."""

    vendor: ClassVar[str] = "runpod"
    settings: ClassVar[Mapping[str, Setting]] = {
        "api_key": CREDENTIAL,
        "base_url": BASE_URL,
        "api_version": API_VERSION,
    }

    api_key: Input[str] | None = None
    """The account's API key (default ``runpod:apiKey`` / ``RUNPOD_API_KEY``)."""
    base_url: Input[str] | None = None
    """The REST API root (default ``runpod:baseUrl`` / ``RUNPOD_BASE_URL``, else the public API)."""
    api_version: Input[str] | None = None
    """``v2`` or ``v1`` (default ``runpod:apiVersion`` / ``RUNPOD_API_VERSION``, else v2)."""
