"""Cyberun API-key credentials (``/credentials``): JWT-only management of sk-/ak- keys.

These are the platform's API keys, not the (undocumented) vault behind
``external_auth_credential_id``. ``raw_key`` is returned only by create; revoke deletes the row,
and the key stops authenticating at once.
"""

from __future__ import annotations

import copy
import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .auth import Caller, require_jwt
from .errors import InvalidField, InvalidId, InvalidQuery, NotFound, SecretAsCredentialId, Unauthorized
from .validation import check_fields, integer, is_uuid, one_of, page, string

CREDENTIAL_KINDS = ("integration", "agent")
KEY_PREFIX = {"integration": "sk-", "agent": "ak-"}
CREATE_CREDENTIAL_FIELDS = {
    "kind": one_of(*CREDENTIAL_KINDS),
    "display_name": string(non_empty=True, max_len=100),
    "expires_in_days": integer(1, 365),
}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CredentialsMixin:
    """Credential operations of :class:`CyberunBackend` (state lives on the backend)."""

    lock: threading.RLock
    stores: dict[str, dict[str, dict[str, Any]]]
    settings: dict[str, Any]
    _owner: dict[str, str]
    _keys: dict[str, str]
    _revoked: set[str]

    def _forget(self, kind: str, object_id: str) -> None:
        raise NotImplementedError

    def create_credential(self, caller: Caller, body: Any) -> dict[str, Any]:
        """POST /credentials: returns ``{id, kind, key_prefix, raw_key}`` (raw_key only here)."""
        with self.lock:
            require_jwt(caller)
            if isinstance(body, dict) and body.get("kind") == "device":
                raise InvalidField("kind", "device keys are issued by desktop pairing")
            clean = check_fields(body, CREATE_CREDENTIAL_FIELDS)
            for name in ("kind", "display_name"):
                if name not in clean:
                    raise InvalidField(name, "is required")
            kind = clean["kind"]
            raw_key = KEY_PREFIX[kind] + secrets.token_hex(24)
            now = datetime.now(UTC)
            days = clean.get("expires_in_days")
            credential_id = str(uuid.uuid4())
            self.stores["credentials"][credential_id] = {
                "id": credential_id,
                "kind": kind,
                "display_name": clean["display_name"],
                "key_prefix": raw_key[:12],
                "user_id": caller.user_id,
                "key_status": "active",
                "created_at": _iso(now),
                "last_used_at": None,
                "expires_at": _iso(now + timedelta(days=days)) if days else None,
            }
            self._owner[credential_id] = caller.team_id
            self._keys[raw_key] = credential_id
            return {"id": credential_id, "kind": kind, "key_prefix": raw_key[:12], "raw_key": raw_key}

    def list_credentials(
        self, caller: Caller, current_page: str | None, per_page: str | None, kind: str | None
    ) -> dict[str, Any]:
        """GET /credentials: ``{credentials: [...], page_meta}``, optionally filtered by kind."""
        with self.lock:
            require_jwt(caller)
            if kind is not None and kind not in (*CREDENTIAL_KINDS, "device"):
                raise InvalidQuery("kind", f"must be one of {', '.join((*CREDENTIAL_KINDS, 'device'))}")
            rows = [
                r
                for i, r in self.stores["credentials"].items()
                if self._owner.get(i, caller.team_id) == caller.team_id and kind in (None, r.get("kind"))
            ]
            items, meta = page(rows, current_page, per_page)
            return {"credentials": copy.deepcopy(items), "page_meta": meta}

    def revoke_credential(self, caller: Caller, credential_id: str) -> None:
        """DELETE /credentials/{credentialId}: permanent; the id must be the row uuid."""
        with self.lock:
            require_jwt(caller)
            if not is_uuid(credential_id):
                if credential_id.startswith(("sk-", "ak-", "dk-")):
                    raise SecretAsCredentialId()
                raise InvalidId("credentialId", credential_id)
            record = self.stores["credentials"].get(credential_id)
            if record is None or self._owner.get(credential_id, caller.team_id) != caller.team_id:
                raise NotFound()
            self._forget("credentials", credential_id)

    def _key_caller(self, token: str) -> Caller:
        """An sk-/dk- caller: keys issued here act for their team; other keys for ``key_team_id``."""
        if token in self._revoked:
            raise Unauthorized("API key has been revoked")
        credential_id = self._keys.get(token)
        if credential_id is None:
            return Caller("key", self.settings["key_team_id"], self.settings["user_id"], token)
        record = self.stores["credentials"][credential_id]
        now = datetime.now(UTC)
        if record["expires_at"] and record["expires_at"] < _iso(now):
            raise Unauthorized("API key has expired")
        record["last_used_at"] = _iso(now)
        team = self._owner.get(credential_id, self.settings["key_team_id"])
        return Caller("key", team, record["user_id"], token)
