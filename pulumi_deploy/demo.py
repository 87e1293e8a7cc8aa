"""``python -m pulumi_deploy.demo`` (``make demo``): the quickstart against the emulator.

Starts the emulator, runs ``pulumi up`` of ``examples/quickstart`` through the real CLI with a local
file backend under ``.demo/``, prints the stack outputs and the emulator's inventory, then destroys
the stack and stops the emulator.
"""

from __future__ import annotations

import json
import runpy
import shutil
import sys
from pathlib import Path

from .emulator.process import run_emulator
from .local_stack import LocalStack, pulumi_cli_root, repo_env_defaults

DEMO_CREDENTIALS = {
    "RUNPOD_API_KEY": "demo-key",
    "AIEEV_API_KEY": "demo-key",
    "CYBERUN_TOKEN": "sk-demo",
    "TRUSTGATE_ADMIN_TOKEN": "demo-token",
    "NEMO_TOKEN": "demo-token",
}


def main() -> int:
    repo = Path(__file__).resolve().parent.parent
    program_path = repo / "examples" / "quickstart" / "__main__.py"
    workdir = repo / ".demo"
    shutil.rmtree(workdir, ignore_errors=True)
    with run_emulator() as emu:
        print(f"emulator listening at {emu.root_url}")
        env = {**DEMO_CREDENTIALS, **emu.base_urls, **repo_env_defaults()}
        stack = LocalStack(
            workdir,
            lambda: runpy.run_path(str(program_path)),
            cli_root=pulumi_cli_root(repo),
            env=env,
            project="pulumi-deploy-quickstart",
            stack="demo",
        )
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
