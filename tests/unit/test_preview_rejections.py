"""Values the vendor refuses mid-`up` are refused by check (what preview runs), naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_deploy.core.provider import SpecProvider
from pulumi_deploy.cyberun.container_service import ContainerServiceArgs, ContainerServiceProvider
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.trustgate.service import ServiceProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

GW = "6f1c1b1e-0000-4000-8000-00000000000a"
NIL = "00000000-0000-0000-0000-000000000000"
TARGET = {"host": "h", "port": 8000.0, "protocol": "http", "weight": 100.0}
CASES: list[tuple[type[SpecProvider], dict[str, Any], str, str]] = [
    (
        ServiceProvider,
        {"gateway_id": GW, "name": "s", "type": "endpoint", "host": "", "port": 443.0, "protocol": "https"},
        "host",
        "at least 1 character",
    ),
    (
        ServiceProvider,
        {"gateway_id": GW, "name": "s", "type": "upstream", "upstream_id": NIL},
        "upstream_id",
        "nil UUID",
    ),
    (
        UpstreamProvider,
        {
            "gateway_id": GW,
            "name": "u",
            "algorithm": "round-robin",
            "targets": [TARGET],
            "proxy_config": {"host": "p", "port": "99999"},
        },
        "proxy_config",
        "from 1 to 65535",
    ),
    (
        ContainerServiceProvider,
        {"service_slug": "ok-slug", "service_type": "external", "external_url": "https://"},
        "external_url",
        "an https:// URL with a host",
    ),
    (
        ContainerServiceProvider,
        {
            "service_slug": "ok-slug",
            "docker_image": "img:1",
            "volume_config": [
                {"host_path": "/a", "container_path": "/data"},
                {"host_path": "/b", "container_path": "/data"},
            ],
        },
        "volume_config",
        "mounts /data more than once",
    ),
    (ModelDeploymentProvider, {"name": "d", "config": "c", "wait_for": "DELETED"}, "wait_for", "'READY'"),
]


@pytest.mark.parametrize(
    ("provider", "news", "prop", "expected"), CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in CASES]
)
def test_check_refuses_it_naming_the_field(provider, news, prop, expected):
    failures = provider().check({}, {"__provider": "p", **news}).failures
    assert [f.property for f in failures] == [prop], failures
    assert expected in failures[0].reason


@pytest.mark.parametrize(
    "mounts",
    [
        [{"host_path": "/a", "container_path": Unknown()}, {"host_path": "/b", "container_path": Unknown()}],
        [{"host_path": "/a"}, {"host_path": "/b"}],
    ],
    ids=["not-known-yet", "not-set"],
)
def test_container_paths_not_known_are_not_counted_as_one_path_mounted_twice(mounts):
    values = {"service_slug": "ok-slug", "docker_image": "img:1", "volume_config": mounts}
    rules = dict(ContainerServiceArgs.rules(values, set()))
    assert "volume_config" not in rules, rules
    failures = ContainerServiceProvider().check({}, {"__provider": "p", **values}).failures
    assert not [f for f in failures if "more than once" in f.reason], failures
