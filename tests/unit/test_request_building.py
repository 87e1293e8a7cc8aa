"""The calls core computes from a declaration: one table per update style, and every placement policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest
from pulumi import Input

from pulumi_deploy.core.fields import (
    ClearWith,
    CreateOnly,
    Encode,
    In,
    Local,
    Replace,
    ServerDefault,
    UnsetOnWire,
    Wire,
)
from pulumi_deploy.core.request import (
    FULL_PUT,
    NEW_VERSION_POST,
    PARTIAL_PUT,
    SPARSE_PATCH,
    Routes,
    create_call,
    delete_call,
    read_call,
    update_call,
)
from pulumi_deploy.core.spec import ObjectSpec, snake_to_camel

NIL = "00000000-0000-0000-0000-000000000000"


@dataclass(kw_only=True)
class WidgetArgs:
    parent_id: Annotated[Input[str], In("path"), Replace()]
    name: Input[str]
    region: Annotated[Input[str] | None, Replace()] = None
    size: Annotated[Input[int] | None, ServerDefault(1)] = None
    colour: Annotated[Input[str] | None, ClearWith("")] = None
    label: Input[str] | None = None
    seed: Annotated[Input[int] | None, CreateOnly()] = None
    link_id: Annotated[Input[str] | None, UnsetOnWire(NIL)] = None
    tags: Annotated[Input[list[str]] | None, Encode(lambda v: ",".join(v)), Wire("tagList")] = None
    dry_run: Annotated[Input[bool] | None, In("query")] = None
    request_id: Annotated[Input[str] | None, In("header", header="X-Request-Id")] = None
    wait: Annotated[Input[bool] | None, Local()] = None


SPEC = ObjectSpec(vendor="acme", kind="Widget", args=WidgetArgs, wire_case=snake_to_camel)
OLD = {"parent_id": "p1", "name": "w", "region": "eu", "size": 3, "colour": "red", "label": "a", "seed": 7}


def routes(style):
    return Routes("/parents/{parent_id}/widgets", update=style)


def update(style, new, old=OLD):
    return update_call(SPEC, routes(style), "w1", SPEC.plan(old, new), new)


def test_create_posts_every_set_body_field_once_with_wire_names_placements_and_unset_spellings():
    call = create_call(SPEC, routes(SPARSE_PATCH), {**OLD, "tags": ["x", "y"], "dry_run": True, "wait": True,
                                                     "request_id": "r-1", "size": 3.0})  # fmt: skip
    assert (call.method, call.path, call.idempotent) == ("POST", "/parents/p1/widgets", False)
    assert call.body == {"name": "w", "region": "eu", "size": 3, "colour": "red", "label": "a", "seed": 7,
                         "linkId": NIL, "tagList": "x,y"}  # fmt: skip
    assert call.params == {"dryRun": True}
    assert call.headers == {"X-Request-Id": "r-1"}


def test_read_and_delete_fill_the_item_path():
    assert read_call(SPEC, routes(FULL_PUT), "w1", OLD).path == "/parents/p1/widgets/w1"
    assert delete_call(SPEC, routes(FULL_PUT), "w1", OLD).method == "DELETE"


@pytest.mark.parametrize(
    ("style", "method", "body"),
    [
        # changed fields only; removed ones by their clearing value (server default / ClearWith), else left out
        (SPARSE_PATCH, "PATCH", {"name": "w2", "size": 1, "colour": ""}),
        (PARTIAL_PUT, "PUT", {"name": "w2", "size": 1, "colour": ""}),
        # the whole desired object the update accepts: removed fields are absent (the server clears them),
        # identity (Replace) and create-only fields are never part of it
        (FULL_PUT, "PUT", {"name": "w2", "linkId": NIL}),
        (NEW_VERSION_POST, "POST", {"name": "w2", "linkId": NIL}),
    ],
    ids=str,
)
def test_update_body_for_each_style(style, method, body):
    new = {"parent_id": "p1", "name": "w2", "region": "eu", "seed": 7}  # size, colour, label removed
    call = update(style, new)
    assert call is not None
    assert (call.method, call.path) == (method, "/parents/p1/widgets/w1")
    assert call.body == body
    assert call.idempotent is (style is not NEW_VERSION_POST)


@pytest.mark.parametrize("style", [SPARSE_PATCH, PARTIAL_PUT, FULL_PUT, NEW_VERSION_POST], ids=str)
def test_nothing_is_sent_when_only_fields_the_update_does_not_accept_changed(style):
    assert update(style, {**OLD, "wait": True}) is None  # a provider setting
    assert update(style, {**OLD, "seed": 8}) is None  # create-only


def test_sparse_update_sends_an_explicit_zero_and_never_a_create_only_or_replacing_field():
    call = update(SPARSE_PATCH, {**OLD, "size": 0, "seed": 9, "region": "us"})
    assert call is not None and call.body == {"size": 0}


def test_a_removed_field_without_a_clearing_value_sends_nothing_in_a_sparse_update():
    assert update(SPARSE_PATCH, {k: v for k, v in OLD.items() if k != "label"}) is None


def test_response_keys_and_unset_spellings_read_back_as_python_values():
    @dataclass(kw_only=True)
    class RenamedArgs:
        embedding: Annotated[Input[dict] | None, Wire(response="embedding_config")] = None
        link_id: Annotated[Input[str] | None, UnsetOnWire(NIL)] = None

    spec = ObjectSpec(vendor="acme", kind="Renamed", args=RenamedArgs)
    assert spec.from_wire({"embedding_config": {"m": 1}, "embedding": "ignored", "link_id": NIL}) == {
        "embedding": {"m": 1}
    }
    assert spec.to_wire({"embedding": {"m": 1}}) == {"embedding": {"m": 1}}
