"""Start and stop the real NeMo Platform models service (PyPI nemo-platform) for the real-peer tier.

The service runs in its own Python 3.12 venv, installed and cached per user by
``scripts/install-nemo-service``; it keeps its state in SQLite under a fresh data directory. Every
failure to start raises :class:`ServiceUnavailable` saying exactly why: the tier fails, never skips.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-nemo-service"
VERSION = "0.6.0"
START_TIMEOUT = 180.0
#: Seconds a DELETED version is kept before the controller's garbage collection hard-deletes it.
GC_TTL_SECONDS = 2


class ServiceUnavailable(RuntimeError):
    """The real service could not be installed or started; the message says why."""


@dataclass
class RunningService:
    base_url: str
    pid: int
    data_dir: Path
    log_path: Path
    auth: bool

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def install() -> Path:
    """The cached venv (installing it on first use); ServiceUnavailable with the script's output otherwise."""
    proc = subprocess.run(["bash", str(INSTALL_SCRIPT), VERSION], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ServiceUnavailable(
            f"scripts/install-nemo-service {VERSION} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    venv = Path(proc.stdout.strip().splitlines()[-1])
    if not (venv / "bin" / "nemo").exists():
        raise ServiceUnavailable(f"scripts/install-nemo-service printed {venv}, which has no bin/nemo")
    return venv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bundled_config(venv: Path) -> dict[str, Any]:
    found = sorted(venv.glob("lib/python3.*/site-packages/nmp/platform_runner/config/local.yaml"))
    if not found:
        raise ServiceUnavailable(f"{venv} has no nmp/platform_runner/config/local.yaml (unexpected package layout)")
    return yaml.safe_load(found[0].read_text())  # type: ignore[no-any-return]


def service_config(venv: Path, port: int, *, auth: bool) -> dict[str, Any]:
    """The bundled local config, adjusted so that deployments are enabled without docker.

    With runtime ``docker`` and no docker daemon the server downgrades to ``none`` and refuses every
    deployment mutation; ``kubernetes`` keeps the deployment API enabled (no controller runs here).
    """
    cfg = bundled_config(venv)
    cfg["platform"]["runtime"] = "kubernetes"
    cfg["platform"]["base_url"] = f"http://127.0.0.1:{port}"
    cfg["auth"]["policy_decision_point_base_url"] = f"http://127.0.0.1:{port}"
    cfg["auth"]["enabled"] = auth
    if auth:
        # A missing optional policy plugin otherwise turns every call into 502 "Authorization service error".
        cfg["auth"]["on_invalid_plugin"] = "quarantine"
    cfg["models"]["controller"]["model_deployment_garbage_collection_ttl_seconds"] = GC_TTL_SECONDS
    return cfg


@contextmanager
def run_service(workdir: Path, *, auth: bool = False) -> Iterator[RunningService]:
    """Start ``nemo services run`` (auth, entities, secrets, files, models) on a free loopback port."""
    venv = install()
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "platform.yaml"
    config_path.write_text(yaml.safe_dump(service_config(venv, port, auth=auth)))
    data_dir = workdir / "data"
    data_dir.mkdir(exist_ok=True)
    log_path = workdir / "service.log"
    env = {
        **os.environ,
        "NMP_CONFIG_FILE_PATH": str(config_path),
        "NMP_DATA_DIR": str(data_dir),
        "NEMO_TELEMETRY_ENABLED": "false",
        "HOME": str(workdir),  # the CLI writes its own config and instance files under HOME
    }
    cmd = [
        str(venv / "bin" / "nemo"),
        "services",
        "run",
        "--services",
        "auth,entities,secrets,files,models",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config",
        str(config_path),
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir, start_new_session=True)
    service = RunningService(f"http://127.0.0.1:{port}", proc.pid, data_dir, log_path, auth)
    try:
        wait_ready(service, proc)
        yield service
    finally:
        stop(proc)


def unsigned_jwt(email: str) -> str:
    """A JWT with ``alg: none`` (accepted only with ``auth.allow_unsigned_jwt``)."""
    import base64
    import json

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": email, "email": email, "iat": now, "exp": now + 3600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def wait_ready(service: RunningService, proc: subprocess.Popen[bytes]) -> None:
    """Poll until the models API answers (200; with auth on, 401 to a request without a token).

    Fails with the log tail when the process exits or the time runs out.
    """
    url = f"{service.base_url}/apis/models/v2/workspaces/default/deployments"
    ready = 401 if service.auth else 200
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise ServiceUnavailable(
                f"the NeMo service exited with code {code} while starting; log {service.log_path}:\n"
                + service.log_tail()
            )
        try:
            r = httpx.get(url, timeout=5)
            if r.status_code == ready:
                return
            last = f"HTTP {r.status_code}: {r.text[:200]}"
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}"
        time.sleep(0.5)
    raise ServiceUnavailable(
        f"the NeMo service did not answer {ready} on {url} within {START_TIMEOUT:.0f}s (last: {last}); "
        f"log {service.log_path}:\n{service.log_tail()}"
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the service's process group (it runs worker subprocesses), SIGKILL after 20 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
