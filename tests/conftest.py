"""Fixtures shared by every tier: the emulator process and throwaway stacks on the real CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import ast_turns
import process_leaks
import pytest
from hypothesis import settings

from pulumi_deploy.emulator.client import EmulatorControl
from pulumi_deploy.emulator.process import RunningEmulator, run_emulator
from pulumi_deploy.local_stack import LocalStack, pulumi_cli_root, repo_env_defaults

REPO_ROOT = Path(__file__).resolve().parent.parent


# Property tests draw the same examples on every run and keep no example database: a red run can be
# replayed exactly, and one run's failure never becomes another's first example.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

# CPython 3.11: concurrent ast.parse calls can fail each other (tests/ast_turns.py).
ast_turns.install()

# Every test fails if it leaves a process behind (tests/process_leaks.py): its hooks, run for every tier.
pytest_configure = process_leaks.pytest_configure
pytest_runtest_setup = process_leaks.pytest_runtest_setup
pytest_runtest_teardown = process_leaks.pytest_runtest_teardown

#: Credentials the e2e stacks use against the emulator (any non-empty token is accepted there).
TEST_ENV = {
    "RUNPOD_API_KEY": "rp-test-key",
    "AIEEV_API_KEY": "aieev-test-key",
    "CYBERUN_TOKEN": "sk-test-token",
    "TRUSTGATE_ADMIN_TOKEN": "tg-test-token",
    "NEMO_TOKEN": "nemo-test-token",
}


@pytest.fixture(scope="session")
def emulator_process(pytestconfig: pytest.Config) -> Iterator[RunningEmulator]:
    # Kept alive for the whole session on purpose: not a leak of the test that happened to start it.
    with process_leaks.kept_alive(process_leaks.guard(pytestconfig), run_emulator()) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_process: RunningEmulator) -> Iterator[EmulatorControl]:
    """The running emulator, reset before each test."""
    emulator_process.control.reset()
    yield emulator_process.control


@pytest.fixture(scope="session")
def cli_root() -> Path:
    # Missing CLI is a failure, never a skip: CI must not go green without the engine tier.
    return pulumi_cli_root(REPO_ROOT)


StackFactory = Callable[..., LocalStack]


@pytest.fixture
def stack_env(emulator_process: RunningEmulator) -> dict[str, str]:
    """The environment every test stack runs with: emulator URLs, test credentials, fast retries."""
    env = {**TEST_ENV, **emulator_process.base_urls, **repo_env_defaults()}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    return env


@pytest.fixture
def make_stack(tmp_path: Path, cli_root: Path, stack_env: dict[str, str]) -> Iterator[StackFactory]:
    made: list[LocalStack] = []

    def factory(program: Callable[[], None], env: dict[str, str] | None = None) -> LocalStack:
        full_env = {**stack_env, **(env or {})}
        stack = LocalStack(tmp_path / f"stack{len(made)}", program, cli_root=cli_root, env=full_env)
        made.append(stack)
        return stack

    yield factory
