"""How a preview line shows a value of a field not declared secret.

A program may wrap any input in ``Output.secret``, and the provider is handed it in the clear with no
mark: a line that printed a mapping whole could print a secret the user protected (a header of a
health check, an environment variable). Scalars and lists of scalars (GPU types, tags) are shown; of
a mapping, only which entries differ; of a list of mappings, only how many it holds.
"""

from __future__ import annotations

from typing import Any


def shown(value: Any) -> str:
    """``value`` as a line may show it."""
    if isinstance(value, dict):
        return f"({len(value)} entries)"
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return f"({len(value)} items)"
    return repr(value)


def changed_value(old: Any, new: Any) -> str:
    """The change ``old => new`` as a line may show it."""
    if isinstance(old, dict) and isinstance(new, dict):
        parts = [
            f"{label} {', '.join(sorted(keys))}"
            for label, keys in (
                ("changes", [k for k in old if k in new and old[k] != new[k]]),
                ("adds", [k for k in new if k not in old]),
                ("removes", [k for k in old if k not in new]),
            )
            if keys
        ]
        return f"{'; '.join(parts)} (values not shown)"
    return f"{shown(old)} => {shown(new)}"
