"""The public names and type tokens are API: renaming them breaks users' stacks."""

from __future__ import annotations

import subprocess
import sys

from pulumi_deploy import runpod


def test_runpod_exports_are_pinned():
    assert sorted(runpod.__all__) == [
        "Connection",
        "ContainerRegistryAuth",
        "ContainerRegistryAuthArgs",
        "DATA_CENTER_IDS",
        "Endpoint",
        "EndpointArgs",
        "GPU_TYPE_IDS",
        "NetworkVolume",
        "NetworkVolumeArgs",
        "Template",
        "TemplateArgs",
    ]


def test_runpod_type_tokens_are_pinned():
    classes = (runpod.Template, runpod.Endpoint, runpod.NetworkVolume, runpod.ContainerRegistryAuth)
    tokens = {cls.__name__: cls._resource_type_name for cls in classes}
    assert tokens == {
        "ContainerRegistryAuth": "dynamic/runpod:ContainerRegistryAuth",
        "Template": "dynamic/runpod:Template",
        "Endpoint": "dynamic/runpod:Endpoint",
        "NetworkVolume": "dynamic/runpod:NetworkVolume",
    }


def test_import_has_no_side_effects():
    code = (
        "import threading, socket, sys\n"
        "socket.socket.connect = lambda *a, **k: sys.exit('network at import')\n"
        "import pulumi_deploy, pulumi_deploy.runpod, pulumi_deploy.core.http\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
