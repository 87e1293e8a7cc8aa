"""Table tests for every field policy: create (no old), unchanged, changed, cleared, unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.output import Unknown

from pulumi_deploy.core.fields import (
    MISSING,
    Downtime,
    KeptWhenRemoved,
    Normalise,
    Replace,
    ReplaceWhenCleared,
    WriteOnly,
    as_sorted_set,
    int_if_integral,
    is_unknown,
)
from pulumi_deploy.core.resource import ResourceArgs
from pulumi_deploy.core.spec import ObjectSpec

UNKNOWN = Unknown()


@dataclass(kw_only=True)
class PortArgs(ResourceArgs):
    port: Annotated[int | None, WriteOnly(), Downtime(), KeptWhenRemoved()] = None


@pytest.mark.parametrize(
    ("case", "old", "new", "replaces"),
    [
        ("create-no-old", MISSING, "a", True),
        ("both-missing", MISSING, MISSING, False),
        ("unchanged", "a", "a", False),
        ("changed", "a", "b", True),
        ("cleared", "a", MISSING, True),
        ("unknown-during-preview", "a", UNKNOWN, True),
    ],
)
def test_replace_requires_replace(case, old, new, replaces):
    assert Replace().requires_replace(old, new) is replaces, case


@pytest.mark.parametrize(
    ("case", "old", "new", "replaces"),
    [
        ("create-no-old", MISSING, "a", False),
        ("unchanged", "a", "a", False),
        ("changed", "a", "b", False),
        ("set-from-empty", MISSING, "b", False),
        ("cleared-to-missing", "a", MISSING, True),
        ("cleared-to-none", "a", None, True),
        ("unknown-during-preview", "a", UNKNOWN, False),
    ],
)
def test_replace_when_cleared_requires_replace(case, old, new, replaces):
    assert ReplaceWhenCleared().requires_replace(old, new) is replaces, case


@pytest.mark.parametrize(
    ("case", "value", "expected"),
    [
        ("comma-string", "US-TX-3, EU-RO-1", ["EU-RO-1", "US-TX-3"]),
        ("list-out-of-order", ["US-TX-3", "EU-RO-1"], ["EU-RO-1", "US-TX-3"]),
        ("duplicates-and-blanks", ["A", "", "A"], ["A"]),
        ("missing-passes-through", MISSING, MISSING),
        ("none-passes-through", None, None),
    ],
)
def test_normalise_as_sorted_set(case, value, expected):
    assert Normalise(as_sorted_set)(value) == expected, case


def test_normalise_leaves_unknown_alone():
    assert Normalise(as_sorted_set)(UNKNOWN) is UNKNOWN


def test_is_unknown_sees_nested_unknowns():
    assert is_unknown({"a": [1, UNKNOWN]})
    assert not is_unknown({"a": [1, 2]})


@given(st.lists(st.sampled_from(["EU-RO-1", "US-TX-3", "CA-MTL-1", "AP-JP-1"])))
def test_as_sorted_set_is_order_insensitive_and_idempotent(items):
    once = as_sorted_set(items)
    assert once == as_sorted_set(list(reversed(items)))
    assert once == as_sorted_set(once)
    assert once == as_sorted_set(",".join(items))


@given(st.integers(min_value=-(2**52), max_value=2**52))
def test_int_if_integral_restores_ints_the_engine_sent_as_floats(n):
    assert int_if_integral(float(n)) == n
    assert isinstance(int_if_integral(float(n)), int)
    assert int_if_integral({"x": [float(n)]}) == {"x": [n]}


def test_removing_a_field_the_api_cannot_clear_is_said_as_that_and_not_as_a_change():
    # given
    spec = ObjectSpec(vendor="demo", kind="Thing", args=PortArgs)
    # when
    removed = spec.plan({"port": 8080}, {})
    changed = spec.plan({"port": 8080}, {"port": 9000})
    # then
    assert removed.changed == ["port"] and removed.notes() == [
        "port no longer set: the last applied value stays (the API cannot clear it; nothing is sent)"
    ]
    assert changed.notes() == ["downtime — applying port stops the service meanwhile"]
