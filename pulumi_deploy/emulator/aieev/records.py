"""Endpoint record shape: public (GET) fields, hidden fields, seed defaults, derived views.

A record in ``backend.stores["endpoints"][endpoint_id]`` is the GET (EndpointStatusResponse)
shape plus hidden fields that the vendor never returns from GET: the container settings (only
the PATCH response echoes them), ``granted_keys`` and ``health_check_passes``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

#: Fields of GET /endpoints/{id}, in the vendor's order.
PUBLIC_FIELDS = (
    "endpoint_id",
    "name",
    "endpoint_type",
    "is_active",
    "status",
    "num_replicas",
    "enable_autoscaling",
    "instance_type_name",
    "serving_endpoint_url",
    "replica_status_summary",
    "created_at",
    "updated_at",
)
SETTING_FIELDS = (
    "container_start_command",
    "container_env_vars",
    "container_port",
    "container_health_check_path",
    "container_health_check_timeout",
    "health_check_timeout",
    "container_metric_path",
)
#: Hidden fields: never returned by GET/list. ``granted_keys``: API keys that may reach the
#: endpoint (``None`` = every key). ``health_check_passes``: ``False`` makes a start end in
#: DEPLOY_FAILED (``None`` = follow the ``health_check_passes`` setting).
HIDDEN_FIELDS = (*SETTING_FIELDS, "granted_keys", "health_check_passes")
NO_ENV_VARS: list[dict[str, str]] = [{"key": "", "value": ""}]

STOPPED, DEPLOYING, RUNNING, DEPLOY_FAILED = "STOPPED", "DEPLOYING", "RUNNING", "DEPLOY_FAILED"
#: status after DEPLOYING, keyed by "health check passed?"
DEPLOY_OUTCOME = {True: RUNNING, False: DEPLOY_FAILED}
#: replica state reported for each endpoint status while active
REPLICA_STATE = {DEPLOYING: "STARTING", RUNNING: "RUNNING", DEPLOY_FAILED: "UNHEALTHY"}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_env_vars(env_vars: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
    """Drop entries with an empty key; an empty result is the vendor's ``[{"key":"","value":""}]``."""
    if env_vars is None:
        return None
    kept = [{"key": e["key"], "value": e["value"]} for e in env_vars if e["key"] != ""]
    return kept or [dict(e) for e in NO_ENV_VARS]


def replica_summary(record: dict[str, Any]) -> dict[str, int] | None:
    if not record["is_active"]:
        return None
    return {REPLICA_STATE.get(record["status"], "RUNNING"): record["num_replicas"]}


def seed_defaults(record: dict[str, Any]) -> dict[str, Any]:
    """Fill the fields a seeded record leaves out; ``id`` is accepted for ``endpoint_id``."""
    unknown = set(record) - {*PUBLIC_FIELDS, *HIDDEN_FIELDS, "id"}
    if unknown:
        raise KeyError(
            f"unknown endpoint fields {sorted(unknown)}; known: {sorted({*PUBLIC_FIELDS, *HIDDEN_FIELDS})}"
        )
    given = dict(record)
    endpoint_id = str(given.pop("id", None) or given.get("endpoint_id") or uuid.uuid4())
    stamp = now_iso()
    active = bool(given.get("is_active", False))
    full: dict[str, Any] = {
        "endpoint_id": endpoint_id,
        "name": f"endpoint-{endpoint_id[:8]}",
        "endpoint_type": "container",
        "is_active": active,
        "status": RUNNING if active else STOPPED,
        "num_replicas": 1,
        "enable_autoscaling": False,
        "instance_type_name": "RTX 5090",
        "serving_endpoint_url": f"https://ap-1.aieev.cloud/endpoints/{endpoint_id}",
        "replica_status_summary": None,
        "created_at": stamp,
        "updated_at": stamp,
        "container_start_command": None,
        "container_env_vars": [dict(e) for e in NO_ENV_VARS],
        "container_port": 80,
        "container_health_check_path": None,
        "container_health_check_timeout": 600,
        "health_check_timeout": 300,
        "container_metric_path": None,
        "granted_keys": None,
        "health_check_passes": None,
    }
    full.update(given)
    full["endpoint_id"] = endpoint_id
    full["container_env_vars"] = normalise_env_vars(full["container_env_vars"])
    if "replica_status_summary" not in given:
        full["replica_status_summary"] = replica_summary(full)
    return full


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """GET /endpoints/{id}: public fields only."""
    return {field: record.get(field) for field in PUBLIC_FIELDS}


def list_item(record: dict[str, Any]) -> dict[str, Any]:
    """An item of GET /endpoints: the ID is ``id`` and there is no replica summary."""
    item = {"id": record["endpoint_id"]}
    item.update(
        {f: record.get(f) for f in PUBLIC_FIELDS if f not in ("endpoint_id", "replica_status_summary")}
    )
    return item


def patch_view(record: dict[str, Any]) -> dict[str, Any]:
    """EndpointPatchResponse: the settings echoed back."""
    view = {"endpoint_id": record["endpoint_id"], "name": record["name"], "is_active": record["is_active"]}
    view.update({f: record.get(f) for f in SETTING_FIELDS})
    view["updated_at"] = record["updated_at"]
    return view


def _replica_id(endpoint_id: str, index: int) -> str:
    return hashlib.sha1(f"{endpoint_id}:{index}".encode()).hexdigest()[:8]


def replicas(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Live replicas (synthesised): ``num_replicas`` of them while active, none when stopped."""
    if not record["is_active"]:
        return []
    state = REPLICA_STATE.get(record["status"], "RUNNING")
    node_id = hashlib.sha1(record["endpoint_id"].encode()).hexdigest()
    out = []
    for index in range(record["num_replicas"]):
        rid = _replica_id(record["endpoint_id"], index)
        out.append(
            {
                "replica_id": rid,
                "state": state,
                "node_id": node_id,
                "node_ip": f"100.64.0.{11 + index % 200}",
                "actor_id": hashlib.md5(rid.encode()).hexdigest(),
                "actor_name": f"SERVE_REPLICA::{record['endpoint_id'][:8]}#ContainerRelayDeployment#{rid}",
                "worker_id": hashlib.sha1(rid.encode()).hexdigest(),
                "pid": 1000 + index,
                "start_time_s": None,
            }
        )
    return out


def log_files(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One current (non-historical) log file per live replica."""
    prefix = record["endpoint_id"][:8]
    return [
        {
            "node_id": r["node_id"],
            "replica_id": r["replica_id"],
            "filename": f"{prefix}.{r['replica_id']}/container/{record['name']}-{r['replica_id']}.log",
            "is_historical": False,
            "start_time": None,
            "end_time": None,
        }
        for r in replicas(record)
    ]


def log_lines(record: dict[str, Any], replica_id: str) -> list[str]:
    return [
        f'{{"level": "INFO", "replica_id": "{replica_id}", "message": "container started"}}',
        f'{{"level": "INFO", "replica_id": "{replica_id}", "message": "status {record["status"]}"}}',
    ]
