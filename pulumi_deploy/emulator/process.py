"""Start and stop ``python -m pulumi_deploy.emulator`` as a child process (tests, demo, bench)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .client import EmulatorControl


@dataclass
class RunningEmulator:
    root_url: str
    base_urls: dict[str, str]  # env var name -> URL, e.g. RUNPOD_BASE_URL
    control: EmulatorControl


@contextmanager
def run_emulator(timeout: float = 30.0) -> Iterator[RunningEmulator]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_deploy.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if not first.startswith("EMULATOR_URL="):
            raise RuntimeError(f"emulator did not start (exit {proc.poll()}): {first!r}")
        root = first.split("=", 1)[1]
        control = EmulatorControl(root)
        base_urls: dict[str, str] = {}
        mounts = control.mounts()
        while len(base_urls) < len(mounts):
            key, _, value = proc.stdout.readline().strip().partition("=")
            base_urls[key] = value
        yield RunningEmulator(root, base_urls, control)
        control.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
