"""Cyberun: what the preview says an update does is what api_update sends."""

from __future__ import annotations

from pulumi_deploy.cyberun.container_service import ContainerServiceProvider


def test_removing_a_field_the_put_cannot_clear_promises_no_redeploy():
    # given: a deployed service whose docker_image leaves the program (a PUT keeps what it leaves out)
    p = ContainerServiceProvider()
    olds = {"service_slug": "svc", "service_type": "deployed", "docker_image": "acme/app:1", "exposed_port": 8080}
    removed = {k: v for k, v in olds.items() if k != "docker_image"}
    changed = {**olds, "exposed_port": 9090}
    # when
    kept_notes = p.plan_notes(p.change_plan(olds, removed), olds, removed)
    changed_notes = p.plan_notes(p.change_plan(olds, changed), olds, changed)
    # then: nothing is sent, so nothing is redeployed; a real change redeploys
    assert not any(n.startswith("redeploy") for n in kept_notes), kept_notes
    assert any("docker_image no longer set: the last applied value stays" in n for n in kept_notes), kept_notes
    assert any(n.startswith("redeploy — changing exposed_port") for n in changed_notes), changed_notes
