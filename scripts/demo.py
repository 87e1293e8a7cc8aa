"""``python scripts/demo.py`` (``make demo``): the quickstart against the emulator.

A repository tool, not part of the package: it runs ``examples/quickstart`` from this checkout with
the CLI that ``scripts/install-pulumi-cli`` put under ``.tools/``. The end-to-end tests and the
benchmarks reuse its quickstart stack (``scripts.demo.quickstart_stack``).

Starts the emulator, seeds what only a vendor console can create, runs ``pulumi up`` of
``examples/quickstart`` through the real CLI with a local file backend under ``.demo/``, prints the
stack outputs and the emulator's inventory, then destroys the stack and stops the emulator.
"""

from __future__ import annotations

import json
import runpy
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make this checkout's package importable
    sys.path.insert(0, str(REPO))

from pulumi_deploy.emulator.client import EmulatorControl  # noqa: E402
from pulumi_deploy.emulator.process import RunningEmulator, run_emulator  # noqa: E402
from pulumi_deploy.local_stack import LocalStack, pulumi_cli_root, repo_env_defaults  # noqa: E402

QUICKSTART = REPO / "examples" / "quickstart" / "__main__.py"
DEMO_CREDENTIALS = {
    "RUNPOD_API_KEY": "demo-key",
    "AIEEV_API_KEY": "demo-key",
    "CYBERUN_TOKEN": "sk-demo",
    "TRUSTGATE_ADMIN_TOKEN": "demo-token",
    "NEMO_TOKEN": "demo-token",
}
#: Emulator transition durations short enough for tests and benchmarks (the defaults mimic real waits).
FAST_TRANSITIONS: dict[str, dict[str, float]] = {
    "cyberun": {"deploy_seconds": 0.05, "undeploy_seconds": 0.05},
    "aieev": {"deploy_duration": 0.05},
    "nemo": {"created_seconds": 0.05, "pending_seconds": 0.05, "deleting_seconds": 0.05, "hard_delete_seconds": 0.05},
}
#: The console-made Aieev endpoint the quickstart adopts (the External API cannot create one).
AIEEV_ENDPOINT_ID = "ep-quickstart"


def seed_console_objects(control: EmulatorControl) -> dict[str, str]:
    """Create what the vendors' APIs cannot; return the quickstart's stack config naming them."""
    control.seed("aieev", "endpoints", {"id": AIEEV_ENDPOINT_ID, "name": "quickstart", "is_active": False})
    return {"aieevEndpointId": AIEEV_ENDPOINT_ID}


def quickstart_stack(
    emu: RunningEmulator, workdir: Path, env: dict[str, str] | None = None, stack: str = "demo"
) -> LocalStack:
    """The quickstart program as a stack on the real CLI, pointed at ``emu`` (seeded here)."""

    def program() -> None:
        runpy.run_path(str(QUICKSTART))

    local = LocalStack(
        workdir,
        program,
        cli_root=pulumi_cli_root(REPO),
        env={**DEMO_CREDENTIALS, **emu.base_urls, **repo_env_defaults(), **(env or {})},
        project="pulumi-deploy-quickstart",
        stack=stack,
    )
    for key, value in seed_console_objects(emu.control).items():
        local.set_config(key, value)
    return local


def main() -> int:
    workdir = REPO / ".demo"
    shutil.rmtree(workdir, ignore_errors=True)
    with run_emulator() as emu:
        print(f"emulator listening at {emu.root_url}")
        stack = quickstart_stack(emu, workdir)
        try:
            result = stack.up()
            print(result.stdout)
            print("Stack outputs:")
            print(json.dumps(result.outputs, indent=2, sort_keys=True))
            counts = {v: {k: len(objs) for k, objs in emu.control.inventory(v).items()} for v in emu.control.vendors()}
            print("Emulator inventory:", json.dumps(counts, sort_keys=True))
        finally:
            stack.destroy()
            stack.remove()
            shutil.rmtree(workdir, ignore_errors=True)
    print("demo finished: stack destroyed, emulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
