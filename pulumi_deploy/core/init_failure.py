"""Hand the engine the object a failed create made (or a failed update changed), so that the stack
records it as it now is.

The engine's provider protocol lets a failing ``Create`` or ``Update`` say "the object exists, and
is now this": an ``ErrorResourceInitFailed`` detail (id and properties) in the call's gRPC status.
The engine then records the object with the failure as an *initialization error*: ``up`` reports the
error, the stack holds the object (``destroy`` deletes it), and the next ``up`` updates the resource
even where nothing changed, to finish it, instead of creating a second object or writing the change
again.

The SDK's dynamic-provider server cannot say this: its handler aborts every failed call with a plain
status (code UNKNOWN and the formatted error). It formats the error (``traceback.format_exc``, which
``error_display`` stands in for) on the call's own gRPC context right before aborting; the detail is
set there as the call's trailing metadata, which gRPC sends with the status the abort sets. The two
must agree on the code, or the engine ignores the detail.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from .errors import Unfinished

STATUS_DETAILS_KEY = "grpc-status-details-bin"
#: ``grpc.StatusCode.UNKNOWN``, which the SDK's handler aborts a failed call with.
ABORT_CODE = 2


class TrailingMetadata(Protocol):
    def set_trailing_metadata(self, trailing_metadata: Any) -> None: ...


def status_details(exc: Unfinished, message: str) -> bytes:
    """The ``google.rpc.Status`` (serialized) that tells the engine the object ``exc`` names exists."""
    from google.protobuf import any_pb2  # type: ignore[import-untyped]
    from google.rpc import status_pb2  # type: ignore[import-untyped]
    from pulumi.runtime import rpc
    from pulumi.runtime.proto import provider_pb2

    loop = asyncio.new_event_loop()  # as the SDK's handler serializes a create's outputs
    try:
        properties = loop.run_until_complete(rpc.serialize_properties(exc.outputs, {}))
    finally:
        loop.close()
    detail = any_pb2.Any()
    detail.Pack(provider_pb2.ErrorResourceInitFailed(id=exc.id, properties=properties, reasons=[message]))
    return bytes(status_pb2.Status(code=ABORT_CODE, message=message, details=[detail]).SerializeToString())


def attach(context: TrailingMetadata, exc: Unfinished, message: str) -> None:
    """Make the failing call's status say that ``exc``'s object exists, with ``message`` as the error."""
    context.set_trailing_metadata(((STATUS_DETAILS_KEY, status_details(exc, message)),))
