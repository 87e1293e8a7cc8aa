"""Generate the reference docs (``docs/``) from the resources' field declarations.

    python scripts/gen_docs.py            # (re)write docs/
    python scripts/gen_docs.py --out DIR  # write elsewhere (the freshness test diffs the two)

Nothing here is hand-written per resource: every page comes from the resource class, its provider's
``ObjectSpec`` (fields, policies, ``Doc`` texts) and the type hints of its Args and Outputs, so a
changed declaration changes the page. ``make test`` fails when ``docs/`` is stale.
"""

from __future__ import annotations

import argparse
import collections.abc
import dataclasses
import importlib
import inspect
import sys
import types
import typing
from collections.abc import Awaitable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pulumi import Output

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from pulumi_deploy.core.fields import Default, ServerDefault, declared_hints  # noqa: E402
from pulumi_deploy.core.resource import SpecResource  # noqa: E402
from pulumi_deploy.core.spec import FieldSpec, ObjectSpec  # noqa: E402

VENDOR_MODULES = ("runpod", "aieev", "cyberun", "trustgate", "nemo")
DOCS_DIR = REPO_ROOT / "docs"
REGENERATE = "python scripts/gen_docs.py"
#: Past this many, a choice of literal values shows the first few and how many there are.
MAX_LISTED_VALUES = 6


def resources() -> list[type[SpecResource]]:
    """Every resource class the package exports, in vendor then name order."""
    found: list[type[SpecResource]] = []
    for vendor in VENDOR_MODULES:
        module = importlib.import_module(f"pulumi_deploy.{vendor}")
        for name in sorted(getattr(module, "__all__", [])):
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, SpecResource) and obj not in found:
                found.append(obj)
    return found


# -- types -------------------------------------------------------------------------------------


def _plain(tp: Any) -> Any:
    """``Input[T]`` -> ``T`` (drops ``Awaitable``/``Output`` members and ``Annotated`` metadata)."""
    if get_origin(tp) is Annotated:
        return _plain(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):
        members = [
            _plain(a)
            for a in get_args(tp)
            if get_origin(a) not in (Awaitable, typing.Awaitable, Output) and a is not Output
            and not (isinstance(a, type) and issubclass(a, Output))
        ]  # fmt: skip
        unique: list[Any] = []
        for m in members:
            if m not in unique:
                unique.append(m)
        return unique[0] if len(unique) == 1 else Union[tuple(unique)]  # noqa: UP007
    return tp


def type_text(tp: Any) -> str:
    """A type as a reader writes it: ``list[str]``, ``int``, ``"a" | "b"``, ``EnvVarArgs``."""
    tp = _plain(tp)
    origin = get_origin(tp)
    if tp is type(None):
        return "None"
    if origin is Literal:
        values = [f'`"{v}"`' if isinstance(v, str) else f"`{v!r}`" for v in get_args(tp)]
        if len(values) > MAX_LISTED_VALUES:
            return " \\| ".join(values[:MAX_LISTED_VALUES]) + f" \\| … ({len(values)} known values)"
        return " \\| ".join(values)
    if origin in (Union, types.UnionType):
        return " \\| ".join(type_text(a) for a in get_args(tp) if a is not type(None))
    if origin in (list, typing.Sequence, collections.abc.Sequence):
        return f"list[{type_text(get_args(tp)[0])}]"
    if origin in (dict, typing.Mapping, collections.abc.Mapping):
        key, value = get_args(tp)
        return f"dict[{type_text(key)}, {type_text(value)}]"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return getattr(tp, "__name__", str(tp))


def nested_args(tp: Any) -> Iterator[type]:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        yield tp
    for arg in get_args(tp):
        yield from nested_args(arg)


# -- one field ---------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def default_text(spec: FieldSpec, field: dataclasses.Field[Any] | None) -> str:
    server = spec.get(ServerDefault)
    if isinstance(server, ServerDefault):
        return "server's value"
    declared = spec.get(Default)
    if isinstance(declared, Default):
        return f"`{declared.value!r}`"
    if field is not None and field.default not in (dataclasses.MISSING, None):
        return f"`{field.default!r}`"
    if field is not None and field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return ""


def behaviour_text(spec: FieldSpec) -> str:
    sentences = [p.description for p in spec.policies if p.description]
    return "; ".join(s.rstrip(".") for s in sentences)


def field_rows(cls: type, specs: dict[str, FieldSpec], names: Iterable[str], with_required: bool) -> list[str]:
    hints = declared_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    rows = []
    for name in names:
        spec, field = specs[name], fields.get(name)
        required = field is not None and field.default is dataclasses.MISSING and (
            field.default_factory is dataclasses.MISSING
        )
        cells = [f"`{name}`", type_text(hints[name])]
        if with_required:
            cells += ["yes" if required else "", default_text(spec, field)]
        cells += [_cell(behaviour_text(spec)), _cell(spec.doc)]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


INPUT_HEADER = ["| property | type | required | default | behaviour | description |", "|---|---|---|---|---|---|"]
OUTPUT_HEADER = ["| output | type | behaviour | description |", "|---|---|---|---|"]


# -- pages -------------------------------------------------------------------------------------


def _specs_of(cls: type) -> dict[str, FieldSpec]:
    return ObjectSpec(vendor="doc", kind=cls.__name__, args=cls).fields


def page(resource: type[SpecResource]) -> str:
    provider = resource.provider_cls
    spec = provider.spec
    settings = provider.settings
    module = resource.__module__.split(".")[1]
    summary = " ".join((resource.__doc__ or "").split())
    lines = [
        f"# {module}.{resource.__name__}",
        "",
        "<!-- generated by scripts/gen_docs.py from the field declarations: do not edit -->",
        "",
        summary,
        "",
        "```python",
        f"from pulumi_deploy import {module}",
        f'{module}.{resource.__name__}("name", {module}.{spec.args.__name__}(...))',
        "```",
        "",
        f"Pulumi type `pulumi-python:dynamic/{module}:{resource.__name__}`. Credential: "
        f"`{settings.credential.config_key}` / `${settings.credential.env}`"
        + ("" if settings.credential_required else " (optional)")
        + f"; base URL: `{settings.base_url.config_key}` / `${settings.base_url.env}`"
        + (f" (default `{settings.base_url.default}`)." if settings.base_url.default else " (no default)."),
        *_connection_lines(module, resource),
        "",
        f"## Inputs (`{spec.args.__name__}`)",
        "",
        *INPUT_HEADER,
        *field_rows(spec.args, spec.fields, [f.name for f in spec.inputs()], with_required=True),
        "",
        "## Outputs",
        "",
        "Every input is also an output of the same name (server-filled values included).",
        "",
    ]
    outputs = spec.outputs_only()
    outputs_cls = spec.outputs
    if outputs and outputs_cls is not None:
        lines += [*OUTPUT_HEADER, *field_rows(outputs_cls, spec.fields, [f.name for f in outputs], False), ""]
    nested: list[type] = []
    for tp in [*declared_hints(spec.args).values(), *(declared_hints(outputs_cls).values() if outputs_cls else [])]:
        _collect(tp, nested)
    for cls in nested:
        specs = _specs_of(cls)
        lines += [
            f"## {cls.__name__}",
            "",
            *INPUT_HEADER,
            *field_rows(cls, specs, list(specs), with_required=True),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _connection_lines(module: str, resource: type[SpecResource]) -> list[str]:
    """How to give this resource its own account/server, when the resource takes ``connection=``."""
    connection = getattr(importlib.import_module(f"pulumi_deploy.{module}"), "Connection", None)
    takes = "connection" in inspect.signature(resource.__init__).parameters
    if connection is None or not takes:
        return []
    keys = ", ".join(f"`{name}` ({s.config_key})" for name, s in connection.settings.items())
    return [
        "",
        f"Explicit connection (instead of the stack's settings): `connection={module}.Connection(...)`, "
        f"an `Output` of one accepted, kept secret; fields {keys}.",
    ]


def _collect(tp: Any, into: list[type]) -> None:
    for cls in nested_args(tp):
        if cls not in into:
            into.append(cls)
            for inner in declared_hints(cls).values():
                _collect(inner, into)


def index(all_resources: list[type[SpecResource]]) -> str:
    lines = [
        "# Reference",
        "",
        "<!-- generated by scripts/gen_docs.py from the field declarations: do not edit -->",
        "",
        "One page per resource: every input with its type, whether it is required, its default and what",
        "changing it does (replace, rolling release, downtime, new version), whether it is secret or",
        f"write-only; then the outputs. Regenerate with `{REGENERATE}`.",
        "",
        "| resource | page |",
        "|---|---|",
    ]
    for r in all_resources:
        name = f"{r.__module__.split('.')[1]}.{r.__name__}"
        lines.append(f"| `{name}` | [{name}]({file_name(r)}) |")
    return "\n".join(lines) + "\n"


def file_name(resource: type[SpecResource]) -> str:
    return f"{resource.__module__.split('.')[1]}-{resource.__name__}.md"


def render() -> dict[str, str]:
    """File name -> content of every reference page."""
    found = resources()
    pages = {file_name(r): page(r) for r in found}
    pages["README.md"] = index(found)
    return pages


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    pages = render()
    for stale in out.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = out / name
        path.write_text(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    written = write(args.out)
    print(f"gen_docs: wrote {len(written)} pages to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
