"""What every vendor emulator provides, moto-style.

A vendor emulator is two halves:

* a **backend** (``<vendor>/backend.py``): plain Python state and every rule of the service
  (enums, ranges, state machines). It never imports FastAPI, so its tests need no HTTP.
* **routes** (``<vendor>/routes.py``): a FastAPI ``APIRouter`` whose handlers parse the request,
  call one backend method and serialise the result. Vendor errors are raised as subclasses of
  :class:`VendorError`; the app renders them with :meth:`VendorEmulator.error_response`.

Records are stored as plain dicts in the vendor's *response* shape, keyed by kind and id in
``EmulatorBackend.stores``, so that the generic control API (inventory, seed, out-of-band
patch/delete) works for every vendor without vendor code.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response


class VendorError(Exception):
    """A vendor error: HTTP status and message; the vendor's ``error_response`` renders the body.

    Subclasses set ``status`` (and optionally ``code``) as class attributes and build the message
    from identifiers, like moto's exceptions.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str | None] = None

    def __init__(self, message: str, *, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status  # type: ignore[misc]
        self.headers = headers or {}


class EmulatorBackend:
    """State container with the generic hooks the control API needs.

    ``stores[kind][id] -> record`` holds every object. ``settings`` holds tunables (e.g. how long
    an asynchronous transition takes) that tests change through ``PUT /_emulator/<vendor>/settings``.
    Subclasses declare ``default_settings`` and ``kinds`` and implement the vendor operations.
    """

    kinds: ClassVar[tuple[str, ...]] = ()
    default_settings: ClassVar[dict[str, Any]] = {}

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.stores: dict[str, dict[str, dict[str, Any]]] = {}
        self.settings: dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.stores = {kind: {} for kind in self.kinds}
            self.settings = copy.deepcopy(self.default_settings)

    # -- generic control hooks (override where a vendor needs more than dict surgery) --------

    def advance(self) -> None:
        """Apply time-based state transitions that are due. Called before every request."""

    def inventory(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            self.advance()
            return {kind: [copy.deepcopy(r) for r in store.values()] for kind, store in self.stores.items()}

    def _store(self, kind: str) -> dict[str, dict[str, Any]]:
        if kind not in self.stores:
            raise KeyError(f"unknown kind {kind!r}; known: {sorted(self.stores)}")
        return self.stores[kind]

    def control_seed(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert a record as-is (for objects the real API cannot create, e.g. Aieev endpoints)."""
        with self.lock:
            self._store(kind)[str(record["id"])] = copy.deepcopy(record)
            return copy.deepcopy(record)

    def control_patch(self, kind: str, object_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a record behind the client's back (drift); keys are in the response shape."""
        with self.lock:
            record = self._store(kind)[object_id]
            record.update(copy.deepcopy(changes))
            return copy.deepcopy(record)

    def control_delete(self, kind: str, object_id: str) -> None:
        """Delete a record behind the client's back."""
        with self.lock:
            del self._store(kind)[object_id]

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            unknown = set(changes) - set(self.default_settings)
            if unknown:
                raise KeyError(f"unknown settings {sorted(unknown)}; known: {sorted(self.default_settings)}")
            self.settings.update(changes)
            return dict(self.settings)


class VendorEmulator:
    """One vendor: its name, URL prefix, backend, router and error-body format."""

    name: ClassVar[str]
    #: Path under the app root that corresponds to the vendor's *base URL* as the client
    #: configures it (e.g. ``/runpod/v1`` for ``https://rest.runpod.io/v1``).
    prefix: ClassVar[str]
    #: Environment variable the client reads the base URL from.
    base_url_env: ClassVar[str]

    def __init__(self) -> None:
        self.backend = self.create_backend()

    def create_backend(self) -> EmulatorBackend:
        raise NotImplementedError

    def router(self) -> APIRouter:
        raise NotImplementedError

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """Render an error the way the vendor does. Default: ``{"message": ...}``."""
        return JSONResponse({"message": message}, status_code=status, headers=headers)
