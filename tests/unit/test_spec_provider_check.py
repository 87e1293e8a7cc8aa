"""SpecProvider.check on a minimal object: how rule failures reach the engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input
from pydantic import Field

from pulumi_deploy.core.config import Setting, VendorSettings
from pulumi_deploy.core.provider import SpecProvider
from pulumi_deploy.core.resource import ResourceArgs
from pulumi_deploy.core.spec import ObjectSpec


@dataclass(kw_only=True)
class PortArgs:
    number: Input[int]
    protocol: Input[str] = "tcp"


@dataclass(kw_only=True)
class WidgetArgs(ResourceArgs):
    size: Annotated[Input[int], Field(ge=1)]
    label: Input[str] | None = None
    ports: Input[list[Input[PortArgs]]] | None = None
    mode: Input[bool | Literal["OFF", "FAST"]] | None = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        label = values.get("label") or ""
        if label != label.strip():
            yield "label", "must not have surrounding whitespace"
        if label.strip() and not label.strip().islower():
            yield "label", "must be lowercase"


class WidgetProvider(SpecProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(vendor="test", kind="Widget", args=WidgetArgs)
    settings = VendorSettings("test", Setting("test:token", "TEST_TOKEN"), Setting("test:baseUrl", "TEST_BASE_URL"))


def test_check_reports_one_failure_per_property_with_every_reason():
    # when
    result = WidgetProvider().check({}, {"size": 0.0, "label": " Big "})
    # then
    assert [(f.property, f.reason) for f in result.failures] == [
        ("size", "size: Input should be greater than or equal to 1 (got 0)"),
    ]
    result = WidgetProvider().check({}, {"size": 2.0, "label": " Big "})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("label", "label: must not have surrounding whitespace; label: must be lowercase"),
    ]
    assert result.inputs["size"] == 2


def test_unknown_nested_key_lists_the_nested_objects_keys():
    # when
    result = WidgetProvider().check({}, {"size": 1.0, "ports": [{"number": 80.0, "protocl": "udp"}]})
    # then
    assert [(f.property, f.reason) for f in result.failures] == [
        ("ports", "ports.0.protocl: unknown property (known: number, protocol)"),
    ]


def test_a_value_outside_a_union_with_choices_is_told_the_choices_under_the_fields_own_name():
    # when
    result = WidgetProvider().check({}, {"size": 1.0, "mode": "BOGUS", "label": 3.0})
    # then: the choices, not "should be a valid boolean"; no `mode.bool` path; fields in declared order
    assert [(f.property, f.reason) for f in result.failures] == [
        ("label", "label: Input should be a valid string (got 3)"),
        ("mode", "mode: Input should be 'OFF' or 'FAST' (got 'BOGUS')"),
    ]
