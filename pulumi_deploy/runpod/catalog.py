"""The REST v2 GPU catalogue: which serverless pool holds each GPU type (``GET /catalog/gpus``).

REST v1 selected GPU *types*; v2 selects *pools* and excludes types from them. A v1-style
``gpu_type_ids`` list becomes the pools that hold those types, the pools' other types excluded, so
the workers run on exactly the types the user named (as the official Terraform provider maps them).
"""

from __future__ import annotations

import threading

from ..core.errors import PulumiDeployError
from ..core.http import ApiClient

_lock = threading.Lock()
_pools: dict[str, dict[str, str | None]] = {}  # base URL -> GPU type id -> pool


def pool_of_types(client: ApiClient) -> dict[str, str | None]:
    """Every GPU type's pool (None: not offered on serverless), read once per API."""
    with _lock:
        known = _pools.get(client.base_url)
    if known is None:
        listing = client.request("GET", "/catalog/gpus") or {}
        known = {str(g["id"]): g.get("pool") for g in listing.get("gpus") or [] if isinstance(g, dict)}
        with _lock:
            _pools[client.base_url] = known
    return known


def gpu_selection(client: ApiClient, type_ids: list[str]) -> tuple[list[str], list[str]]:
    """(pools, excludedTypes) running exactly ``type_ids``, pools in the order of the types."""
    pool_of = pool_of_types(client)
    pools: list[str] = []
    for type_id in type_ids:
        pool = pool_of.get(type_id)
        if pool is None:
            raise PulumiDeployError(
                f"runpod: GPU type {type_id!r} is not offered on serverless (no pool holds it in GET /catalog/gpus)"
            )
        if pool not in pools:
            pools.append(pool)
    excluded = sorted(t for t, p in pool_of.items() if p in pools and t not in type_ids)
    return pools, excluded
