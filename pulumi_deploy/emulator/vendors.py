"""The vendor emulators the app mounts, in one list."""

from __future__ import annotations

import importlib

from .base import VendorEmulator

#: Each module exposes ``Emulator``, a :class:`VendorEmulator` subclass.
VENDOR_MODULES = (
    "pulumi_deploy.emulator.runpod",
    "pulumi_deploy.emulator.aieev",
    "pulumi_deploy.emulator.cyberun",
    "pulumi_deploy.emulator.trustgate",
    "pulumi_deploy.emulator.nemo",
)


def load_vendors() -> list[VendorEmulator]:
    vendors: list[VendorEmulator] = []
    for module_name in VENDOR_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a vendor not written yet (only during development)
            if exc.name != module_name:
                raise
            continue
        vendors.append(module.Emulator())
    return vendors
