"""Fixtures of the reliability tier."""

from __future__ import annotations

import contextlib
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator

import process_leaks
import pytest
from s3_state import S3Server


@contextlib.contextmanager
def run_s3_server() -> Iterator[S3Server]:
    # A missing moto is a failure (the dev extra installs it), never a skip.
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def drain() -> None:  # keep reading so the server never blocks on a full pipe
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            match = re.search(r"Running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                ready.put(match.group(1))
        ready.put("")  # the server exited

    threading.Thread(target=drain, daemon=True).start()
    try:
        try:
            endpoint = ready.get(timeout=60)
        except queue.Empty:
            endpoint = ""
        if not endpoint:
            raise RuntimeError(
                f"the local S3 server (moto) did not start (exit {proc.poll()}): {''.join(seen)[-2000:]}"
            )
        yield S3Server(endpoint, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def s3_server(pytestconfig: pytest.Config) -> Iterator[S3Server]:
    # Kept alive for the whole session on purpose: not a leak of the test that happened to start it.
    with process_leaks.kept_alive(process_leaks.guard(pytestconfig), run_s3_server()) as server:
        yield server
