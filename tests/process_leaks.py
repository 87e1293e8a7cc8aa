"""Fail the test that leaves a process behind (pytest plugin, loaded by tests/conftest.py).

A test run spawns the Pulumi CLI, the dynamic-provider process the CLI starts, the emulator and
whatever a test starts itself. One of them outliving its test holds ports and CPU and makes later
tests slower or wrong, so every test is checked: the processes that belong to this test session are
listed before the test's setup and after its teardown, and any new one still running fails that
test (naming PID and command line) and is then terminated, by PID.

"Belongs to this session" is decided twice over, both from ``/proc`` (Linux):

* descendants of the test process (``ppid`` links), and
* processes whose environment carries this session's token (``PULUMI_DEPLOY_TEST_SESSION``, set
  in ``os.environ`` at start-up, so every child inherits it). This also catches a grandchild
  whose parent exited first (a provider orphaned by its CLI is re-parented to init).

Processes that session-scoped fixtures keep alive on purpose (the emulator) are excluded by
identity: the fixture registers the PIDs it started (see :func:`allow_started_during`).
A process is identified by PID *and* start time, so a reused PID is never mistaken for another.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pytest

SESSION_VAR = "PULUMI_DEPLOY_TEST_SESSION"
#: How long a process seen at teardown may take to exit by itself before it counts as leaked
#: (e.g. a provider the CLI is still shutting down). Spent only when there is such a process;
#: ``PULUMI_DEPLOY_TEST_EXIT_GRACE`` overrides it (the plugin's own test sets 0).
EXIT_GRACE_SECONDS = 10.0
GRACE_VAR = "PULUMI_DEPLOY_TEST_EXIT_GRACE"
#: How long a leaked process gets to exit after SIGTERM before it is killed.
TERMINATE_GRACE_SECONDS = 5.0

PROC = Path("/proc")
T = TypeVar("T")


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    started: int  # clock ticks after boot (/proc/<pid>/stat field 22): PID + start = identity
    cmdline: str

    @property
    def identity(self) -> tuple[int, int]:
        return (self.pid, self.started)

    def describe(self) -> str:
        return f"pid {self.pid}: {self.cmdline}"


def read_process(pid: int) -> Process | None:
    """The live process ``pid``, or None if it is gone or a zombie (it has exited)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    state, ppid, started = fields[0], int(fields[1]), int(fields[19])
    if state in ("Z", "X"):
        return None
    return Process(pid=pid, ppid=ppid, started=started, cmdline=f"[{stat[stat.index('(') + 1 : stat.rindex(')')]}]")


def with_cmdline(process: Process) -> Process:
    """``process`` with its full command line (read only for the few processes that are reported)."""
    try:
        raw = (PROC / str(process.pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return process
    cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return replace(process, cmdline=cmdline) if cmdline else process


def all_processes() -> list[Process]:
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            process = read_process(int(entry.name))
            if process is not None:
                found.append(process)
    return found


def carries_token(pid: int, token: str) -> bool:
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return f"{SESSION_VAR}={token}".encode() in environ.split(b"\0")


def descendants(roots: Iterable[int], processes: list[Process]) -> set[int]:
    """PIDs of every process below ``roots`` (not the roots themselves)."""
    children: dict[int, list[int]] = {}
    for p in processes:
        children.setdefault(p.ppid, []).append(p.pid)
    found: set[int] = set()
    pending = list(roots)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


class LeakGuard:
    """Which processes of this session are running, apart from this process and the allowed ones."""

    def __init__(self, token: str, own_pid: int | None = None) -> None:
        self.token = token
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self.allowed: set[tuple[int, int]] = set()
        own = read_process(self.own_pid)
        #: Only a process started after this one can carry the token: older ones need no environ read.
        self.since = own.started if own is not None else 0

    def ours(self) -> dict[tuple[int, int], Process]:
        processes = all_processes()
        allowed_pids = {p.pid for p in processes if p.identity in self.allowed}
        excluded = {self.own_pid} | allowed_pids | descendants(allowed_pids, processes)
        below_us = descendants([self.own_pid], processes)
        return {
            p.identity: with_cmdline(p)
            for p in processes
            if p.pid not in excluded
            and (p.pid in below_us or (p.started >= self.since and carries_token(p.pid, self.token)))
        }

    def allow(self, pids: Iterable[int]) -> None:
        """Processes a session fixture keeps alive on purpose (and, implicitly, their children)."""
        for pid in pids:
            process = read_process(pid)
            if process is not None:
                self.allowed.add(process.identity)

    def leaked_since(self, before: Iterable[tuple[int, int]], grace: float = EXIT_GRACE_SECONDS) -> list[Process]:
        """Processes running now that were not running at ``before`` and do not exit within ``grace``."""
        known = set(before)
        new = [p for identity, p in self.ours().items() if identity not in known]
        still_running = wait_for_exit(new, grace)
        return sorted(still_running, key=lambda p: p.pid)


def _pidfd(process: Process) -> int | None:
    """A pidfd for ``process`` if it is still that process (PID not reused), else None."""
    try:
        fd = os.pidfd_open(process.pid)
    except ProcessLookupError:
        return None
    current = read_process(process.pid)
    if current is None or current.identity != process.identity:
        os.close(fd)
        return None
    return fd


def wait_for_exit(processes: list[Process], timeout: float) -> list[Process]:
    """Wait (on pidfds: woken by each exit, no polling) until all exit or ``timeout``; the survivors."""
    fds: dict[int, Process] = {}
    for process in processes:
        fd = _pidfd(process)
        if fd is not None:
            fds[fd] = process
    try:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        remaining = dict(fds)
        deadline = time.monotonic() + timeout
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for fd, _ in poller.poll(left * 1000):
                poller.unregister(fd)
                remaining.pop(fd, None)
        # A zombie (exited, not yet reaped by its parent) has signalled its pidfd: it is not running.
        return [p for p in remaining.values() if read_process(p.pid) is not None]
    finally:
        for fd in fds:
            os.close(fd)


def terminate(processes: list[Process]) -> None:
    """SIGTERM each (if it is still the same process), then SIGKILL what outlives the grace."""
    for process in processes:
        fd = _pidfd(process)
        if fd is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGTERM)
        os.close(fd)
    for process in wait_for_exit(processes, TERMINATE_GRACE_SECONDS):
        fd = _pidfd(process)
        if fd is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        os.close(fd)


def leak_message(leaked: list[Process]) -> str:
    lines = "\n".join(f"  {p.describe()}" for p in leaked)
    return f"the test left {len(leaked)} process(es) running (now terminated):\n{lines}"


# -- pytest plugin ---------------------------------------------------------------------------------

_guard_key = pytest.StashKey[LeakGuard]()
_before_key = pytest.StashKey[set[tuple[int, int]]]()


def pytest_configure(config: pytest.Config) -> None:
    token = uuid.uuid4().hex
    config.stash[_guard_key] = LeakGuard(token)
    config.add_cleanup(_restore_env(os.environ.get(SESSION_VAR)))
    os.environ[SESSION_VAR] = token


def _restore_env(previous: str | None) -> Callable[[], None]:
    def restore() -> None:
        if previous is None:
            os.environ.pop(SESSION_VAR, None)
        else:
            os.environ[SESSION_VAR] = previous

    return restore


def guard(config: pytest.Config) -> LeakGuard:
    return config.stash[_guard_key]


@contextlib.contextmanager
def kept_alive(g: LeakGuard, starts: contextlib.AbstractContextManager[T]) -> Iterator[T]:
    """Enter ``starts``; the processes it started are kept alive on purpose (session fixtures) while inside."""
    before = set(g.ours())
    with starts as value:
        g.allow(p.pid for identity, p in g.ours().items() if identity not in before)
        yield value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.stash[_before_key] = set(guard(item.config).ours())
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        before = item.stash.get(_before_key, None)
        if before is not None:
            grace = float(os.environ.get(GRACE_VAR, EXIT_GRACE_SECONDS))
            leaked = guard(item.config).leaked_since(before, grace)
            if leaked:
                terminate(leaked)
                pytest.fail(leak_message(leaked), pytrace=False)
