"""The hooks that replaced vendor overrides of check/diff/CRUD: a default from a setting, another
spelling of unset, a field the current settings cannot take, pinning a server-chosen value, errors
explained once per operation, and delete-first replacements recorded for dependents."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import pytest
from pulumi import Input

from pulumi_deploy import aieev, cyberun, nemo, runpod, trustgate
from pulumi_deploy.core import bookkeeping, replacement_order
from pulumi_deploy.core.config import Setting, VendorSettings
from pulumi_deploy.core.errors import ApiError, BadRequest, PulumiDeployError
from pulumi_deploy.core.fields import FromSetting, Policy, Replace, ServerDefault, UnsetWhen
from pulumi_deploy.core.provider import SpecProvider
from pulumi_deploy.core.resource import ResourceArgs
from pulumi_deploy.core.spec import ObjectSpec

ZONE = Setting("test:zone", "TEST_ZONE", "zone-a")


@dataclass(frozen=True)
class NotOnFridays(Policy):
    """A field the current settings cannot take (a test stand-in for RunPod's ``OnlyOn``)."""

    def unavailable(self) -> str | None:
        return "not on a Friday (test:day)"


@dataclass(kw_only=True)
class GadgetArgs(ResourceArgs):
    name: Input[str]
    zone: Annotated[Input[str] | None, Replace(reason="identity"), FromSetting(ZONE)] = None
    revision: Annotated[Input[int] | None, ServerDefault(pinnable=True), UnsetWhen(0, reason="0 is the latest")] = None
    colour: Annotated[Input[str] | None, NotOnFridays()] = None


class GadgetProvider(SpecProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(vendor="test", kind="Gadget", args=GadgetArgs)
    settings = VendorSettings("test", Setting("test:token", "TEST_TOKEN"), Setting("test:baseUrl", "TEST_BASE_URL"))
    explained_calls: ClassVar[list[tuple[str, str | None]]] = []

    def explain(self, error: ApiError, what: str, props: dict[str, Any], id_: str | None) -> PulumiDeployError | None:
        self.explained_calls.append((what, id_))
        return error.explained(f"{what}: explained ({error.message})")

    def api_read(self, client: Any, id_: str, outs: dict[str, Any]) -> dict[str, Any] | None:
        raise BadRequest("test", "GET", f"http://127.0.0.1:9/gadgets/{id_}", 400, "bad filter")


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_TOKEN", "t")
    monkeypatch.setenv("TEST_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("TEST_ZONE", raising=False)


def test_an_unset_field_takes_its_setting_at_check_so_a_changed_default_previews_as_a_replace(monkeypatch):
    # when
    first = GadgetProvider().check({}, {"name": "g"}).inputs
    monkeypatch.setenv("TEST_ZONE", "zone-b")
    second = GadgetProvider().check({}, {"name": "g"}).inputs
    explicit = GadgetProvider().check({}, {"name": "g", "zone": "zone-c"}).inputs
    # then
    assert (first["zone"], second["zone"], explicit["zone"]) == ("zone-a", "zone-b", "zone-c")
    plan = GadgetProvider().change_plan({"name": "g", "zone": "zone-a"}, {"name": "g", "zone": "zone-b"})
    assert plan.replace_keys == ["zone"]


def test_the_other_spelling_of_unset_is_dropped_at_check():
    inputs = GadgetProvider().check({}, {"name": "g", "revision": 0.0}).inputs
    assert "revision" not in inputs
    assert GadgetProvider().check({}, {"name": "g", "revision": 3.0}).inputs["revision"] == 3


def test_a_field_the_settings_cannot_take_fails_at_check_with_its_reason():
    result = GadgetProvider().check({}, {"name": "g", "colour": "red"})
    assert [(f.property, f.reason) for f in result.failures] == [("colour", "colour: not on a Friday (test:day)")]
    assert GadgetProvider().check({}, {"name": "g"}).failures == []


def _outs(**values: Any) -> dict[str, Any]:
    names = tuple(k for k in values if k != "revision")  # revision was left to the server
    return bookkeeping.write(values, bookkeeping.Bookkeeping("g", input_names=names))


def test_pinning_the_value_the_server_chose_is_no_change_and_another_value_is():
    provider = GadgetProvider()
    olds = _outs(name="g", zone="zone-a", revision=4)
    same = provider.diff("g1", olds, {"name": "g", "zone": "zone-a", "revision": 4.0})
    other = provider.diff("g1", olds, {"name": "g", "zone": "zone-a", "revision": 5.0})
    assert same.changes is False
    assert other.changes is None  # a change: the engine computes and prints the property diff


def test_an_error_ending_an_operation_is_explained_once_and_chained():
    GadgetProvider.explained_calls.clear()
    with pytest.raises(BadRequest) as err:
        GadgetProvider().read("g1", _outs(name="g", zone="zone-a"))
    assert str(err.value) == "test:Gadget 'g' (g1): explained (bad filter)"
    assert isinstance(err.value.__cause__, BadRequest) and err.value.__cause__ is not err.value
    assert GadgetProvider.explained_calls == [("test:Gadget 'g' (g1)", "g1")]


def test_a_delete_first_replacement_is_recorded_for_the_dependents_checks(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")  # a template's category: replaced on v1, patched on v2
    # given: an explicitly named RunPod template whose image cannot change in place on this path
    provider = runpod.template.TemplateProvider()
    olds = bookkeeping.write(
        {"name": "named", "image_name": "a:1", "category": "CPU"},
        bookkeeping.Bookkeeping("tpl", autonamed=False, input_names=("name", "image_name", "category")),
    )
    news = {"name": "named", "image_name": "a:1", "category": "NVIDIA"}
    # when
    result = provider.diff("tpl-1", olds, news)
    # then
    assert result.replaces == ["category"] and result.delete_before_replace
    assert replacement_order.deleted_first(provider.spec.label, "tpl-1")
    assert not replacement_order.deleted_first(provider.spec.label, "tpl-2")


VENDOR_PROVIDERS = [
    cls
    for module in (aieev, cyberun, nemo, runpod, trustgate)
    for _, resource in inspect.getmembers(module, inspect.isclass)
    if (cls := getattr(resource, "provider_cls", None)) is not None
]


@pytest.mark.parametrize("provider_cls", VENDOR_PROVIDERS, ids=lambda c: c.__name__)
def test_no_vendor_overrides_the_engine_operations(provider_cls: type[SpecProvider]):
    # Vendors declare fields and hooks; the engine's check/diff/create/read/update/delete stay one place.
    for name in ("check", "diff", "create", "read", "update", "delete"):
        assert getattr(provider_cls, name) is getattr(SpecProvider, name), f"{provider_cls.__name__}.{name}"


def test_every_vendor_resource_is_guarded():
    assert len(VENDOR_PROVIDERS) == 12
