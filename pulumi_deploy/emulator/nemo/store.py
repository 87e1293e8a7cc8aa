"""Versioned storage shared by both kinds of the NeMo models v2 emulator.

``stores[kind]["<workspace>/<name>"]`` is the **latest** version in the exact shape a single GET
returns; ``history[kind]["<workspace>/<name>"]`` holds the older versions, oldest first. Both kinds
are immutable and versioned: an update writes ``entity_version + 1`` with a new ``id``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..base import EmulatorBackend
from . import errors, schemas
from .entities import EntitiesState, naive_now, new_id

CONFIGS = "deployment_configs"
DEPLOYMENTS = "deployments"


def utc_now() -> str:
    """Status-history timestamps carry a ``Z``; record ``created_at``/``updated_at`` do not (:func:`naive_now`)."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


__all__ = ["CONFIGS", "DEPLOYMENTS", "VersionedBackend", "drop_none", "naive_now", "utc_now"]


def drop_none(value: Any) -> Any:
    """List endpoints use ``response_model_exclude_none``: nulls vanish at every level."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


class VersionedBackend(EmulatorBackend):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.history: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._since: dict[tuple[str, int], tuple[str, float]] = {}
        self.entities = EntitiesState()
        super().__init__(clock)

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.history = {kind: {} for kind in self.kinds}
            self._since = {}
            self.entities = EntitiesState()

    # -- auth --------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None, workspace: str | None) -> None:
        """Off by default (a local platform): anything goes, the header is ignored. On: the platform's answers.

        ``auth_tokens`` maps each accepted token to the workspaces it has a role in (``"*"``: all).
        """
        if not self.settings["auth_enabled"]:
            return
        if not authorization:
            raise errors.Unauthorized("Unauthorized")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise errors.Unauthorized("Unauthorized")
        if not token or " " in token.strip():
            raise errors.Unauthorized("Invalid bearer token")
        allowed = self.settings["auth_tokens"].get(token.strip())
        if allowed is None:
            raise errors.Unauthorized("Invalid or expired token")
        if workspace is not None and "*" not in allowed and workspace not in allowed:
            raise errors.Forbidden()

    def principal_id(self) -> str | None:
        """``auth_context.principal_id``: empty with auth off, null with auth on (as the platform writes it)."""
        return None if self.settings["auth_enabled"] else ""

    # -- version storage ---------------------------------------------------------------------

    def _versions(self, kind: str, key: str) -> list[dict[str, Any]]:
        """All versions of one object, oldest first (empty when it does not exist)."""
        if key not in self.stores[kind]:
            return []
        return [*self.history[kind].get(key, []), self.stores[kind][key]]

    def _version(self, kind: str, key: str, version: int | None) -> dict[str, Any] | None:
        for record in self._versions(kind, key):
            if version is None and record is self.stores[kind][key]:
                return record
            if record["entity_version"] == version:
                return record
        return None

    def _add_version(self, kind: str, key: str, record: dict[str, Any], *, seeded: bool = False) -> None:
        if not seeded:
            versioned_name_check(record["name"], record["entity_version"])
        if key in self.stores[kind]:
            self.history[kind].setdefault(key, []).append(self.stores[kind][key])
        self.stores[kind][key] = record

    def _remove_version(self, kind: str, key: str, version: int) -> None:
        older = self.history[kind].get(key, [])
        if self.stores[kind][key]["entity_version"] == version:
            if older:
                self.stores[kind][key] = older.pop()
            else:
                del self.stores[kind][key]
                self.history[kind].pop(key, None)
        else:
            older[:] = [r for r in older if r["entity_version"] != version]

    def _seen(self, record: dict[str, Any]) -> None:
        """Start the controller's timer for the record's current status now."""
        self._since[record["id"]] = (record["status"], self.clock())

    def _parse_version(self, version: str) -> int:
        try:
            return int(version)
        except ValueError:
            raise errors.InvalidVersion(version) from None

    def _check_enabled(self) -> None:
        if self.settings["runtime_none"]:
            raise errors.DeploymentsNotEnabled()

    def _body(self, model: type[schemas.M], raw: bytes | Any) -> schemas.M:
        return schemas.parse_body(model, raw, reject_unknown=bool(self.settings["reject_unknown_fields"]))

    @staticmethod
    def _new_id(prefix: str) -> str:
        return new_id(prefix)

    # -- listing -----------------------------------------------------------------------------

    def _page(
        self,
        kind: str,
        workspace: str,
        query: list[tuple[str, str]],
        filter_fields: tuple[str, ...],
        *,
        all_versions_allowed: bool,
        failure: str,
    ) -> dict[str, Any]:
        params, filters = self._parse_list_query(query, filter_fields, all_versions_allowed)
        if params["page_size"] < 1:  # the entity store rejects it and the service reports a failure
            raise errors.ServerFailure(f"Failed to {failure}")
        workspace = filters.pop("workspace", {}).get("$eq", workspace)
        # Like the service: filter and sort every version, then (unless all_versions) keep the newest
        # matching version of each name at the position where the name first appeared.
        rows = [r for key in self.stores[kind] if key.startswith(f"{workspace}/") for r in self._versions(kind, key)]
        rows = [r for r in rows if all(_matches(r.get(f), ops) for f, ops in filters.items())]
        sort = params["sort"]
        field = sort.lstrip("-")
        rows.sort(key=lambda r: (r.get(field) is None, str(r.get(field))), reverse=sort.startswith("-"))
        if not params["all_versions"]:
            newest: dict[str, dict[str, Any]] = {}
            for r in rows:
                if r["name"] not in newest or r["entity_version"] > newest[r["name"]]["entity_version"]:
                    newest[r["name"]] = r
            rows = list(newest.values())
        page, size = params["page"], params["page_size"]
        chunk = rows[(page - 1) * size : page * size] if size > 0 else []
        total_pages = (len(rows) + size - 1) // size if rows and size > 0 else 1
        return {
            "data": [drop_none(copy.deepcopy(r)) for r in chunk],
            "pagination": {
                "page": page,
                "page_size": size,
                "current_page_size": len(chunk),
                "total_pages": total_pages,
                "total_results": len(rows),
            },
            "sort": sort,
        }

    def _parse_list_query(
        self, query: list[tuple[str, str]], filter_fields: tuple[str, ...], all_versions_allowed: bool
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        params: dict[str, Any] = {"page": 1, "page_size": 100, "sort": "created_at", "all_versions": False}
        filters: dict[str, dict[str, Any]] = {}
        problems: list[dict[str, Any]] = []
        for name, value in query:
            if name in ("page", "page_size"):
                try:
                    params[name] = int(value)
                except ValueError:
                    problems.append(
                        {
                            "type": "int_parsing",
                            "loc": ["query", name],
                            "input": value,
                            "msg": "Input should be a valid integer, unable to parse string as an integer",
                        }
                    )
            elif name == "sort":
                params["sort"] = value
            elif name == "all_versions" and all_versions_allowed:
                if value.lower() not in _BOOLS:
                    problems.append(
                        {
                            "type": "bool_parsing",
                            "loc": ["query", name],
                            "input": value,
                            "msg": "Input should be a valid boolean, unable to interpret input",
                        }
                    )
                else:
                    params["all_versions"] = _BOOLS[value.lower()]
            elif name.startswith("filter[") and name.endswith("]"):
                field, _, op = name[len("filter[") : -1].partition("][")
                if field not in filter_fields:
                    raise errors.BadRequest(f"Unknown filter field '{field}'. Valid fields: {sorted(filter_fields)}")
                op = op or "$eq"
                ops = filters.setdefault(field, {})
                ops[op] = [*ops.get(op, []), value] if op in ("$in", "$nin") else value
        if problems:
            raise errors.ValidationFailed(problems)
        return params, filters

    # -- control hooks -----------------------------------------------------------------------

    def control_seed(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert a record as the newest version of ``<workspace>/<name>``; missing fields get defaults."""
        with self.lock:
            self._store(kind)
            full = {**self._seed_defaults(kind, record), **copy.deepcopy(record)}
            key = f"{full['workspace']}/{full['name']}"
            current = self.stores[kind].get(key)
            if current is not None and current["entity_version"] == full["entity_version"]:
                self.stores[kind][key] = full
            else:
                self._add_version(kind, key, full, seeded=True)
            return copy.deepcopy(full)

    def _seed_defaults(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        now = naive_now()
        key = f"{record.get('workspace', 'default')}/{record.get('name', '')}"
        latest = self.stores[kind].get(key)
        base: dict[str, Any] = {
            "id": self._new_id("model-deployment-config" if kind == CONFIGS else "model-deployment"),
            "workspace": "default",
            "project": None,
            "created_at": now,
            "updated_at": now,
            "entity_version": latest["entity_version"] + 1 if latest else 1,
        }
        if kind == CONFIGS:
            return {
                **base,
                "description": None,
                "engine": "nim",
                "model_spec": schemas.ModelSpec().model_dump(),
                "executor_config": schemas.ExecutorConfig(gpu=1).model_dump(),
                "model_entity_id": None,
            }
        return {
            **base,
            "config_version": 1,
            "status": "CREATED",
            "status_message": "Deployment created",
            "status_history": [],
            "model_provider_id": None,
            "auth_context": None,
        }

    @staticmethod
    def control_key(object_id: str) -> str:
        """``<workspace>:<name>`` -> ``<workspace>/<name>``.

        The control API's ``/objects/{kind}/{object_id}`` route cannot carry a ``/`` (not even as
        ``%2F``), so patch/delete accept the colon spelling; workspaces and names never contain ``:``.
        """
        return object_id if "/" in object_id else object_id.replace(":", "/", 1)

    def control_patch(self, kind: str, object_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the latest version behind the client's back; a new status restarts its timer."""
        object_id = self.control_key(object_id)
        with self.lock:
            record = super().control_patch(kind, object_id, changes)
            if "status" in changes:
                self._seen(self._store(kind)[object_id])
            return record

    def control_delete(self, kind: str, object_id: str) -> None:
        """Remove every version of ``<workspace>/<name>`` at once (no DELETING phase)."""
        object_id = self.control_key(object_id)
        with self.lock:
            del self._store(kind)[object_id]
            self.history[kind].pop(object_id, None)


_BOOLS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}


def _matches(value: Any, ops: dict[str, Any]) -> bool:
    text = "" if value is None else str(value)
    for op, arg in ops.items():
        if op == "$eq" and text != arg:
            return False
        if op == "$in" and text not in arg:
            return False
        if op == "$nin" and text in arg:
            return False
        if op == "$like" and arg.strip("%") not in text:
            return False
        if op == "$gte" and text < arg:
            return False
        if op == "$lte" and text > arg:
            return False
    return True


def versioned_name_check(name: str, version: int) -> None:
    """The service stores version N under ``<name>-v<N>`` and validates that name by the name rule: a
    name near 63 characters is refused at create, or at the version whose number no longer fits."""
    stored = f"{name}-v{version}"
    problems = schemas.name_errors(stored)
    if problems:
        raise errors.ValidationFailed(problems)
