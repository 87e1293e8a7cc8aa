"""Benchmarks that print figures (never asserted): the provider through the real CLI vs the emulator.

    python bench/run.py [--endpoints 10] [--latency 0.05]

Two scenarios, each timed for `up` (create), an unchanged `preview`, a `refresh` and `destroy`, with
the given per-request latency injected by the emulator and the number of API calls each step made:

* RunPod fan-out on REST v2 (the default): 1 template + N endpoints, with calls and time per endpoint;
  and the same on REST v1 (the opt-in, ``runpod:apiVersion=v1``) for comparison.
* Fault mix: the reliability tier's seeded mix of failures over 30 mixed objects, with the number of
  `up` runs it took to converge and the objects made (one per resource is right).
* Scale: `up --parallel 32` of 1 template + 1 endpoint and of 1 template + 24 endpoints at 1 s
  latency, and their ratio. The provider process serves as many calls at once as the engine sends
  (the SDK's pool of 4 is widened), so the ratio stays near 1.0 instead of ~N/4.
* The quickstart (every vendor, `examples/quickstart`), as `make demo` runs it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pulumi_deploy import runpod  # noqa: E402
from pulumi_deploy.emulator.process import RunningEmulator, run_emulator  # noqa: E402
from pulumi_deploy.local_stack import LocalStack, StackFailed, pulumi_cli_root  # noqa: E402
from scripts.demo import FAST_TRANSITIONS, quickstart_stack  # noqa: E402


def measure(title: str, stack: LocalStack, emu: RunningEmulator, per_endpoint: int = 0) -> None:
    """Time each step; with ``per_endpoint`` (the number of endpoints), also its share per endpoint."""
    print(title)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("up (create)", stack.up),
        ("preview (no change)", stack.preview),
        ("refresh", stack.refresh),
        ("destroy", stack.destroy),
    ]
    for name, op in steps:
        emu.control.clear_calls()
        start = time.perf_counter()
        op()
        elapsed = time.perf_counter() - start
        calls = len(emu.control.calls())
        line = f"  {name:<20} {elapsed:6.2f} s   {calls:4d} API calls"
        if per_endpoint:
            line += f"   per endpoint {elapsed / per_endpoint:5.2f} s {calls / per_endpoint:5.1f} calls"
        print(line)


def scale(emu: RunningEmulator, tmp: Path, env: dict[str, str], latency: float = 1.0) -> None:
    print(f"Scale: up --parallel 32 at {latency * 1000:.0f} ms latency (peak = most requests in flight at once)")
    times: dict[int, float] = {}
    for n in (1, 24):

        def program(n: int = n) -> None:
            tmpl = runpod.Template("t", runpod.TemplateArgs(image_name="img:1", is_serverless=True))
            for i in range(n):
                runpod.Endpoint(f"e{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))

        stack = LocalStack(
            tmp / f"scale-{n}", program, cli_root=pulumi_cli_root(REPO), env={**emu.base_urls, **env}, stack="bench"
        )
        emu.control.set_latency(latency)
        emu.control.clear_calls()
        start = time.perf_counter()
        stack.up(parallel=32)
        times[n] = time.perf_counter() - start
        peak = emu.control.concurrency()["peak"]
        print(f"  1 + {n:<2} endpoints   up {times[n]:6.2f} s   {len(emu.control.calls()):4d} API calls   peak {peak}")
        emu.control.set_latency(0.0)
        stack.destroy(parallel=32)
    print(f"  ratio (1 + 24) / (1 + 1): {times[24] / times[1]:.2f}")


def fault_mix(emu: RunningEmulator, tmp: Path, env: dict[str, str]) -> None:
    """The reliability tier's fault mix (tests/reliability) over its mixed stack of 30 objects, without its
    bound on failures in a row: how many runs of `up` converge it when one request may exhaust its retries."""
    sys.path.insert(0, str(REPO / "tests" / "reliability"))
    from mixed_stack import OBJECTS, program
    from test_fault_mix import CHAOS, _inventory_counts

    creds = {"CYBERUN_TOKEN": "sk-bench", "TRUSTGATE_ADMIN_TOKEN": "bench", "NEMO_TOKEN": "bench"}
    stack = LocalStack(
        tmp / "fault-mix", program, cli_root=pulumi_cli_root(REPO), env={**emu.base_urls, **env, **creds}, stack="bench"
    )
    emu.control.set_latency(0.0)
    for seed in (20261202, 1, 2):
        emu.control.set_chaos(seed=seed, **{**CHAOS, "max_streak": None})  # unbounded: may take more than one up
        start = time.perf_counter()
        runs = 0
        converged = False
        while not converged and runs < 3:
            runs += 1
            try:
                stack.up()
                converged = True
            except StackFailed:
                pass
        elapsed = time.perf_counter() - start
        report = emu.control.chaos()
        emu.control.stop_chaos()
        made = sum(_inventory_counts(emu.control).values())
        print(
            f"  seed {seed:<9} {OBJECTS} objects  {report['requests']:4d} requests  injected {report['injected']}  "
            f"runs to converge {runs}  objects made {made}  {elapsed:5.1f} s"
        )
        stack.destroy()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    def fan_out() -> None:
        tmpl = runpod.Template("t", runpod.TemplateArgs(image_name="img:1", is_serverless=True))
        for i in range(args.endpoints):
            runpod.Endpoint(f"e{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))

    env = {"RUNPOD_API_KEY": "bench", "PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}
    with run_emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        emu.control.set_latency(args.latency)
        for vendor, settings in FAST_TRANSITIONS.items():
            emu.control.settings(vendor, **settings)
        latency = f"{args.latency * 1000:.0f} ms injected latency"
        n = args.endpoints
        for version, urls in (
            ("v2", {}),
            ("v1", {"RUNPOD_API_VERSION": "v1", "RUNPOD_BASE_URL": emu.base_urls["RUNPOD_V1_BASE_URL"]}),
        ):
            stack = LocalStack(
                Path(tmp) / f"fan-out-{version}",
                fan_out,
                cli_root=pulumi_cli_root(REPO),
                env={**emu.base_urls, **env, **urls},
                stack="bench",
            )
            measure(f"RunPod REST {version}: 1 template + {n} endpoints, {latency}", stack, emu, per_endpoint=n)
        measure(f"Quickstart (every vendor), {latency}", quickstart_stack(emu, Path(tmp) / "qs", env=env), emu)
        scale(emu, Path(tmp), env)
        print("Fault mix (30 % of requests failing, 6 % ambiguous): up until converged")
        fault_mix(emu, Path(tmp), env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
