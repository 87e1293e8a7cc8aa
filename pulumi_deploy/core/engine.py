"""What the engine knows about the call being served: the resource's URN, and a way to log under it.

The SDK's provider server calls ``provider.check(olds, news)`` and friends with the properties only;
the gRPC request it is serving (``CheckRequest``, ``DiffRequest``, ``CreateRequest``...) also carries
the resource's URN, logical name and type, and the provider process was started with the engine's
address as its first argument. Both are read here, so that

* a preview note (rolling release, downtime, replacement) is logged *on the resource* — shown under
  it in ``pulumi preview``/``up`` and in ``preview --json`` diagnostics — instead of on the stack;
* names the provider chooses can be derived from the URN, the same in ``preview`` and ``up``.

The request is found on the call stack: the servicer method that called the provider holds it in its
``request`` local. Outside the provider process (tests calling a provider directly) nothing is found
and callers fall back to their plain behaviour.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Any

from . import log
from .withheld import scrub_current

SERVER_MODULE = "pulumi/dynamic/__main__.py"


@dataclass(frozen=True)
class EngineCall:
    """The resource the engine is asking about."""

    urn: str
    name: str
    type: str


def current_call() -> EngineCall | None:
    """The URN, name and type of the resource whose call this thread is serving, if any."""
    frame: Any = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.replace("\\", "/").endswith(SERVER_MODULE):
            request = frame.f_locals.get("request")
            urn = getattr(request, "urn", "")
            if urn:
                name = getattr(request, "name", "") or urn.rsplit("::", 1)[-1]
                type_ = getattr(request, "type", "") or urn.rsplit("::", 2)[-2]
                return EngineCall(str(urn), str(name), str(type_))
        frame = frame.f_back
    return None


def engine_address() -> str | None:
    """The engine's gRPC address, passed to the provider process as its first argument."""
    if len(sys.argv) > 1 and ":" in sys.argv[1] and not sys.argv[1].startswith("-"):
        return sys.argv[1]
    return None


_stub_lock = threading.Lock()
_stub: Any = None


def _engine_stub() -> Any:
    global _stub
    address = engine_address()
    if address is None:
        return None
    with _stub_lock:
        if _stub is None:
            import grpc  # type: ignore[import-untyped]
            from pulumi.runtime.proto import engine_pb2_grpc

            _stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))
        return _stub


def note(message: str, *, warning: bool = True) -> None:
    """Log ``message`` under the resource being served (a warning by default); on stderr otherwise.

    Never pass a credential here (a secret value of the call being served is shown as ``[secret]``).
    """
    message = scrub_current(message)
    call = current_call()
    stub = _engine_stub() if call is not None else None
    if stub is not None and call is not None:
        from pulumi.runtime.proto import engine_pb2

        severity = engine_pb2.WARNING if warning else engine_pb2.INFO
        try:
            stub.Log(engine_pb2.LogRequest(severity=severity, message=message, urn=call.urn, ephemeral=False))
            return
        except Exception as exc:  # the note must not fail the operation it describes
            log.info(f"(could not log to the engine: {type(exc).__name__}) {message}")
            return
    log.info(message)
