"""Unit tests call providers directly, outside any stack: give every vendor a usable configuration.

``check`` verifies that the vendor can be called (credential, base URL), as it does in a preview;
tests about configuration itself remove or replace these with ``monkeypatch``.
"""

from __future__ import annotations

import pytest

from pulumi_deploy.core import planned
from pulumi_deploy.core.config import load_stack_config

UNIT_ENV = {
    "RUNPOD_API_KEY": "rp-unit-key",
    "AIEEV_API_KEY": "aieev-unit-key",
    "CYBERUN_TOKEN": "sk-unit-token",
    "TRUSTGATE_ADMIN_TOKEN": "tg-unit-token",
    "TRUSTGATE_BASE_URL": "http://127.0.0.1:9/trustgate",
    "NEMO_BASE_URL": "http://127.0.0.1:9/nemo",
}


@pytest.fixture(autouse=True)
def vendor_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in UNIT_ENV.items():
        monkeypatch.setenv(name, value)
    load_stack_config({})
    planned.clear()  # one process runs every test: a check in one must not count as another's
