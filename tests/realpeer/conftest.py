"""Real-peer tier: the NeMo scenarios through the real Pulumi CLI against the real NeMo models service.

Session fixtures start the service (its own Python 3.12 venv, from ``scripts/install-nemo-service``)
and, for the delete path only, the controller stand-in; both are stopped by PID at the end. When the
service cannot be installed or started the tier FAILS with the reason (it never skips).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import process_leaks
import pytest
from nemo_scenarios import MODELS, Peer
from nemo_service import GC_TTL_SECONDS, RunningService, ServiceUnavailable, run_service, stop

from pulumi_deploy.local_stack import LocalStack, repo_env_defaults

REPO_ROOT = Path(__file__).resolve().parents[2]
STANDIN = Path(__file__).resolve().parent / "controller_standin.py"
#: The stand-in leaves deployments with this name prefix DELETING, so a test can observe that state.
HOLD_PREFIX = "hold-"
#: No NeMo token at all: a local platform runs with auth off and needs none.
PEER_ENV = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.2"}
#: Figures printed after the run (start-up and scenario times); printing them from a test would break
#: pytest's progress line.
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("real NeMo peer")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def figures() -> list[str]:
    return FIGURES


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, *, auth: bool) -> Iterator[RunningService]:
    started = time.monotonic()
    try:
        with run_service(tmp_path_factory.mktemp(name), auth=auth) as service:
            FIGURES.append(f"{name}: install check + start {time.monotonic() - started:.1f}s ({service.base_url})")
            yield service
    except ServiceUnavailable as exc:
        pytest.fail(f"real-peer tier: the real NeMo service is unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def real_nemo(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """The real models service (auth off) with the controller stand-in running beside it."""
    # Kept alive for the whole session on purpose: not a leak of the test that happened to start them.
    with process_leaks.kept_alive(process_leaks.guard(pytestconfig), _real_nemo(tmp_path_factory)) as service:
        yield service


@pytest.fixture(scope="session")
def real_nemo_auth(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """A second real service with auth on (no controller stand-in: nothing there gets deleted)."""
    starts = contextlib.contextmanager(_start)(tmp_path_factory, "nemo-real-auth", auth=True)
    with process_leaks.kept_alive(process_leaks.guard(pytestconfig), starts) as service:
        yield service


@contextlib.contextmanager
def _real_nemo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    for service in _start(tmp_path_factory, "nemo-real", auth=False):
        log = (service.data_dir.parent / "controller-standin.log").open("wb")
        standin = subprocess.Popen(
            [sys.executable, str(STANDIN), service.base_url, str(GC_TTL_SECONDS), "0.3", HOLD_PREFIX],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield service
        finally:
            stop(standin)
            log.close()


@pytest.fixture
def peer(real_nemo: RunningService) -> Peer:
    base = real_nemo.base_url

    def hold_deleting(name: str) -> None:
        assert name.startswith(HOLD_PREFIX), name
        assert httpx.delete(f"{base}{MODELS}/default/deployments/{name}").status_code == 202

    def release(name: str) -> None:
        path = f"{base}{MODELS}/default/deployments/{name}"
        body = {"status": "DELETED", "status_message": "Deleted deployments-plugin entities."}
        assert httpx.post(f"{path}/status", json=body).status_code == 200
        assert httpx.delete(path).status_code == 404  # every version DELETED: removed

    return Peer(base, {"NEMO_BASE_URL": base, **PEER_ENV}, hold_deleting, release, "real")


StackFactory = Callable[..., LocalStack]


@pytest.fixture
def make_stack(tmp_path: Path, cli_root: Path) -> Iterator[StackFactory]:
    """Stacks that reach only the real service: no emulator, no vendor tokens."""

    counter = itertools.count()

    def factory(program: Callable[[], None], env: dict[str, str] | None = None) -> LocalStack:
        # NEMO_* settings of the calling shell must not reach these stacks: blank them (blank = unset).
        blanked = {k: "" for k in os.environ if k.startswith("NEMO_")}
        full_env = {**blanked, **repo_env_defaults(), **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
        return LocalStack(tmp_path / f"stack{next(counter)}", program, cli_root=cli_root, env=full_env)

    yield factory
