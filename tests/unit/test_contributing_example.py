"""CONTRIBUTING.md's smallest complete example works as written: a declaration and nothing else."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from pulumi_deploy.core.request import create_call, update_call

GUIDE = Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


@pytest.fixture
def widget(tmp_path, monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", "acme-unit-key")  # check verifies the vendor can be called
    api_src, widget_src, connection_src = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)[:3]
    package = tmp_path / "acme_example"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, src in (("api", api_src), ("widget", widget_src), ("connection", connection_src)):
        (package / f"{name}.py").write_text(src.replace("from ..core", "from pulumi_deploy.core"))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("acme_example.widget")
    for name in [m for m in sys.modules if m.startswith("acme_example")]:
        del sys.modules[name]


def test_the_guide_example_checks_creates_and_updates_from_its_declaration_alone(widget):
    provider = widget.WidgetProvider()
    checked = provider.check({}, {"name": "w", "region": "eu", "size": 2.0})
    assert checked.failures == []
    create = create_call(provider.spec, provider.routes, checked.inputs)
    assert (create.method, create.path, create.body) == ("POST", "/widgets", {"name": "w", "region": "eu", "size": 2})
    news = {k: v for k, v in checked.inputs.items() if k != "size"}
    update = update_call(provider.spec, provider.routes, "w1", provider.spec.plan(checked.inputs, news), news)
    assert update is not None
    assert (update.method, update.path, update.body) == ("PATCH", "/widgets/w1", {"size": 1})  # server default back
    assert provider.diff(
        "w1", {**checked.inputs, "_input_names": ["name", "region"]}, {**news, "region": "us"}
    ).replaces == ["region"]
    assert "region: changing it replaces the object (a widget cannot move)" in widget.WidgetArgs.__doc__


def test_the_guide_connection_derives_its_settings_and_help_from_its_fields(widget):
    connection = importlib.import_module("acme_example.connection").Connection
    assert {name: s.config_key for name, s in connection.settings.items()} == {
        "api_key": "acme:apiKey",
        "base_url": "acme:baseUrl",
    }
    assert "- ``api_key``: The account's API key (unset: ``acme:apiKey`` / ``$ACME_API_KEY``)." in connection.__doc__
    assert connection(api_key="k").config_values() == {"acme:apiKey": "k"}
