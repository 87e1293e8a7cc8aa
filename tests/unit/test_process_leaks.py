"""The harness check that fails a test for every process it leaves behind (tests/process_leaks.py)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from process_leaks import GRACE_VAR, SESSION_VAR, LeakGuard, kept_alive, leak_message, read_process, terminate

TESTS_DIR = Path(__file__).resolve().parents[1]
#: A child that says when it runs: a process's command line is empty until its exec has finished, and
#: Popen may return before that.
SLEEPER = (sys.executable, "-c", "print('ready', flush=True); import time; time.sleep(300)")


def test_a_deliberately_leaked_sleep_child_is_reported_with_its_pid_and_command_line() -> None:
    # given
    guard = LeakGuard(uuid.uuid4().hex)
    before = set(guard.ours())
    sleeper = subprocess.Popen([*SLEEPER], stdout=subprocess.PIPE, text=True)
    try:
        # when: it is running (its command line is readable only once its exec has finished)
        assert sleeper.stdout is not None and sleeper.stdout.readline() == "ready\n"
        leaked = guard.leaked_since(before, grace=0)
        message = leak_message(leaked)
    finally:
        terminate([p for p in guard.ours().values() if p.pid == sleeper.pid])
        sleeper.wait()
        sleeper.stdout.close()
    # then
    assert [(p.pid, p.cmdline) for p in leaked] == [(sleeper.pid, " ".join(SLEEPER))]
    assert f"pid {sleeper.pid}: {' '.join(SLEEPER)}" in message
    assert sleeper.returncode == -signal.SIGTERM  # terminate() ended it, by PID


def test_an_orphan_whose_parent_exited_is_found_by_the_session_token() -> None:
    # given: a shell starts a sleep in the background and exits, so the sleep is no child of ours
    token = uuid.uuid4().hex
    guard = LeakGuard(token)
    before = set(guard.ours())
    shell = subprocess.Popen(
        ["sh", "-c", f"{shlex.join(SLEEPER)} & echo $!"],
        env={**os.environ, SESSION_VAR: token},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert shell.stdout is not None
    lines = {shell.stdout.readline().strip(), shell.stdout.readline().strip()}  # its PID; "ready" once it runs
    assert shell.wait() == 0 and "ready" in lines
    orphan_pid = int(next(line for line in lines if line != "ready"))
    shell.stdout.close()
    try:
        # when
        leaked = guard.leaked_since(before, grace=0)
    finally:
        orphan = read_process(orphan_pid)
        terminate([orphan] if orphan is not None else [])
    # then
    assert [(p.pid, p.cmdline) for p in leaked] == [(orphan_pid, " ".join(SLEEPER))]
    assert read_process(orphan_pid) is None


def test_a_process_a_session_fixture_keeps_alive_is_not_reported() -> None:
    # given
    guard = LeakGuard(uuid.uuid4().hex)
    before = set(guard.ours())
    kept = subprocess.Popen(["sleep", "300"])
    guard.allow([kept.pid])
    try:
        # when
        leaked = guard.leaked_since(before, grace=0)
    finally:
        kept.terminate()
        kept.wait()
    # then
    assert leaked == []


def test_processes_a_session_fixture_starts_are_allowed_while_it_keeps_them() -> None:
    # given: a fixture-like context manager that keeps a server process alive, as run_emulator does
    @contextlib.contextmanager
    def server() -> Iterator[subprocess.Popen[bytes]]:
        proc = subprocess.Popen(["sleep", "300"])
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait()

    guard = LeakGuard(uuid.uuid4().hex)
    before = set(guard.ours())
    # when
    with kept_alive(guard, server()) as proc:
        leaked_while_kept = guard.leaked_since(before, grace=0)
        other = subprocess.Popen(["sleep", "301"])
        try:
            leaked_besides = guard.leaked_since(before, grace=0)
        finally:
            other.terminate()
            other.wait()
    # then
    assert leaked_while_kept == []
    assert [p.pid for p in leaked_besides] == [other.pid] != [proc.pid]


def test_a_child_that_exits_during_the_grace_is_not_a_leak() -> None:
    # given: `cat` runs until its stdin closes
    guard = LeakGuard(uuid.uuid4().hex)
    before = set(guard.ours())
    cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert cat.stdin is not None
    # when
    cat.stdin.close()
    leaked = guard.leaked_since(before)
    cat.wait()
    # then
    assert leaked == []


def test_the_plugin_fails_the_leaking_test_names_the_process_and_terminates_it(tmp_path: Path) -> None:
    # given: one test that leaks a sleep and one that cleans up after itself
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(
        "import subprocess\n\n"
        "def test_leaks():\n"
        f"    child = subprocess.Popen({list(SLEEPER)!r}, stdout=subprocess.PIPE, text=True)\n"
        "    assert child.stdout.readline() == 'ready\\n'\n\n"
        "def test_waits_for_its_child():\n"
        "    subprocess.run(['sleep', '0'], check=True)\n"
    )
    pythonpath = os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": pythonpath, GRACE_VAR: "0"}
    # when
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "process_leaks", "-p", "no:cacheprovider", "-q", "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    out = run.stdout
    assert run.returncode == 1, out
    assert "ERROR test_inner.py::test_leaks" in out
    assert "test_waits_for_its_child" not in out.split("short test summary info")[-1]
    assert "2 passed, 1 error" in out
    found = re.search(r"pid (\d+): " + re.escape(" ".join(SLEEPER)), out)
    assert found, out
    assert read_process(int(found.group(1))) is None  # terminated by the plugin
