"""An explicit RunPod account for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pulumi import Input

from ..core.connection import Connection as _Connection
from ..core.fields import Doc
from .api import API_VERSION, BASE_URL, CREDENTIAL


@dataclass(kw_only=True)
class Connection(_Connection, vendor="runpod"):
    """The RunPod account a resource uses."""

    api_key: Annotated[Input[str] | None, CREDENTIAL, Doc("The account's API key")] = None
    base_url: Annotated[Input[str] | None, BASE_URL, Doc("The REST API root (default: the public API)")] = None
    api_version: Annotated[Input[str] | None, API_VERSION, Doc("``v2`` or ``v1``")] = None
