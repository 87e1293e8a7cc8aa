"""Drive a Pulumi Python program through the real Pulumi CLI against a local file backend.

Used by the end-to-end tests and ``make demo``; handy for trying a program against the emulator.
The program runs *inline* (Automation API): the CLI performs the real preview/up/refresh/destroy and
starts the dynamic-provider process, while this Python process hosts the language runtime. That
needs only ``pulumi`` and ``pulumi-resource-pulumi-python`` on the CLI side, which is what
``scripts/install-pulumi-cli`` can always build here.

Nothing in this module runs at import time; ``pulumi.automation`` is imported lazily.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core import note_lines

PASSPHRASE = "pulumi-deploy-local"  # protects only throwaway local stacks


@dataclass
class StepView:
    """One resource step of a preview or update, from the engine's event stream."""

    op: str
    urn: str
    type: str
    #: The changed properties (without ``plan_notes``: what the preview says about them is ``notes``).
    diffs: list[str] = field(default_factory=list)
    replace_keys: list[str] = field(default_factory=list)
    detailed_diff: dict[str, str] = field(default_factory=dict)
    #: The checked inputs of the new state (what ``preview --json`` shows as ``newState.inputs``).
    new_inputs: dict[str, Any] = field(default_factory=dict)
    #: The preview's notes on the planned change (its ``plan_notes`` property).
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class Outcome:
    """What one CLI operation printed and did."""

    stdout: str
    stderr: str
    steps: list[StepView]
    diagnostics: list[str]
    summary: dict[str, int]
    outputs: dict[str, Any] = field(default_factory=dict)
    #: (URN, severity, message) of every diagnostic logged on a resource (``preview --json`` diagnostics).
    resource_diagnostics: list[tuple[str, str, str]] = field(default_factory=list)

    def step(self, name: str) -> StepView:
        """The (last) step for the resource with logical name ``name``."""
        found = [s for s in self.steps if s.name == name]
        if not found:
            raise KeyError(f"no step for {name!r}; steps: {[(s.name, s.op) for s in self.steps]}")
        # A replacement is several steps (create-replacement, replace, delete-replaced): show "replace".
        return next((s for s in found if s.op == "replace"), found[-1])

    @property
    def text(self) -> str:
        return self.stdout + "\n" + self.stderr + "\n" + "\n".join(self.diagnostics)


def _lost_the_program(failed: StackFailed) -> bool:
    """The CLI ended the operation with nothing but the inline program's own lost connection to it (the
    program's last call raced the engine's shutdown) and said nothing of the resources: what went wrong
    is not in the output at all."""
    return (
        not failed.diagnostics
        and "Exception calling application" in failed.stderr
        and "StatusCode.UNAVAILABLE" in failed.stderr
        and "pulumi-deploy:" not in failed.text
    )


class StackFailed(Exception):
    def __init__(self, operation: str, stdout: str, stderr: str, diagnostics: list[str]):
        self.stdout, self.stderr, self.diagnostics = stdout, stderr, diagnostics
        self.text = "\n".join([stdout, stderr, *diagnostics])
        super().__init__(f"pulumi {operation} failed:\n{self.text[-4000:]}")


def pulumi_cli_root(repo_root: Path) -> Path:
    """The ``.tools/pulumi/<version>`` folder made by ``scripts/install-pulumi-cli``."""
    from importlib.metadata import version

    ver = version("pulumi")
    root = repo_root / ".tools" / "pulumi" / ver
    if not (root / "bin" / "pulumi").exists():
        raise FileNotFoundError(
            f"Pulumi CLI {ver} not found under {root}/bin; run `make cli` (scripts/install-pulumi-cli)"
        )
    return root


class LocalStack:
    """A throwaway stack: PULUMI_HOME under ``workdir``, passphrase secrets, and a file backend under
    ``workdir`` unless ``backend_url`` names another (e.g. an ``s3://`` bucket shared by a team)."""

    def __init__(
        self,
        workdir: Path,
        program: Callable[[], None],
        *,
        cli_root: Path,
        env: dict[str, str] | None = None,
        project: str = "pulumi-deploy-test",
        stack: str = "test",
        backend_url: str | None = None,
    ) -> None:
        from pulumi import automation as auto

        self.workdir = workdir
        self.project = project
        (workdir / "state").mkdir(parents=True, exist_ok=True)
        (workdir / "home").mkdir(parents=True, exist_ok=True)
        self.env = {
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,  # the dynamic provider runs in this venv
            "PULUMI_CREDENTIAL_STORE": "plaintext",
            **(env or {}),
        }
        cmd = auto.PulumiCommand(root=str(cli_root))
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(workdir),
            pulumi_home=str(workdir / "home"),
            pulumi_command=cmd,
            env_vars=self.env,
            project_settings=auto.ProjectSettings(
                name=project,
                runtime="python",
                backend=auto.ProjectBackend(url=backend_url or f"file://{workdir / 'state'}"),
            ),
        )
        self.stack = auto.create_or_select_stack(stack_name=stack, project_name=project, program=program, opts=opts)

    def set_program(self, program: Callable[[], None]) -> None:
        self.stack.workspace.program = program

    def set_env(self, name: str, value: str) -> None:
        """Run the next operations with environment variable ``name`` set to ``value`` (the providers read
        their settings from it at every operation; stack config, by contrast, is what the state recorded
        for refresh and destroy)."""
        self.env[name] = value
        self.stack.workspace.env_vars = {**(self.stack.workspace.env_vars or {}), name: value}

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        from pulumi import automation as auto

        self.stack.set_config(key, auto.ConfigValue(value=value, secret=secret))

    def _run(self, operation: str, fn: Callable[..., Any], **kwargs: Any) -> Outcome:
        from pulumi import automation as auto

        for attempt in (1, 2):
            events: list[Any] = []
            out: list[str] = []
            try:
                result = fn(on_event=events.append, on_output=out.append, color="never", **kwargs)
                break
            except auto.errors.CommandError as exc:
                failed = StackFailed(operation, "\n".join(out), str(exc), _diagnostics(events))
                if attempt == 1 and operation == "preview" and _lost_the_program(failed):
                    continue  # a preview writes nothing: running it again is safe
                raise failed from exc
        summary = getattr(result, "change_summary", None)
        if summary is None and getattr(result, "summary", None) is not None:
            summary = result.summary.resource_changes
        outputs = {k: v.value for k, v in (getattr(result, "outputs", None) or {}).items()}
        return Outcome(
            stdout="\n".join(out) or getattr(result, "stdout", ""),
            stderr=getattr(result, "stderr", "") or "",
            steps=_steps(events),
            diagnostics=_diagnostics(events),
            summary=dict(summary or {}),
            outputs=outputs,
            resource_diagnostics=_resource_diagnostics(events),
        )

    def preview(self, *, diff: bool = True, **kwargs: Any) -> Outcome:
        """``pulumi preview --diff`` (``diff=False``: the plain preview)."""
        return self._run("preview", self.stack.preview, diff=diff, **kwargs)

    def up(self, **kwargs: Any) -> Outcome:
        return self._run("up", self.stack.up, diff=True, **kwargs)

    def refresh(self, **kwargs: Any) -> Outcome:
        return self._run("refresh", self.stack.refresh, **kwargs)

    def destroy(self, **kwargs: Any) -> Outcome:
        return self._run("destroy", self.stack.destroy, **kwargs)

    def outputs(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.stack.outputs().items()}

    def export(self) -> dict[str, Any]:
        """The deployment exactly as stored by the file backend (secrets stay ciphertext).

        The Automation API's ``export_stack`` runs ``stack export --show-secrets``, which would
        decrypt them; reading the checkpoint shows what an attacker with the state file would see.
        """
        path = self.workdir / "state" / ".pulumi" / "stacks" / self.project / f"{self.stack.name}.json"
        return json.loads(path.read_text())["checkpoint"]["latest"]  # type: ignore[no-any-return]

    def export_text(self) -> str:
        return json.dumps(self.export())

    def resource_names(self) -> set[str]:
        """The names of the resources the stored state holds."""
        return {res["urn"].rsplit("::", 1)[-1] for res in self.export().get("resources", [])}

    def resource_state(self, name: str) -> dict[str, Any]:
        for res in self.export().get("resources", []):
            if res["urn"].rsplit("::", 1)[-1] == name:
                return res  # type: ignore[no-any-return]
        raise KeyError(name)

    def remove(self) -> None:
        self.stack.workspace.remove_stack(self.stack.name)


def _steps(events: list[Any]) -> list[StepView]:
    steps = []
    for e in events:
        meta = None
        if e.resource_pre_event is not None:
            meta = e.resource_pre_event.metadata
        if meta is None:
            continue
        op = meta.op.value if hasattr(meta.op, "value") else str(meta.op)
        detailed = {
            k: (v.diff_kind.value if hasattr(v.diff_kind, "value") else str(v.diff_kind))
            for k, v in (meta.detailed_diff or {}).items()
        }
        new_inputs = dict(getattr(meta.new, "inputs", None) or {}) if meta.new is not None else {}
        steps.append(
            StepView(
                op=op,
                urn=meta.urn,
                type=meta.type,
                diffs=[d for d in meta.diffs or [] if d != "plan_notes"],
                replace_keys=list(meta.keys or []),
                detailed_diff=detailed,
                new_inputs=new_inputs,
                notes=note_lines.joined([str(n) for n in new_inputs.get("plan_notes") or []]),
            )
        )
    return steps


def _diagnostics(events: list[Any]) -> list[str]:
    return [
        e.diagnostic_event.message.strip()
        for e in events
        if e.diagnostic_event is not None and e.diagnostic_event.severity != "debug"
    ]


def _resource_diagnostics(events: list[Any]) -> list[tuple[str, str, str]]:
    return [
        (e.diagnostic_event.urn, e.diagnostic_event.severity, e.diagnostic_event.message.strip())
        for e in events
        if e.diagnostic_event is not None and e.diagnostic_event.urn and e.diagnostic_event.severity != "debug"
    ]


def repo_env_defaults() -> dict[str, str]:
    """Retry timings short enough for tests against the local emulator."""
    return {"PULUMI_DEPLOY_RETRY_BASE_DELAY": os.environ.get("PULUMI_DEPLOY_RETRY_BASE_DELAY", "0.05")}
