"""Edits of a test stack's state that the product never makes, for what only older state can show."""

from __future__ import annotations

from pulumi_deploy.core import bookkeeping
from pulumi_deploy.local_stack import LocalStack


def forget_where_objects_live(stack: LocalStack) -> None:
    """Make the stack's state one that records no server for its objects (as state written before servers
    were recorded): refresh and destroy then go wherever the settings point, even to a wrong base URL."""
    exported = stack.stack.export_stack()
    for resource in exported.deployment["resources"]:
        for props in (resource.get("inputs") or {}, resource.get("outputs") or {}):
            envelope = props.get(bookkeeping.ENVELOPE)
            if isinstance(envelope, dict):
                envelope.pop("location", None)
    stack.stack.import_stack(exported)
