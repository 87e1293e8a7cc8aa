"""Autonames are a function of the URN (and, for a replacement, of the name it replaces)."""

from __future__ import annotations

from pulumi_deploy.core import autonaming
from pulumi_deploy.runpod.template import TemplateProvider

URN = "urn:pulumi:dev::proj::pulumi-python:dynamic/runpod:Template::worker"


def test_the_first_name_depends_on_the_urn_only():
    assert autonaming.first_name("worker", URN) == autonaming.first_name("worker", URN)
    assert autonaming.first_name("worker", URN) != autonaming.first_name("worker", URN.replace("dev", "prod"))
    name = autonaming.first_name("worker", URN)
    assert name.startswith("worker-") and len(name) == len("worker-") + autonaming.SUFFIX_LENGTH
    assert name[len("worker-") :].isalnum() and name.islower()


def test_a_replacement_gets_a_name_of_its_own_and_the_next_one_another():
    first = autonaming.first_name("worker", URN)
    second = autonaming.replacement_name("worker", URN, first)
    third = autonaming.replacement_name("worker", URN, second)
    assert len({first, second, third}) == 3
    assert second == autonaming.replacement_name("worker", URN, first)


def test_check_without_olds_names_the_same_every_time():
    news = {"__provider": "p", "_logical_name": "steady", "image_name": "img"}
    names = {TemplateProvider().check({}, dict(news)).inputs["name"] for _ in range(3)}
    assert len(names) == 1


def test_after_diff_decides_a_replacement_the_recheck_names_the_successor_differently(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")  # a template's category: replaced on v1, patched on v2
    provider = TemplateProvider()
    news = {"__provider": "p", "_logical_name": "moving", "image_name": "img", "category": "NVIDIA"}
    first = provider.check({}, dict(news)).inputs
    olds = {**first, "_input_names": ["category", "image_name", "name"]}
    changed = provider.check(first, {**news, "category": "AMD"}).inputs
    assert changed["name"] == first["name"]  # an in-place check keeps the name
    assert provider.diff("tid", olds, changed).replaces == ["category"]
    successor = provider.check({}, {**news, "category": "AMD"}).inputs
    assert successor["name"] != first["name"]
    assert successor["name"] == provider.check({}, {**news, "category": "AMD"}).inputs["name"]
