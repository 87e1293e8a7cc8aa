"""A base URL that points at another service: refresh and destroy must not take its 404s for "gone".

Behind a wrong base URL every object answers 404. Believed, refresh would drop every object from the
stack (and the next ``up`` would create duplicates) and destroy would forget objects that still run.
A 404 is believed only when a list the object lives in answers — and then it is: an object deleted out of
band is dropped by refresh and skipped by destroy.

State records the server each object lives on, and refresh and destroy go there whatever base URL the
settings name now (tests/e2e/test_stack_base_url_change.py); the wrong base URL then reaches only state
that records none (written before servers were recorded), as these tests make it."""

from __future__ import annotations

import pulumi
import pytest
from nemo_scenarios import config_args
from state_edits import forget_where_objects_live
from trustgate_programs import base_cfg, program

from pulumi_deploy import cyberun, nemo, runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

NAMES = ("gw", "up", "llm", "ext")


def trustgate_program():
    return program(base_cfg())


def template_program() -> None:
    tmpl = runpod.Template("worker", runpod.TemplateArgs(name="worker", image_name="ghcr.io/acme/worker:1.0"))
    pulumi.export("template_id", tmpl.id)


def test_refresh_against_another_service_keeps_every_object_and_names_the_setting(emulator, make_stack):
    # given: a gateway, an upstream and two services; then the base URL points at another vendor's API
    stack = make_stack(trustgate_program())
    stack.up()
    right = stack.env["TRUSTGATE_BASE_URL"]
    stack.set_env("TRUSTGATE_BASE_URL", stack.env["CYBERUN_BASE_URL"])
    # when: the state records where the objects live
    recorded = stack.refresh()
    # then: refresh read them there
    assert recorded.summary == {"same": 1 + len(NAMES)}, recorded.text
    # when: it does not
    forget_where_objects_live(stack)
    with pytest.raises(StackFailed) as failed:
        stack.refresh()
    # then: nothing left the stack, and the error says why and what to check
    assert set(NAMES) <= stack.resource_names()
    assert "answered 404 for the object and for /api/v1/gateways" in failed.value.text
    assert "trustgate:baseUrl / $TRUSTGATE_BASE_URL" in failed.value.text
    assert "nothing was removed from the stack" in failed.value.text
    # when: the base URL is right again
    stack.set_env("TRUSTGATE_BASE_URL", right)
    stack.refresh()
    preview = stack.preview()
    # then: the objects are where they were, with nothing to change
    assert [preview.step(name).op for name in NAMES] == ["same"] * len(NAMES)
    assert len(emulator.inventory("trustgate")["gateways"]) == 1


def test_destroy_against_another_service_forgets_nothing_that_still_exists(emulator, make_stack):
    # given: a template; then the base URL points at another vendor's API
    stack = make_stack(template_program)
    created = stack.up()
    forget_where_objects_live(stack)
    right = stack.env["RUNPOD_BASE_URL"]
    stack.set_env("RUNPOD_BASE_URL", stack.env["TRUSTGATE_BASE_URL"])
    # when
    with pytest.raises(StackFailed) as failed:
        stack.destroy()
    # then: the template still exists and the stack still knows it
    assert "worker" in stack.resource_names()
    assert [t["id"] for t in emulator.inventory("runpod")["templates"]] == [created.outputs["template_id"]]
    assert "runpod:baseUrl / $RUNPOD_BASE_URL" in failed.value.text
    # when: the base URL is right again
    stack.set_env("RUNPOD_BASE_URL", right)
    stack.destroy()
    # then
    assert emulator.inventory("runpod")["templates"] == []
    assert "worker" not in stack.resource_names()


def test_a_gateway_deleted_out_of_band_takes_its_children_and_refresh_drops_them_all(emulator, make_stack):
    # given
    stack = make_stack(trustgate_program())
    created = stack.up()
    # when: the gateway is removed outside Pulumi (its upstream and service lists go with it)
    emulator.delete("trustgate", "gateways", created.outputs["gateway_id"])
    stack.refresh()
    preview = stack.preview()
    # then: the children's own lists are gone, but the gateways list answers: all of them are gone
    assert not set(NAMES) & stack.resource_names()
    assert [preview.step(name).op for name in NAMES] == ["create"] * len(NAMES)


def _cyberun_service() -> None:
    svc = cyberun.ContainerService(
        "obj",
        cyberun.ContainerServiceArgs(
            service_slug="partner-api", service_type="external", external_url="https://api.example.com"
        ),
    )
    pulumi.export("id", svc.id)


def _nemo_config() -> None:
    pulumi.export("id", nemo.ModelDeploymentConfig("obj", config_args("cfg-gone")).name)


def _runpod_template() -> None:
    pulumi.export("id", runpod.Template("obj", runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0")).id)


DELETED_OUT_OF_BAND = {
    "runpod": (_runpod_template, "templates", "/v2/templates"),
    "cyberun": (_cyberun_service, "containers", "/containers"),
    "nemo": (_nemo_config, "deployment_configs", "/apis/models/v2/workspaces/default/deployment-configs"),
}


@pytest.mark.parametrize("vendor", list(DELETED_OUT_OF_BAND))
def test_destroy_of_an_object_deleted_out_of_band_checks_its_list_and_says_it_was_gone(emulator, make_stack, vendor):
    # given
    make, kind, listing = DELETED_OUT_OF_BAND[vendor]
    stack = make_stack(make)
    object_id = stack.up().outputs["id"]
    emulator.delete(vendor, kind, f"default:{object_id}" if vendor == "nemo" else object_id)
    emulator.clear_calls()
    # when
    destroyed = stack.destroy()
    # then
    assert "was already deleted" in destroyed.text
    assert ("GET", listing) in [(c["method"], c["path"]) for c in emulator.calls(vendor)]
    assert "obj" not in stack.resource_names()


def test_refresh_of_a_gone_object_whose_list_is_refused_keeps_it_and_names_the_permission(emulator, make_stack):
    # given: a template deleted out of band, and a credential that may not list templates
    stack = make_stack(_runpod_template)
    object_id = stack.up().outputs["id"]
    emulator.delete("runpod", "templates", object_id)
    emulator.add_fault("runpod", kind="status", status=403, method="GET", path="^/v2/templates$", message="no list")
    # when
    with pytest.raises(StackFailed) as failed:
        stack.refresh()
    # then: the object stays in the stack, and the message says which permission is missing
    assert "obj" in stack.resource_names()
    assert "/v2/templates, answered 403 (no list): the credential may read objects but not list them" in (
        failed.value.text
    )
    assert "Nothing was removed from the stack" in failed.value.text
