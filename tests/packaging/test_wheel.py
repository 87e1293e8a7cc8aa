"""The built wheel is what users install: its contents, its metadata, and an install next to a newer SDK."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import pulumi_deploy

REPO = Path(__file__).resolve().parents[2]
#: The newest Pulumi SDK release the package is checked against; the package allows any 3.x >= 3.260.
NEWER_PULUMI = "3.272.*"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (built,) = out.glob("pulumi_deploy-*.whl")
    return built


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(zf.read(name).decode())


def test_wheel_version_is_the_package_version(wheel):
    assert wheel.name.startswith(f"pulumi_deploy-{pulumi_deploy.__version__}-py3-none-any")
    assert wheel_metadata(wheel)["Version"] == pulumi_deploy.__version__


def test_wheel_ships_the_license_file_and_declares_the_license(wheel):
    names = wheel_names(wheel)
    (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(license_name) == (REPO / "LICENSE").read_bytes()
    assert "Apache License" in (REPO / "LICENSE").read_text()
    assert wheel_metadata(wheel)["License-Expression"] == "Apache-2.0"


def test_wheel_requires_a_compatible_pulumi_range_not_an_exact_pin(wheel):
    requires = wheel_metadata(wheel).get_all("Requires-Dist") or []
    base = [r for r in requires if "extra ==" not in r]
    assert "pulumi<4,>=3.260" in base
    assert not [r for r in base if r.startswith("pulumi==")]


def test_wheel_metadata_has_project_urls_and_classifiers(wheel):
    meta = wheel_metadata(wheel)
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Repository", "Issues", "Changelog"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers


def test_wheel_holds_only_the_package_and_no_repository_tools(wheel):
    names = wheel_names(wheel)
    top_level = {n.split("/", 1)[0] for n in names}
    assert top_level == {"pulumi_deploy", f"pulumi_deploy-{pulumi_deploy.__version__}.dist-info"}
    assert "pulumi_deploy/py.typed" in names
    assert "pulumi_deploy/demo.py" not in names  # a repository tool: scripts/demo.py


def test_sdist_ships_license_changelog_and_readme_but_no_local_environments(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)], check=True)
    (sdist,) = tmp_path.glob("pulumi_deploy-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "pulumi_deploy/__init__.py"} <= names
    assert not [n for n in names if n.startswith((".venv/", ".tools/", ".demo/"))]


def test_the_sdk_the_tests_pin_and_the_newer_one_checked_lie_in_the_supported_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (supported,) = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "pulumi"]
    (tested,) = [Requirement(r) for r in project["optional-dependencies"]["dev"] if Requirement(r).name == "pulumi"]
    (pinned,) = [s.version for s in tested.specifier if s.operator == "=="]
    assert supported.specifier.contains(pinned)
    assert supported.specifier.contains(NEWER_PULUMI.replace("*", "0"))
    assert str(supported.specifier) == "<4,>=3.260"


def test_changelog_has_a_section_for_the_current_version():
    assert f"## [{pulumi_deploy.__version__}]" in (REPO / "CHANGELOG.md").read_text()


def test_wheel_installs_in_a_fresh_venv_next_to_a_newer_pulumi(wheel, tmp_path):
    # given a fresh environment, as a user's program has, on a newer SDK than the tests pin
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # when
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel), f"pulumi=={NEWER_PULUMI}"], check=True, env=pip_env
    )
    probe = (
        "import importlib.metadata as m, pulumi_deploy\n"
        "from pulumi_deploy import aieev, cyberun, nemo, runpod, trustgate\n"
        "print(pulumi_deploy.__version__, m.version('pulumi-deploy'), m.version('pulumi'))\n"
        "try:\n"
        "    import pulumi_deploy.demo\n"
        "except ModuleNotFoundError:\n"
        "    print('no-demo')\n"
    )
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    # then
    version, dist_version, pulumi_version, demo = out.split()
    assert version == dist_version == pulumi_deploy.__version__
    assert pulumi_version.startswith(NEWER_PULUMI.rstrip("*"))
    assert demo == "no-demo"
