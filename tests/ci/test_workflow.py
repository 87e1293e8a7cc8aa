"""The CI recipe (examples/ci): the workflow is valid GitHub Actions, does what the README says, and
its emulator job's shell steps run here, in order, against the emulator with the real Pulumi CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_deploy.emulator.client import EmulatorControl

REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "examples" / "ci"
WORKFLOW = RECIPE / ".github" / "workflows" / "pulumi.yml"
LANGUAGE_HOST = Path(__file__).with_name("python_language_host.py")
#: The emulator job's steps that set up the runner rather than run the program: the tests' own
#: environment already has the package (from this checkout) and the Pulumi CLI.
RUNNER_SETUP_STEPS = {"Install dependencies"}


def load_workflow() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the bare key `on` as a boolean
    return doc


def job(name: str) -> dict[str, Any]:
    return dict(load_workflow()["jobs"][name])


def pulumi_action(job_name: str) -> dict[str, Any]:
    (step,) = [s for s in job(job_name)["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    return dict(step["with"])


def test_workflow_is_valid_github_actions():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_on_pull_requests_merges_to_main_and_a_schedule():
    on = load_workflow()["on"]
    assert on["pull_request"]["branches"] == ["main"]
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"][0]["cron"]


def test_pull_requests_from_this_repository_get_the_preview_diff_as_a_comment():
    preview = job("preview")
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    assert preview["permissions"]["pull-requests"] == "write"
    action = pulumi_action("preview")
    assert (action["command"], action["diff"], action["comment-on-pr"]) == ("preview", True, True)
    assert preview["strategy"]["matrix"]["stack"] == ["staging", "production"]


def test_a_merge_to_main_runs_up_on_staging_then_production():
    staging, production = job("deploy-staging"), job("deploy-production")
    assert staging["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert production["needs"] == "deploy-staging"
    for name, stack in (("deploy-staging", "staging"), ("deploy-production", "production")):
        action = pulumi_action(name)
        assert (action["command"], action["stack-name"]) == ("up", stack)
    assert (staging["environment"], production["environment"]) == ("staging", "production")


def test_the_scheduled_drift_check_refreshes_and_expects_no_changes():
    drift = job("drift")
    assert "github.event_name == 'schedule'" in drift["if"]
    action = pulumi_action("drift")
    assert (action["command"], action["refresh"], action["expect-no-changes"]) == ("preview", True, True)


def test_the_emulator_job_runs_on_every_pull_request_and_reads_no_secret_or_variable():
    emulator = job("emulator")
    text = yaml.safe_dump(emulator)
    assert emulator["if"] == "github.event_name == 'pull_request'"
    assert "secrets." not in text and "vars." not in text
    assert emulator["permissions"] == {"contents": "read"}


@dataclass
class Runner:
    """Runs a job's `run:` steps the way a GitHub runner does: bash -eo pipefail, one process per
    step, $GITHUB_ENV lines carried into the next steps, `if: always()` steps run after a failure."""

    workdir: Path
    env: dict[str, str]
    outputs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    @property
    def github_env(self) -> Path:
        return Path(self.env["GITHUB_ENV"])

    def exported(self) -> dict[str, str]:
        lines = self.github_env.read_text().splitlines() if self.github_env.exists() else []
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def run(self, step: dict[str, Any], job_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        script = self.workdir.parent / "step.sh"
        script.write_text(step["run"])
        env = {**self.env, **job_env, **{k: str(v) for k, v in step.get("env", {}).items()}, **self.exported()}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.outputs[step["name"]] = result
        return result


def pulumi_bin(cli_root: Path, into: Path) -> Path:
    """The CLI's files, plus the Python language host stand-in when the CLI came without one."""
    into.mkdir()
    for tool in (cli_root / "bin").iterdir():
        (into / tool.name).symlink_to(tool.resolve())
    if not (into / "pulumi-language-python").exists():
        host = into / "pulumi-language-python"
        host.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{LANGUAGE_HOST}" "$@"\n')
        host.chmod(0o755)
    return into


def stop_if_emulator(pid: str | None) -> None:
    """Stop a leftover emulator by PID, if that PID is still the emulator this test's steps started."""
    if not pid:
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return
    if b"pulumi_deploy.emulator" in cmdline:
        os.kill(int(pid), 15)


@pytest.fixture
def runner(tmp_path: Path, cli_root: Path) -> Iterator[Runner]:
    checkout = tmp_path / "checkout"
    shutil.copytree(RECIPE, checkout, ignore=shutil.ignore_patterns("__pycache__"))
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    path = [str(pulumi_bin(cli_root, tmp_path / "bin")), str(Path(sys.executable).parent), os.environ["PATH"]]
    env = {
        "PATH": os.pathsep.join(path),
        "HOME": str(tmp_path / "home"),
        "CI": "true",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ENV": str(runner_temp / "github_env"),
        "GITHUB_STEP_SUMMARY": str(runner_temp / "step_summary.md"),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    made = Runner(checkout, env)
    try:
        yield made
    finally:
        stop_if_emulator(made.exported().get("EMULATOR_PID"))


@pytest.mark.e2e
def test_the_emulator_jobs_steps_preview_deploy_check_drift_and_destroy_against_the_emulator(runner: Runner):
    # given the job as written, minus the steps that only set up a runner
    workflow, emulator = load_workflow(), job("emulator")
    job_env = {**workflow.get("env", {}), **emulator["env"]}
    steps = [s for s in emulator["steps"] if "run" in s]
    assert {s["name"] for s in steps} - RUNNER_SETUP_STEPS == {
        "Start the emulator",
        "Create a throwaway stack",
        "Preview",
        "Up",
        "Drift check",
        "Destroy",
        "Stop the emulator",
    }
    inventory_after: dict[str, dict[str, int]] = {}
    calls_during: dict[str, list[str]] = {}
    failed: str | None = None
    # when every step runs in order, as the runner would
    for step in steps:
        if step["name"] in RUNNER_SETUP_STEPS or (failed and step.get("if") != "always()"):
            continue
        control = EmulatorControl(runner.exported()["EMULATOR_URL"]) if "EMULATOR_URL" in runner.exported() else None
        if control:
            control.clear_calls()
        result = runner.run(step, job_env)
        if result.returncode != 0 and not failed:
            failed = step["name"]
        if control and step["name"] != "Stop the emulator":
            inventory_after[step["name"]] = {k: len(v) for k, v in control.inventory("runpod").items() if v}
            calls_during[step["name"]] = [f"{c['method']} {c['path']}" for c in control.calls("runpod")]
    # then
    assert failed is None, "\n".join(
        f"--- {name} (exit {r.returncode})\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        for name, r in runner.outputs.items()
    )
    preview = runner.outputs["Preview"].stdout
    assert "+ pulumi-python:dynamic/runpod:Template: (create)" in preview
    assert "+ pulumi-python:dynamic/runpod:Endpoint: (create)" in preview
    assert preview in Path(runner.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert inventory_after["Preview"] == {}  # a preview creates nothing
    # On RunPod REST v2 (the default) an endpoint runs its own copy of the template, and its first release is kept.
    assert inventory_after["Up"] == {"templates": 2, "endpoints": 1, "releases": 1}
    drift_writes = [c for c in calls_during["Drift check"] if not c.startswith("GET ")]
    assert calls_during["Drift check"] and drift_writes == []  # it read every object and changed none
    assert inventory_after["Destroy"] == {}
