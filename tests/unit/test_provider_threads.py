"""The provider process's gRPC pool is widened so calls do not queue behind four workers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_deploy.core import provider_threads


def _running_at_once(pool: ThreadPoolExecutor, tasks: int) -> int:
    """Submit ``tasks`` tasks that each wait for all of them to start; count how many started."""
    started = threading.Semaphore(0)
    release = threading.Event()

    def task() -> None:
        started.release()
        release.wait(timeout=30)

    futures = [pool.submit(task) for _ in range(tasks)]
    count = 0
    while started.acquire(timeout=2):  # a bound, not a synchronisation: each start signals at once
        count += 1
        if count == tasks:
            break
    release.set()
    for f in futures:
        f.result(timeout=30)
    return count


def test_a_widened_pool_runs_more_than_its_original_limit_at_once() -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        assert _running_at_once(pool, 10) == 4  # the SDK's limit: the rest queue
        assert provider_threads.widen(pool, 16) is True
        assert _running_at_once(pool, 10) == 10
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
