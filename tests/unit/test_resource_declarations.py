"""Every resource declares each field once: its Output attributes agree with Args + Outputs, and
``help()`` of every Args class shows readable docs (no annotation source, every field listed)."""

from __future__ import annotations

import dataclasses
import importlib
import pydoc
from dataclasses import dataclass
from typing import Annotated, ClassVar

import pytest
from pulumi import Input, Output

from pulumi_deploy.core.fields import Doc
from pulumi_deploy.core.provider import SpecProvider
from pulumi_deploy.core.resource import (
    AdoptableArgs,
    ResourceArgs,
    SpecResource,
    import_refusal,
    output_attribute_mismatch,
)
from pulumi_deploy.core.spec import ObjectSpec

VENDORS = ("runpod", "aieev", "cyberun", "trustgate", "nemo")


def resources(vendors: tuple[str, ...] = VENDORS) -> list[type[SpecResource]]:
    found = []
    for vendor in vendors:
        module = importlib.import_module(f"pulumi_deploy.{vendor}")
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, SpecResource):
                found.append(obj)
    return found


def test_every_vendor_resource_is_found():
    assert len(resources()) == 12


def label(resource: type) -> str:
    return f"{resource.__module__.split('.')[1]}.{resource.__name__}"


@pytest.mark.parametrize("resource", resources(), ids=label)
def test_output_attributes_agree_with_args_and_outputs(resource):
    assert output_attribute_mismatch(resource) == ([], [])


@pytest.mark.parametrize("resource", resources(), ids=label)
def test_no_boilerplate_init(resource):
    assert "__init__" not in resource.__dict__ or resource.__name__ == "Upstream"  # Upstream splits credentials


@pytest.mark.parametrize("resource", resources(), ids=label)
def test_help_of_every_args_class_lists_each_field_in_plain_text(resource):
    args = resource.provider_cls.spec.args
    text = pydoc.render_doc(args, renderer=pydoc.plaintext)
    assert "Fields:" in text
    for f in dataclasses.fields(args):
        assert f"    {f.name}" in args.__doc__
    assert "{api." not in text and ":.0f}" not in text  # no f-string source


def test_a_resource_whose_attributes_disagree_fails_when_defined():
    @dataclass(kw_only=True)
    class GadgetArgs(ResourceArgs):
        size: Annotated[Input[int], Doc("How big.")]

    class GadgetProvider(SpecProvider):
        spec: ClassVar[ObjectSpec] = ObjectSpec(vendor="acme", kind="Gadget", args=GadgetArgs)

    with pytest.raises(TypeError, match=r"missing: size; no such field: colour"):

        class Gadget(SpecResource, module="acme", name="Gadget"):
            provider_cls = GadgetProvider
            colour: Output[str]


def test_policy_descriptions_reach_the_reference_docs():
    from pulumi_deploy import cyberun, runpod

    assert "changing it starts a rolling release" in runpod.EndpointArgs.__doc__
    assert "wait_timeout: Seconds to wait for deploy/undeploy to settle; provider setting" in (
        cyberun.ContainerServiceArgs.__doc__
    )
    assert "default: 900.0" in cyberun.ContainerServiceArgs.__doc__


@pytest.mark.parametrize("resource", resources(), ids=label)
def test_the_import_option_is_refused_with_what_takes_the_object_over(resource):
    # given
    args = resource.provider_cls.spec.args
    # when
    text = import_refusal(resource, args, "obj-1")
    # then: an adoptable object names adopt_id; an Aieev endpoint is named by its own Args
    assert "`import_` option does not work for dynamic resources" in text
    if issubclass(args, AdoptableArgs):
        assert f"pass `adopt_id='obj-1'` in {args.__name__}" in text
    else:
        assert f"{args.__name__} names the existing object itself" in text
