"""The emulator's control plane: call log, latency, fault injection, reset, inventory.

Kept apart from the vendor routes (moto's ``moto_api``): everything here lives under
``/_emulator`` and is never recorded in the call log.

Fault kinds (``POST /_emulator/faults``):

``status``       answer with ``status`` (and ``Retry-After: retry_after`` if given) in the vendor's
                 error format, without touching the backend.
``drop_before``  close the connection before the backend sees the request.
``drop_after``   let the backend process the request, then close the connection without the
                 response: the ambiguous failure that makes blind POST retries create duplicates.
``delay``        sleep ``seconds`` before processing (to trip client timeouts).
``answer_then_process``  answer ``status`` (e.g. 504) at once, then let the backend process the
                 request ``seconds`` later: a gateway that gave up while its backend kept working, the
                 ambiguous failure that an immediate look-then-retry turns into a duplicate.
``hold``         keep the request waiting until ``POST /_emulator/faults/{id}/release`` (at most
                 ``seconds``, default 120), then serve it: a test can keep an operation in flight
                 for exactly as long as it needs, on any machine load.

``GET /_emulator/concurrency`` reports the requests in flight now and the peak since the call log
was last cleared (latency and faults included), to prove how many calls a client runs at once.

A fault matches on vendor, optional method and optional path regex (``re.search`` against the
path as the call log records it) and fires ``times`` times (default 1).

A vendor may serve several API versions over one backend (RunPod v1 and v2): it lists the further
views in ``extra_views``; each is mounted at its own prefix and prints its own base URL, and its
calls are logged under the vendor's name with the view's ``call_log_prefix`` (``/v2/serverless``).

Vendor-specific controls: ``POST /_emulator/<vendor>/actions/<action>`` with a JSON object calls
the backend's ``control_action`` (RunPod: ``rollout_step``, ``fail_release``).

Chaos (``PUT /_emulator/chaos``): a seeded random mix of the same faults on every vendor request
(rates of 503, 429 with Retry-After, 500, drop_before, drop_after), for the reliability tests of
record; ``GET /_emulator/chaos`` counts what was injected. Explicit faults are matched first.
``max_streak`` bounds how many times in a row one request (vendor, method, path) fails: a transient
fault is an outage that ends, and with independent draws a test of record would fail whenever, by
how concurrent requests happened to interleave, one request drew more failures in a row than the
client's retry budget. Each request still consumes its draw, so the seed fixes the sequence.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from .base import VendorEmulator

FaultKind = Literal["status", "drop_before", "drop_after", "delay", "hold", "answer_then_process"]

HOLD_LIMIT = 120.0
"""A held request is served anyway after this long, so a test that forgets to release cannot hang."""


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor: str
    kind: FaultKind = "status"
    method: str | None = None
    path: str | None = None
    status: int = 503
    retry_after: float | None = None
    message: str = "injected fault"
    seconds: float = 0.0
    times: int = 1


class ChaosSpec(BaseModel):
    """Probabilities (0..1) of each injected failure per vendor request; the rest are served."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 0
    vendors: list[str] | None = None  # None: every vendor
    status_503: float = 0.0
    status_429: float = 0.0
    status_500: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    retry_after: float = 0.05
    max_streak: int | None = Field(default=None, ge=1)  # None: failures in a row are unbounded

    def draw(self, rng: random.Random) -> FaultSpec | None:
        r = rng.random()
        for rate, spec in (
            (self.status_503, {"kind": "status", "status": 503, "message": "chaos: service unavailable"}),
            (self.status_429, {"kind": "status", "status": 429, "retry_after": self.retry_after, "message": "chaos"}),
            (self.status_500, {"kind": "status", "status": 500, "message": "chaos: internal error"}),
            (self.drop_before, {"kind": "drop_before"}),
            (self.drop_after, {"kind": "drop_after"}),
        ):
            if r < rate:
                return FaultSpec(vendor="*", **spec)
            r -= rate
        return None


def _chaos_label(spec: FaultSpec) -> str:
    return f"status_{spec.status}" if spec.kind == "status" else spec.kind


@dataclass
class Fault:
    id: int
    spec: FaultSpec
    remaining: int
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, vendor: str, method: str, path: str) -> bool:
        s = self.spec
        return (
            self.remaining > 0
            and s.vendor == vendor
            and (s.method is None or s.method.upper() == method)
            and (s.path is None or re.search(s.path, path) is not None)
        )


@dataclass
class Call:
    seq: int
    vendor: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    status: int | None = None
    fault: str | None = None


def views_of(vendor: VendorEmulator) -> list[VendorEmulator]:
    """The API views a vendor serves: itself, then any further versions over the same backend."""
    extra: tuple[VendorEmulator, ...] = getattr(vendor, "extra_views", ())
    return [vendor, *extra]


@dataclass
class ControlState:
    vendors: dict[str, VendorEmulator]
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    latency: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    chaos: ChaosSpec | None = None
    chaos_rng: random.Random = field(default_factory=random.Random)
    chaos_counts: dict[str, int] = field(default_factory=dict)
    chaos_requests: int = 0
    chaos_spared: int = 0
    """Draws of a failure served anyway because their request had failed ``max_streak`` times in a row."""
    chaos_streaks: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """Chaos failures in a row per request (vendor, method, path), for ``max_streak``."""
    in_flight: int = 0
    peak_in_flight: int = 0
    """Most vendor requests being served at the same moment since the last ``clear_calls``: how much
    concurrency a client really achieved (latency included), without timing anything."""
    _seq: itertools.count = field(default_factory=itertools.count)

    @property
    def views(self) -> list[VendorEmulator]:
        return [view for vendor in self.vendors.values() for view in views_of(vendor)]

    def vendor_for(self, path: str) -> tuple[VendorEmulator, str] | None:
        """The view whose prefix ``path`` falls under, and the path as the call log names it
        (relative to the prefix, after the view's ``call_log_prefix``)."""
        for view in self.views:
            if path == view.prefix or path.startswith(view.prefix + "/"):
                log_prefix: str = getattr(view, "call_log_prefix", "")
                return view, log_prefix + (path[len(view.prefix) :] or "/")
        return None

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def next_seq(self) -> int:
        return next(self._seq)

    def take_fault(self, vendor: str, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(vendor, method, path):
                    fault.remaining -= 1
                    return fault
            chaos = self.chaos
            if chaos is None or (chaos.vendors is not None and vendor not in chaos.vendors):
                return None
            self.chaos_requests += 1
            spec = chaos.draw(self.chaos_rng)
            key = (vendor, method, path)
            streak = self.chaos_streaks.get(key, 0)
            if spec is not None and chaos.max_streak is not None and streak >= chaos.max_streak:
                self.chaos_spared += 1
                spec = None
            self.chaos_streaks[key] = streak + 1 if spec is not None else 0
            if spec is None:
                return None
            label = _chaos_label(spec)
            self.chaos_counts[label] = self.chaos_counts.get(label, 0) + 1
            return Fault(id=-1, spec=spec.model_copy(update={"vendor": vendor}), remaining=0)

    def latency_for(self, vendor: str) -> float:
        return self.latency.get(vendor, self.latency.get("*", 0.0))

    def reset(self, vendor: str | None = None) -> None:
        targets = [self.vendors[vendor]] if vendor else list(self.vendors.values())
        for v in targets:
            v.backend.reset()
        with self.lock:
            for f in self.faults:
                if vendor is None or f.spec.vendor == vendor:
                    f.released.set()
            if vendor is None:
                self.calls.clear()
                self.peak_in_flight = self.in_flight
                self.chaos = None
                self.faults.clear()
                self.latency.clear()
            else:
                self.calls = [c for c in self.calls if c.vendor != vendor]
                self.faults = [f for f in self.faults if f.spec.vendor != vendor]
                self.latency.pop(vendor, None)


class LatencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor: str = "*"
    seconds: float


def control_router(state: ControlState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["control"])

    def vendor_or_404(name: str) -> VendorEmulator:
        if name not in state.vendors:
            raise HTTPException(404, f"unknown vendor {name!r}; known: {sorted(state.vendors)}")
        return state.vendors[name]

    @router.get("/vendors")
    def vendors() -> dict[str, str]:
        return {name: v.prefix for name, v in state.vendors.items()}

    @router.get("/mounts")
    def mounts() -> list[dict[str, str]]:
        """Every served API view: vendor, URL prefix and the base-URL variable it is printed as."""
        return [{"vendor": v.name, "prefix": v.prefix, "base_url_env": v.base_url_env} for v in state.views]

    @router.post("/reset")
    def reset(vendor: str | None = None) -> dict[str, bool]:
        if vendor is not None:
            vendor_or_404(vendor)
        state.reset(vendor)
        return {"reset": True}

    @router.get("/calls")
    def calls(vendor: str | None = None) -> list[dict[str, Any]]:
        with state.lock:
            return [asdict(c) for c in state.calls if vendor is None or c.vendor == vendor]

    @router.delete("/calls")
    def clear_calls() -> dict[str, bool]:
        with state.lock:
            state.calls.clear()
            state.peak_in_flight = state.in_flight
        return {"cleared": True}

    @router.get("/concurrency")
    def concurrency() -> dict[str, int]:
        with state.lock:
            return {"in_flight": state.in_flight, "peak": state.peak_in_flight}

    @router.put("/latency")
    def set_latency(spec: LatencySpec) -> dict[str, float]:
        if spec.vendor != "*":
            vendor_or_404(spec.vendor)
        with state.lock:
            state.latency[spec.vendor] = spec.seconds
            return dict(state.latency)

    @router.post("/faults")
    def add_fault(spec: FaultSpec) -> dict[str, int]:
        vendor_or_404(spec.vendor)
        with state.lock:
            fault = Fault(id=state.next_seq(), spec=spec, remaining=spec.times)
            state.faults.append(fault)
        return {"id": fault.id}

    @router.post("/faults/{fault_id}/release")
    def release_fault(fault_id: int) -> dict[str, bool]:
        with state.lock:
            fault = next((f for f in state.faults if f.id == fault_id), None)
        if fault is None:
            raise HTTPException(404, f"no fault {fault_id}")
        fault.released.set()
        return {"released": True}

    @router.get("/faults")
    def list_faults() -> list[dict[str, Any]]:
        with state.lock:
            return [{"id": f.id, "remaining": f.remaining, **f.spec.model_dump()} for f in state.faults]

    @router.delete("/faults")
    def clear_faults() -> dict[str, bool]:
        with state.lock:
            for f in state.faults:
                f.released.set()  # nothing stays held by a fault that no longer exists
            state.faults.clear()
        return {"cleared": True}

    @router.put("/chaos")
    def set_chaos(spec: ChaosSpec) -> dict[str, Any]:
        for name in spec.vendors or []:
            vendor_or_404(name)
        with state.lock:
            state.chaos = spec
            state.chaos_rng = random.Random(spec.seed)
            state.chaos_counts = {}
            state.chaos_requests = 0
            state.chaos_streaks = {}
            state.chaos_spared = 0
        return spec.model_dump()

    @router.get("/chaos")
    def chaos_report() -> dict[str, Any]:
        with state.lock:
            return {
                "active": state.chaos is not None,
                "requests": state.chaos_requests,
                "injected": dict(state.chaos_counts),
                "spared": state.chaos_spared,
            }

    @router.delete("/chaos")
    def stop_chaos() -> dict[str, bool]:
        with state.lock:
            state.chaos = None
        return {"stopped": True}

    @router.get("/inventory")
    def inventory(vendor: str | None = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
        names = [vendor_or_404(vendor).name] if vendor else list(state.vendors)
        return {name: state.vendors[name].backend.inventory() for name in names}

    @router.put("/{vendor}/settings")
    def settings(vendor: str, changes: dict[str, Any]) -> dict[str, Any]:
        try:
            return vendor_or_404(vendor).backend.update_settings(changes)
        except KeyError as exc:
            raise HTTPException(400, str(exc.args[0])) from exc

    @router.post("/{vendor}/actions/{action}")
    def action(vendor: str, action: str, body: dict[str, Any]) -> Any:
        backend = vendor_or_404(vendor).backend
        hook: Callable[[str, dict[str, Any]], Any] | None = getattr(backend, "control_action", None)
        if hook is None:
            raise HTTPException(404, f"vendor {vendor!r} has no control actions")
        try:
            return hook(action, body)
        except KeyError as exc:
            raise HTTPException(400, str(exc.args[0])) from exc

    @router.post("/{vendor}/objects/{kind}")
    def seed(vendor: str, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        try:
            return vendor_or_404(vendor).backend.control_seed(kind, record)
        except KeyError as exc:
            raise HTTPException(400, str(exc.args[0])) from exc

    @router.patch("/{vendor}/objects/{kind}/{object_id:path}")
    def patch(vendor: str, kind: str, object_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        try:
            return vendor_or_404(vendor).backend.control_patch(kind, object_id, changes)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from exc

    @router.delete("/{vendor}/objects/{kind}/{object_id:path}")
    def delete(vendor: str, kind: str, object_id: str) -> dict[str, bool]:
        try:
            vendor_or_404(vendor).backend.control_delete(kind, object_id)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from exc
        return {"deleted": True}

    return router
