"""Benchmarks that print figures (never asserted): the provider through the real CLI vs the emulator.

    python bench/run.py [--endpoints 10] [--latency 0.05]

Prints wall-clock seconds for `up` (create), an unchanged `preview`, a `refresh` and `destroy` of a
stack with N RunPod endpoints, with the given per-request latency injected by the emulator, and the
number of API calls each made. The provider process serves 4 calls at once, so with latency L the
create of N endpoints cannot beat roughly N/4 x (calls per endpoint) x L.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pulumi_deploy import runpod  # noqa: E402
from pulumi_deploy.emulator.process import run_emulator  # noqa: E402
from pulumi_deploy.local_stack import LocalStack, pulumi_cli_root  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    def program() -> None:
        tmpl = runpod.Template("t", runpod.TemplateArgs(image_name="img:1", is_serverless=True))
        for i in range(args.endpoints):
            runpod.Endpoint(f"e{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))

    with run_emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        emu.control.set_latency(args.latency, "runpod")
        env = {**emu.base_urls, "RUNPOD_API_KEY": "bench"}
        stack = LocalStack(Path(tmp), program, cli_root=pulumi_cli_root(REPO), env=env, stack="bench")
        print(f"RunPod: 1 template + {args.endpoints} endpoints, {args.latency * 1000:.0f} ms injected latency")
        for name, op in (("up (create)", stack.up), ("preview (no change)", stack.preview),
                         ("refresh", stack.refresh), ("destroy", stack.destroy)):
            emu.control.clear_calls()
            start = time.perf_counter()
            op()
            elapsed = time.perf_counter() - start
            print(f"  {name:<20} {elapsed:6.2f} s   {len(emu.control.calls('runpod')):4d} API calls")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
