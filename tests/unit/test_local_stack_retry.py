"""The harness runs a preview again only when the CLI lost the inline program and said nothing else."""

from __future__ import annotations

from pulumi_deploy.local_stack import StackFailed, _lost_the_program

LOST = (
    "error: Exception calling application: <_InactiveRpcError of RPC that terminated with:\n"
    "\tstatus = StatusCode.UNAVAILABLE"
)


def test_a_lost_program_with_nothing_else_said_is_run_again():
    assert _lost_the_program(StackFailed("preview", "Previewing update (test):", LOST, []))


def test_a_failure_that_names_its_reason_is_reported_as_it_is():
    said = f"error: pulumi-deploy: cyberun:ContainerService 'svc': external_url: must be ...\n{LOST}"
    assert not _lost_the_program(StackFailed("preview", "", said, []))
    assert not _lost_the_program(StackFailed("preview", "", LOST, ["external_url: must be ..."]))
