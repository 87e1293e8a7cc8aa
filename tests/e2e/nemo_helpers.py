"""Call-log and inventory helpers, and the fast-controller settings, shared by the NeMo e2e tests."""

from __future__ import annotations

from typing import Any

import httpx

FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}
PROVIDER_ID = "default/llama-provider"


def nemo_calls(emulator, method: str | None = None, contains: str = "") -> list[tuple[str, str]]:
    return [
        (c["method"], c["path"])
        for c in emulator.calls("nemo")
        if (method is None or c["method"] == method) and contains in c["path"]
    ]


def objects(emulator, kind: str) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in emulator.inventory("nemo").get(kind, [])}


def fast_controller(emulator) -> None:
    """Quick controller transitions; every body the provider sends must match the request schemas exactly."""
    emulator.settings(
        "nemo",
        created_seconds=0.05,
        pending_seconds=0.05,
        deleting_seconds=0.05,
        hard_delete_seconds=0.05,
        reject_unknown_fields=True,
    )


def make_projects(emulator, *names: str, workspace: str = "default") -> None:
    """Projects must exist before an object names one (the platform answers 422 otherwise)."""
    for name in names:
        url = f"{emulator.base_url('nemo')}/apis/entities/v2/workspaces/{workspace}/projects"
        response = httpx.post(url, json={"name": name})
        assert response.status_code == 201, response.text
    emulator.clear_calls()  # tests assert on the provider's calls only
