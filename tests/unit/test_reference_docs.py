"""docs/ is generated from the field declarations and kept fresh: regenerated here and compared."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scripts import gen_docs

DOCS = Path(__file__).resolve().parents[2] / "docs"
HOW = f"docs/ is stale: run `{gen_docs.REGENERATE}` (or `make docs`) and commit the result"


def test_docs_are_fresh(tmp_path):
    gen_docs.write(tmp_path)
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.md")}
    committed = {p.name: p.read_text() for p in DOCS.glob("*.md")}
    assert sorted(committed) == sorted(fresh), HOW
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"{HOW} (differs: {', '.join(stale)})"


def test_every_resource_and_every_field_is_documented():
    pages = gen_docs.render()
    for resource in gen_docs.resources():
        text = pages[gen_docs.file_name(resource)]
        spec = resource.provider_cls.spec
        missing = [name for name in spec.fields if f"| `{name}` |" not in text]
        assert missing == [], f"{resource.__name__}: undocumented {missing}"
        assert gen_docs.file_name(resource) in pages["README.md"]
    assert set(gen_docs.resources()) == set(declared_resources())


def declared_resources() -> list[type]:
    """Every resource class defined in the package (whether or not its vendor module exports it)."""
    from pulumi_deploy.core.resource import SpecResource

    found, todo = [], list(SpecResource.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("pulumi_deploy.") and "provider_cls" in cls.__dict__:
            found.append(cls)
    return found


def test_a_page_states_required_defaults_and_behaviour_from_the_declarations():
    from pulumi_deploy import runpod

    text = gen_docs.page(runpod.Template)
    row = next(line for line in text.splitlines() if line.startswith("| `is_serverless` |"))
    assert "changing it replaces the object" in row
    image = next(line for line in text.splitlines() if line.startswith("| `image_name` |"))
    assert image.split(" | ")[2] == "yes"  # required: no default in TemplateArgs
    assert {f.name for f in dataclasses.fields(runpod.TemplateArgs)} <= {
        line.split("`")[1] for line in text.splitlines() if line.startswith("| `")
    }
