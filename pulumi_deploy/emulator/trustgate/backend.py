"""In-memory TrustGate v1.x admin API (v1.6.10): gateways, upstreams, services.

Records live in ``stores[kind][id]`` in the response shape (``gateway.Gateway``,
``upstream.Upstream``, ``service.Service``). A service record is stored **without** its nested
``upstream``: the join is made when the service is rendered, so the nested upstream is always the
current one. Known deviations from the real server are listed in ``COVERAGE.md``.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from pulumi_deploy.emulator.base import EmulatorBackend

from . import rules, schema
from .errors import (
    AuthorizationRequired,
    DuplicateSubdomain,
    EmptyToken,
    EntityInUse,
    InvalidAuthorizationFormat,
    InvalidQueryParameter,
    NotFound,
)

_GATEWAY_BLOCKS = ("security_config", "session_config", "telemetry", "client_tls")


def go_time(moment: datetime) -> str:
    """Go's ``time.Time`` JSON form (RFC 3339 with trimmed nanoseconds) in UTC."""
    base = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return f"{base}.{fraction}Z" if fraction else f"{base}Z"


class TrustGateBackend(EmulatorBackend):
    """Gateways, upstreams and services with the v1.6.10 validation and reference rules."""

    kinds: ClassVar[tuple[str, ...]] = ("gateways", "upstreams", "services")
    default_settings: ClassVar[dict[str, Any]] = {
        # One server build forces websocket_config.enable_direct_communication=true on create.
        "websocket_direct_on_create": True,
        # Upstream and gateway lists are paged with offset/limit.
        "default_list_limit": 10,
        "max_list_limit": 100,
    }

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, wallclock: Callable[[], datetime] | None = None
    ) -> None:
        self.wallclock = wallclock or (lambda: datetime.now(UTC))
        super().__init__(clock)

    def _now(self) -> str:
        return go_time(self.wallclock())

    # -- auth --------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """``pkg/middleware/admin_auth.go``: any non-empty Bearer token is accepted (no JWT check)."""
        if not authorization:
            raise AuthorizationRequired()
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer":
            raise InvalidAuthorizationFormat()
        if not token.strip():
            raise EmptyToken()

    # -- lookups -----------------------------------------------------------------------------

    def _get_gateway(self, gateway_id: str) -> dict[str, Any]:
        gid = rules.parse_uuid(gateway_id, "gateway")
        if gid not in self.stores["gateways"]:
            raise NotFound("gateway")
        return self.stores["gateways"][gid]

    def _get_upstream(self, gateway_id: str, upstream_id: str) -> dict[str, Any]:
        gid = self._get_gateway(gateway_id)["id"]
        record = self.stores["upstreams"].get(rules.parse_uuid(upstream_id, "upstream"))
        if record is None or record.get("gateway_id") != gid:
            raise NotFound("upstream")
        return record

    def _get_service(self, gateway_id: str, service_id: str) -> dict[str, Any]:
        gid = self._get_gateway(gateway_id)["id"]
        record = self.stores["services"].get(rules.parse_uuid(service_id, "service"))
        if record is None or record.get("gateway_id") != gid:
            raise NotFound("service")
        return record

    def _page(
        self, records: list[dict[str, Any]], offset: str | None, limit: str | None
    ) -> list[dict[str, Any]]:
        start, size = 0, int(self.settings["default_list_limit"])
        if offset is not None:
            if not offset.lstrip("-").isdigit():
                raise InvalidQueryParameter("offset", offset)
            start = max(int(offset), 0)
        if limit is not None:
            if not limit.lstrip("-").isdigit():
                raise InvalidQueryParameter("limit", limit)
            size = int(limit) if int(limit) > 0 else size
        size = min(size, int(self.settings["max_list_limit"]))
        return [copy.deepcopy(r) for r in records[start : start + size]]

    # -- gateways ----------------------------------------------------------------------------

    def create_gateway(self, body: Any) -> dict[str, Any]:
        with self.lock:
            req = schema.bind(body, schema.CREATE_GATEWAY)
            rules.validate_gateway_request(req, create=True)
            if any(g["subdomain"] == req["subdomain"] for g in self.stores["gateways"].values()):
                raise DuplicateSubdomain(req["subdomain"])
            now = self._now()
            record: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "name": req["name"],
                "subdomain": req["subdomain"],
                "status": req.get("status", ""),
                "required_plugins": req.get("required_plugins", []),
            }
            record.update({k: req[k] for k in _GATEWAY_BLOCKS if k in req})
            record.update(created_at=now, updated_at=now)
            self.stores["gateways"][record["id"]] = record
            return copy.deepcopy(record)

    def get_gateway(self, gateway_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._get_gateway(gateway_id))

    def list_gateways(self, offset: str | None = None, limit: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return self._page(list(self.stores["gateways"].values()), offset, limit)

    def update_gateway(self, gateway_id: str, body: Any) -> None:
        """Partial update (absent fields kept); ``subdomain`` is not updatable (answers 204)."""
        with self.lock:
            record = self._get_gateway(gateway_id)
            req = schema.bind(body, schema.UPDATE_GATEWAY)
            rules.validate_gateway_request(req, create=False)
            record.update(copy.deepcopy(req))
            record["updated_at"] = self._now()

    def delete_gateway(self, gateway_id: str) -> None:
        """Guarded: a gateway that still has upstreams or services is not deleted (400)."""
        with self.lock:
            gid = self._get_gateway(gateway_id)["id"]
            for kind in ("services", "upstreams"):
                if any(r.get("gateway_id") == gid for r in self.stores[kind].values()):
                    raise EntityInUse("gateway", kind)
            del self.stores["gateways"][gid]

    # -- upstreams ---------------------------------------------------------------------------

    def _build_upstream(
        self, gid: str, body: Any, upstream_id: str, created_at: str | None
    ) -> dict[str, Any]:
        req = schema.bind(body, schema.UPSTREAM)
        rules.validate_upstream_request(req)
        now = self._now()
        record = rules.upstream_record(
            req,
            upstream_id=upstream_id,
            gateway_id=gid,
            created_at=created_at or now,
            updated_at=now,
            force_direct=created_at is None and bool(self.settings["websocket_direct_on_create"]),
        )
        rules.validate_upstream_record(record)
        return record

    def create_upstream(self, gateway_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            gid = self._get_gateway(gateway_id)["id"]
            record = self._build_upstream(gid, body, str(uuid.uuid4()), None)
            self.stores["upstreams"][record["id"]] = record
            return copy.deepcopy(record)

    def get_upstream(self, gateway_id: str, upstream_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._get_upstream(gateway_id, upstream_id))

    def list_upstreams(
        self, gateway_id: str, offset: str | None = None, limit: str | None = None
    ) -> list[dict[str, Any]]:
        with self.lock:
            gid = self._get_gateway(gateway_id)["id"]
            records = [r for r in self.stores["upstreams"].values() if r.get("gateway_id") == gid]
            return self._page(records, offset, limit)

    def update_upstream(self, gateway_id: str, upstream_id: str, body: Any) -> dict[str, Any]:
        """Full replacement: blocks absent from the request (health_checks, proxy, ...) are cleared."""
        with self.lock:
            existing = self._get_upstream(gateway_id, upstream_id)
            record = self._build_upstream(
                existing["gateway_id"], body, existing["id"], existing["created_at"]
            )
            self.stores["upstreams"][record["id"]] = record
            return copy.deepcopy(record)

    def delete_upstream(self, gateway_id: str, upstream_id: str) -> None:
        with self.lock:
            uid = self._get_upstream(gateway_id, upstream_id)["id"]
            if any(s.get("upstream_id") == uid for s in self.stores["services"].values()):
                raise EntityInUse("upstream", "services")
            del self.stores["upstreams"][uid]

    # -- services ----------------------------------------------------------------------------

    def _render_service(self, record: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(record)
        out.pop("upstream", None)
        upstream = self.stores["upstreams"].get(out.get("upstream_id", rules.NIL_UUID))
        if upstream is not None:
            out["upstream"] = copy.deepcopy(upstream)
        return out

    def _build_service(
        self, gateway_id: str, body: Any, service_id: str | None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Bind, parse ids (400), find the existing service (404), validate (500)."""
        req = schema.bind(body, schema.SERVICE)
        if service_id is not None:
            rules.parse_uuid(service_id, "service")
        upstream_id = rules.parse_uuid(req.get("upstream_id", ""), "upstream")
        gid = self._get_gateway(gateway_id)["id"]
        existing = self._get_service(gid, service_id) if service_id is not None else None
        now = self._now()
        record = rules.service_record(
            req,
            service_id=existing["id"] if existing else str(uuid.uuid4()),
            gateway_id=gid,
            upstream_id=upstream_id,
            created_at=existing["created_at"] if existing else now,
            updated_at=now,
        )
        rules.validate_service_record(record)
        if upstream_id != rules.NIL_UUID:
            upstream = self.stores["upstreams"].get(upstream_id)
            if upstream is None or upstream.get("gateway_id") != gid:
                raise NotFound("upstream")
        return record, existing

    def create_service(self, gateway_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            record, _ = self._build_service(gateway_id, body, None)
            self.stores["services"][record["id"]] = record
            return self._render_service(record)

    def get_service(self, gateway_id: str, service_id: str) -> dict[str, Any]:
        with self.lock:
            return self._render_service(self._get_service(gateway_id, service_id))

    def list_services(self, gateway_id: str) -> list[dict[str, Any]]:
        with self.lock:
            gid = self._get_gateway(gateway_id)["id"]
            return [
                self._render_service(r)
                for r in self.stores["services"].values()
                if r.get("gateway_id") == gid
            ]

    def update_service(self, gateway_id: str, service_id: str, body: Any) -> dict[str, Any]:
        """Full replacement; ``retries`` is accepted and dropped, ``created_at`` kept."""
        with self.lock:
            record, _ = self._build_service(gateway_id, body, service_id)
            self.stores["services"][record["id"]] = record
            return self._render_service(record)

    def delete_service(self, gateway_id: str, service_id: str) -> None:
        with self.lock:
            del self.stores["services"][self._get_service(gateway_id, service_id)["id"]]
