"""Who is calling: the three documented bearer families and the team each one acts for."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Literal

from .errors import AgentKeyRejected, InvalidTeamHeader, JwtRequired, MissingTeamHeader, Unauthorized
from .validation import is_uuid


@dataclass(frozen=True)
class Caller:
    """An authenticated caller. ``kind`` is ``jwt`` (user session) or ``key`` (sk-/dk-)."""

    kind: Literal["jwt", "key"]
    team_id: str
    user_id: str
    token: str


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or :class:`Unauthorized`."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    if token.startswith("ak-"):
        raise AgentKeyRejected()
    return token


def team_for_jwt(team_header: str | None) -> str:
    if not team_header:
        raise MissingTeamHeader()
    if not is_uuid(team_header):
        raise InvalidTeamHeader(team_header)
    return team_header


def require_jwt(caller: Caller) -> None:
    if caller.kind != "jwt":
        raise JwtRequired()


def jwt_subject(token: str) -> str | None:
    """The ``sub`` claim of a JWT-shaped token (signature not checked), if it has one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) and sub else None
