"""A small client for the emulator's control API (tests, benchmarks, the demo)."""

from __future__ import annotations

from typing import Any

import httpx


class EmulatorControl:
    def __init__(self, root_url: str) -> None:
        self.root_url = root_url.rstrip("/")
        self._http = httpx.Client(base_url=self.root_url + "/_emulator", timeout=10)

    def close(self) -> None:
        self._http.close()

    def _ok(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    def vendors(self) -> dict[str, str]:
        return self._ok(self._http.get("/vendors"))  # type: ignore[no-any-return]

    def mounts(self) -> list[dict[str, str]]:
        """Every served API view (``vendor``, ``prefix``, ``base_url_env``); RunPod serves two."""
        return self._ok(self._http.get("/mounts"))  # type: ignore[no-any-return]

    def action(self, vendor: str, action: str, **body: Any) -> Any:
        return self._ok(self._http.post(f"/{vendor}/actions/{action}", json=body))

    def base_url(self, vendor: str) -> str:
        return self.root_url + self.vendors()[vendor]

    def reset(self, vendor: str | None = None) -> None:
        self._ok(self._http.post("/reset", params={"vendor": vendor} if vendor else None))

    def calls(self, vendor: str | None = None) -> list[dict[str, Any]]:
        return self._ok(self._http.get("/calls", params={"vendor": vendor} if vendor else None))  # type: ignore[no-any-return]

    def clear_calls(self) -> None:
        self._ok(self._http.delete("/calls"))

    def concurrency(self) -> dict[str, int]:
        """Requests in flight now and the peak since the call log was last cleared."""
        return self._ok(self._http.get("/concurrency"))  # type: ignore[no-any-return]

    def set_latency(self, seconds: float, vendor: str = "*") -> None:
        self._ok(self._http.put("/latency", json={"vendor": vendor, "seconds": seconds}))

    def add_fault(self, vendor: str, **spec: Any) -> int:
        return int(self._ok(self._http.post("/faults", json={"vendor": vendor, **spec}))["id"])

    def set_chaos(self, **spec: Any) -> None:
        """Inject a seeded random mix of failures into every vendor request (see control.py)."""
        self._ok(self._http.put("/chaos", json=spec))

    def chaos(self) -> dict[str, Any]:
        """Requests seen under chaos and the failures injected, by kind."""
        return self._ok(self._http.get("/chaos"))  # type: ignore[no-any-return]

    def stop_chaos(self) -> None:
        self._ok(self._http.delete("/chaos"))

    def release_fault(self, fault_id: int) -> None:
        """Let the requests held by a ``hold`` fault go on."""
        self._ok(self._http.post(f"/faults/{fault_id}/release"))

    def clear_faults(self) -> None:
        self._ok(self._http.delete("/faults"))

    def inventory(self, vendor: str) -> dict[str, list[dict[str, Any]]]:
        return self._ok(self._http.get("/inventory", params={"vendor": vendor}))[vendor]  # type: ignore[no-any-return]

    def settings(self, vendor: str, **changes: Any) -> dict[str, Any]:
        return self._ok(self._http.put(f"/{vendor}/settings", json=changes))  # type: ignore[no-any-return]

    def seed(self, vendor: str, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        return self._ok(self._http.post(f"/{vendor}/objects/{kind}", json=record))  # type: ignore[no-any-return]

    def patch(self, vendor: str, kind: str, object_id: str, **changes: Any) -> dict[str, Any]:
        return self._ok(self._http.patch(f"/{vendor}/objects/{kind}/{object_id}", json=changes))  # type: ignore[no-any-return]

    def delete(self, vendor: str, kind: str, object_id: str) -> None:
        self._ok(self._http.delete(f"/{vendor}/objects/{kind}/{object_id}"))
