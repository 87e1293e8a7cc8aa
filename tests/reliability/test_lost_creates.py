"""A create whose answer was lost after the server made the object, for the vendors whose names are
unique (NeMo) and those whose names are not (RunPod endpoints, TrustGate upstreams): one `up`, exactly
one object each; and an object of the same name but another content is never taken over.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pulumi_deploy import nemo
from pulumi_deploy.local_stack import StackFailed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from nemo_helpers import FAST, fast_controller


def nemo_program(gpu: int = 1) -> None:
    config = nemo.ModelDeploymentConfig(
        "cfg",
        nemo.ModelDeploymentConfigArgs(
            name="lost-cfg",
            engine="nim",
            model_spec=nemo.ModelSpecArgs(model_type="llm", model_name="llama-3.1-8b-instruct"),
            executor_config=nemo.ExecutorConfigArgs(gpu=gpu),
        ),
    )
    nemo.ModelDeployment("dep", nemo.ModelDeploymentArgs(name="lost-dep", config=config.name, wait_for="READY"))


def _live(emulator, kind: str) -> list[dict]:
    return [r for r in emulator.inventory("nemo")[kind] if str(r.get("status", "")).upper() != "DELETED"]


def test_nemo_creates_whose_answers_were_lost_converge_with_one_object_each(emulator, make_stack) -> None:
    fast_controller(emulator)
    stack = make_stack(nemo_program, env=FAST)
    for path in ("/deployment-configs$", "/deployments$"):
        emulator.add_fault("nemo", kind="drop_after", method="POST", path=path)
    stack.up()
    assert len({r["name"] for r in _live(emulator, "deployment_configs")}) == 1
    assert len({r["name"] for r in _live(emulator, "deployments")}) == 1
    posts = [
        c for c in emulator.calls("nemo") if c["method"] == "POST" and c["path"].endswith(("configs", "deployments"))
    ]
    assert len(posts) == 2  # each sent once: the lost answer was found, not re-sent
    assert stack.preview().summary == {"same": 3}
    stack.destroy()


def test_a_nemo_config_of_the_same_name_and_another_definition_is_not_taken_over(emulator, make_stack) -> None:
    fast_controller(emulator)
    theirs = make_stack(lambda: nemo_program(gpu=2), env=FAST)
    theirs.up()
    ours = make_stack(nemo_program, env=FAST)
    with pytest.raises(StackFailed):
        ours.up()
    configs = [r for r in _live(emulator, "deployment_configs") if r["name"] == "lost-cfg"]
    assert configs and all(r["executor_config"]["gpu"] == 2 for r in configs)
    theirs.destroy()
