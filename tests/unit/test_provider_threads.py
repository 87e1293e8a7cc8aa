"""The provider process's gRPC pool is widened so calls do not queue behind four workers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_deploy.core import provider_threads


def _runs_exactly(pool: ThreadPoolExecutor, tasks: int, at_once: int) -> bool:
    """Submit ``tasks`` tasks that each wait to be released: True when ``at_once`` of them start and no
    further one does while they hold their workers."""
    started = threading.Semaphore(0)
    release = threading.Event()

    def task() -> None:
        started.release()
        release.wait(timeout=60)

    futures = [pool.submit(task) for _ in range(tasks)]
    try:
        # Generous bounds for the starts that must happen (a loaded machine starts threads slowly); the
        # short one only looks for a start too many, which a capped pool never makes.
        if not all(started.acquire(timeout=30) for _ in range(at_once)):
            return False
        return at_once == tasks or not started.acquire(timeout=0.5)
    finally:
        release.set()
        for f in futures:
            f.result(timeout=60)


def test_a_widened_pool_runs_more_than_its_original_limit_at_once() -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        assert _runs_exactly(pool, 10, at_once=4)  # the SDK's limit: the rest queue
        assert provider_threads.widen(pool, 16) is True
        assert _runs_exactly(pool, 10, at_once=10)
    finally:
        pool.shutdown(wait=True)


def test_widen_never_lowers_a_limit() -> None:
    pool = ThreadPoolExecutor(max_workers=32)
    try:
        assert provider_threads.widen(pool, 16) is False
        assert pool._max_workers == 32
    finally:
        pool.shutdown(wait=True)


def test_outside_the_provider_process_nothing_is_touched() -> None:
    assert provider_threads.in_provider_process() is False
    assert provider_threads.widen_provider_thread_pool() == 0


@pytest.mark.parametrize(("raw", "expected"), [("", 64), ("128", 128), ("2", 4), ("many", 64)])
def test_thread_count_setting(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int) -> None:
    monkeypatch.setenv(provider_threads.THREADS_ENV, raw)
    assert provider_threads.wanted_threads() == expected
