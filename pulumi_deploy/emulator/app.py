"""The emulator app: every vendor mounted at its prefix, plus the control API.

    /runpod/v1/...                    RunPod REST v1         (RUNPOD_V1_BASE_URL)
    /runpod/v2/...                    RunPod REST v2         (RUNPOD_BASE_URL; same RunPod state)
    /aieev/external/api/v1/...        Aieev External API     (AIEEV_BASE_URL)
    /cyberun/api/v1/...               Cyberun core API       (CYBERUN_BASE_URL)
    /trustgate/api/v1/...             TrustGate admin API    (TRUSTGATE_BASE_URL = .../trustgate)
    /nemo/apis/models/v2/...          NeMo models v2         (NEMO_BASE_URL = .../nemo)
    /_emulator/...                    control API (control.py)

The middleware below records every vendor call, applies injected latency and faults, and lets
each backend advance its time-based state transitions before a request is served.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .base import VendorEmulator, VendorError
from .control import HOLD_LIMIT, Call, ControlState, control_router
from .vendors import load_vendors


class InjectedDisconnect(Exception):
    """Raised after a response has started, so the server drops the connection mid-response."""


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, state: ControlState) -> None:
        self.app = app
        self.state = state
        self._later: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        match = self.state.vendor_for(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        vendor, rel_path = match
        method = scope["method"]

        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)

        async def replay() -> Message:
            return {"type": "http.request", "body": raw, "more_body": False}

        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        if "authorization" in headers:  # never keep a credential in the log
            scheme, _, token = headers["authorization"].partition(" ")
            headers["authorization"] = f"{scheme} <{len(token)} chars>"
        call = Call(
            seq=self.state.next_seq(),
            vendor=vendor.name,
            method=method,
            path=rel_path,
            query=scope.get("query_string", b"").decode(),
            headers={k: v for k, v in headers.items() if k in ("authorization", "x-team-id", "content-type")},
            body=_parse(raw),
        )
        self.state.record(call)
        self.state.enter()
        try:
            await self._serve(scope, replay, send, vendor, method, rel_path, call)
        finally:
            self.state.leave()

    def _process_later(self, scope: Scope, replay: Receive, seconds: float) -> None:
        """Serve the request ``seconds`` from now, its response going nowhere: the client was answered
        already (a gateway that gave up while its backend kept working)."""

        async def swallow(message: Message) -> None:
            return None

        async def serve() -> None:
            await asyncio.sleep(seconds)
            await self.app(scope, replay, swallow)

        task = asyncio.get_running_loop().create_task(serve())
        self._later.add(task)  # held until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._later.discard)

    async def _serve(
        self, scope: Scope, replay: Receive, send: Send, vendor: VendorEmulator, method: str, rel_path: str, call: Call
    ) -> None:
        delay = self.state.latency_for(vendor.name)
        if delay:
            await asyncio.sleep(delay)
        with vendor.backend.lock:
            vendor.backend.advance()

        fault = self.state.take_fault(vendor.name, method, rel_path)
        if fault is not None:
            call.fault = fault.spec.kind
            spec = fault.spec
            if spec.kind == "status":
                hdrs = {"Retry-After": _fmt(spec.retry_after)} if spec.retry_after is not None else None
                response = vendor.error_response(spec.status, spec.message, hdrs)
                call.status = spec.status
                await response(scope, replay, send)
                return
            if spec.kind == "answer_then_process":
                response = vendor.error_response(spec.status, spec.message, None)
                call.status = spec.status
                await response(scope, replay, send)
                self._process_later(scope, replay, spec.seconds)
                return
            if spec.kind == "drop_before":
                await _drop(send)
            if spec.kind == "delay":
                await asyncio.sleep(spec.seconds)
            if spec.kind == "hold":
                limit = spec.seconds or HOLD_LIMIT
                await asyncio.get_running_loop().run_in_executor(None, fault.released.wait, limit)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.status = message["status"]
            await send(message)

        if fault is not None and fault.spec.kind == "drop_after":

            async def swallow(message: Message) -> None:
                if message["type"] == "http.response.start":
                    call.status = message["status"]

            await self.app(scope, replay, swallow)
            await _drop(send)
        await self.app(scope, replay, recording_send)


async def _drop(send: Send) -> None:
    # Start a response that promises a body, then fail: the server closes the connection and the
    # client sees a protocol error (as with a reset connection), not an HTTP status.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
    raise InjectedDisconnect("injected connection drop")


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def create_app(vendors: list[VendorEmulator] | None = None) -> FastAPI:
    vendor_list = vendors if vendors is not None else load_vendors()
    state = ControlState(vendors={v.name: v for v in vendor_list})
    app = FastAPI(title="pulumi-deploy emulator", docs_url=None, redoc_url=None)
    app.state.control = state
    app.include_router(control_router(state))
    for view in state.views:
        app.include_router(view.router(), prefix=view.prefix)

    @app.exception_handler(VendorError)
    async def vendor_error(request: Request, exc: VendorError) -> Response:
        match = state.vendor_for(request.url.path)
        if match is None:
            return Response(exc.message, status_code=exc.status)
        return match[0].error_response(exc.status, exc.message, exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # Routes that accept a typed body get FastAPI's validation; render it in the vendor's
        # format (vendors that answer 422 themselves override via their own error_response).
        match = state.vendor_for(request.url.path)
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors())
        if match is None:
            return Response(message, status_code=422)
        vendor = match[0]
        status = getattr(vendor, "validation_status", 400)
        return vendor.error_response(status, message)

    app.add_middleware(EmulatorMiddleware, state=state)
    return app
