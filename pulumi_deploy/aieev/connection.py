"""An explicit Aieev account for one resource (``connection=...``), instead of the stack's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pulumi import Input

from ..core.connection import Connection as _Connection
from ..core.fields import Doc
from .api import SETTINGS


@dataclass(kw_only=True)
class Connection(_Connection, vendor="aieev"):
    """The Aieev account a resource uses."""

    api_key: Annotated[Input[str] | None, SETTINGS.credential, Doc("The External API key")] = None
    base_url: Annotated[Input[str] | None, SETTINGS.base_url, Doc("The External API root")] = None
