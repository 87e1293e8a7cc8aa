"""The creation and last-change times most vendors report on every object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from .fields import Computed, Doc


@dataclass(kw_only=True)
class Timestamps:
    """Outputs base: when the service created the object and last changed it, as it reports them
    (read back on every refresh; a changed ``updated_at`` alone is never drift)."""

    created_at: Annotated[str | None, Computed(), Doc("When the service created the object (its clock).")] = None
    updated_at: Annotated[str | None, Computed(), Doc("When the service last changed the object.")] = None
