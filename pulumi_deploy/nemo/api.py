"""NeMo Platform models API v2: settings, paths, name rule and the call helpers every object shares.

Objects live under ``{base_url}/apis/models/v2/workspaces/{workspace}/...``; their identity is ``workspace/name`` (the
per-version ``id`` changes with every version and is only an output, ``version_id``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, TypeVar

from pulumi import Input
from pydantic import Field

from ..core import log
from ..core.config import Setting, VendorSettings, how_to_set, lookup, source
from ..core.errors import (
    OUTCOME_UNKNOWN,
    ApiError,
    BadRequest,
    ConfigError,
    Conflict,
    ErrorRules,
    Forbidden,
    NotFound,
    PulumiDeployError,
    ServerError,
    Unauthorized,
    when,
)
from ..core.fields import Doc, FromSetting, In, Replace
from ..core.http import ApiClient, get_client
from ..core.provider import SpecProvider
from ..core.request import NEW_VERSION_POST, Call, JsonObject, Routes, UpdateStyle, create_call, update_call
from ..core.spec import ObjectSpec, Plan


class ConcurrentModification(Conflict):
    """409 "Concurrent modification": another writer changed the object meanwhile; sending again is safe."""


SETTINGS = VendorSettings(
    vendor="nemo",
    credential=Setting("nemo:token", "NEMO_TOKEN"),
    base_url=Setting("nemo:baseUrl", "NEMO_BASE_URL"),  # self-hosted: no default
    # The bundled local platform config runs with auth disabled: no token is needed there.
    credential_required=False,
    errors=ErrorRules(domain=(when(ConcurrentModification, status=409, message=r"concurrent modification"),)),
)
WORKSPACE = Setting("nemo:workspace", "NEMO_WORKSPACE", "default")

#: Platform 0.6.0 rule for deployment and config names (look-around: Python ``re``, not pydantic's engine).
#: Matched whole (``fullmatch``: ``$`` alone would let a trailing newline through).
NAME_RE = re.compile(r"[a-z](?!.*--)[a-z0-9\-@.+_]{1,62}(?<!-)")
PROJECT_RE = re.compile(r"[\w\-./]+")
#: The platform stores version N of a config or deployment under ``<name>-v<N>``, which must pass the
#: name rule too (63 characters at most).
NAME_MAX = 63
#: Deployment statuses that mean the deployment failed, and those that mean it is deleted (or going).
FAILED_STATUSES = frozenset({"ERROR", "LOST"})
GONE_STATUSES = frozenset({"DELETING", "DELETED"})
DEFAULT_WAIT_TIMEOUT = 900.0

T = TypeVar("T")

#: The workspace and project fields every NeMo object declares: both are part of its identity.
Workspace = Annotated[
    Input[str] | None,
    Field(max_length=255),
    In("path"),
    Replace(reason="it is part of the object's identity"),
    # Resolved at check, so that a changed default previews as the replacement it is.
    FromSetting(WORKSPACE),
]
#: The name of a config or deployment: its identity, under which each version is stored too.
ObjectName = Annotated[
    Input[str],
    Replace(reason="it is the object's identity (in the path)"),
    Doc(
        "2-60 chars (version N is stored as `<name>-vN`, 63 at most: a long name leaves room for fewer "
        "versions), lowercase start, no `--`, no trailing `-` (platform 0.6.0 rule)."
    ),
]
Project = Annotated[
    Input[str] | None, Field(max_length=255), Replace(reason="the API copies it from the first version")
]


def name_problem(name: str) -> str | None:
    """Why ``name`` breaks the 0.6.0 name rule, or None."""
    if not 2 <= len(name) <= NAME_MAX:
        return f"must be 2-{NAME_MAX} characters long (got {len(name)}: {name!r})"
    if NAME_RE.fullmatch(name):
        return None
    return (
        "must start with a lowercase letter, contain only lowercase letters, digits and - . @ + _, "
        f"have no '--' and not end with '-' ({NAME_RE.pattern}); got {name!r}"
    )


def versioned_name(name: str, version: int) -> str:
    """The name the platform stores version ``version`` of the object ``name`` under."""
    return f"{name}-v{version}"


def version_problem(name: str, version: int) -> str | None:
    """Why the platform cannot store version ``version`` of ``name`` (its stored name is too long), or None."""
    stored = versioned_name(name, version)
    if len(stored) <= NAME_MAX:
        return None
    return (
        f"the platform stores version {version} as {stored!r}, which must be {NAME_MAX} characters at most "
        f"(it is {len(stored)}): a {len(name)}-character name allows versions up to "
        f"{10 ** max(NAME_MAX - len(name) - 2, 0) - 1}. Give it a shorter name (that replaces the object)"
    )


def common_rules(values: dict[str, Any], name_field: str = "name") -> list[tuple[str, str]]:
    """The name rules of the object's own name (``name``), or of the one it refers to (``name_field``)."""
    out: list[tuple[str, str]] = []
    name = values.get(name_field)
    if isinstance(name, str) and (why := name_problem(name)):
        out.append((name_field, why))
    elif isinstance(name, str) and name_field == "name" and version_problem(name, 1):
        limit = NAME_MAX - len(versioned_name("", 1))
        out.append((name_field, f"must be at most {limit} characters: the platform stores version N as "
                                f"'<name>-vN', within {NAME_MAX} (got {len(name)}: {name!r})"))  # fmt: skip
    ws = values.get("workspace")
    # Workspaces are created by the entities API, under the same name rule: another name cannot exist.
    if isinstance(ws, str) and (why := name_problem(ws)):
        out.append(("workspace", f"a workspace name {why}"))
    project = values.get("project")
    if isinstance(project, str) and not PROJECT_RE.fullmatch(project):
        out.append(("project", f"must match ^{PROJECT_RE.pattern}$ (got {project!r})"))
    return out


def model_entity_problem(value: str) -> str | None:
    """Why ``value`` is no model entity reference (``name`` or ``workspace/name``), or None."""
    parts = value.split("/")
    if len(parts) <= 2 and all(p.strip() for p in parts):
        return None
    return f"must be `name` or `workspace/name` (got {value!r})"


def base(workspace: str) -> str:
    return f"/apis/models/v2/workspaces/{workspace}"


def split_id(id_: str) -> tuple[str, str]:
    """``workspace/name`` -> (workspace, name)."""
    workspace, _, name = id_.partition("/")
    if not name:
        raise PulumiDeployError(f"nemo: id {id_!r} is not `workspace/name`")
    return workspace, name


def create(client: ApiClient, spec: ObjectSpec, collection: str, values: dict[str, Any], what: str) -> JsonObject:
    """POST a new object to ``collection``: the body is every declared field the request carries."""
    return send(client, create_call(spec, Routes(collection), values), what)


def new_version(spec: ObjectSpec, path: str, plan: Plan, values: dict[str, Any]) -> Call | None:
    """The update of the object at ``path`` in the objects' update style, ``NEW_VERSION_POST``: the
    complete definition an update accepts, stored as version N+1 (a field left out is cleared in it).
    None when no field a version stores changed: a version is never written for nothing."""
    return update_call(spec, Routes(path, update=NEW_VERSION_POST, item=path), "", plan, values)


def write_version(
    provider: SpecProvider,
    client: ApiClient,
    request: Call,
    olds: dict[str, Any],
    values: dict[str, Any],
    what: str,
) -> JsonObject:
    """POST the new version ``request`` at most once for this definition.

    A new-version POST is not idempotent: sent again after a lost answer it writes a second, identical
    version (and a deployment rolls out again). So before sending, and after a failure that leaves the
    outcome unknown, the object is read: a version newer than the one recorded (``olds``) that already
    holds exactly ``values`` is the answer — an earlier run, or this one, wrote it and lost the reply."""

    def written() -> JsonObject | None:
        latest = client.get_or_none(request.path)
        recorded = olds.get("entity_version")
        if not isinstance(latest, dict) or not isinstance(recorded, int | float):
            return None
        newer = int(latest.get("entity_version") or 0) > int(recorded)
        return latest if newer and provider.same_content(latest, values) else None

    earlier = written()
    if earlier is not None:
        log.info(f"{what}: version {earlier.get('entity_version')} already holds these inputs; not writing another")
        return earlier
    try:
        return send(client, request, what)  # type: ignore[no-any-return]
    except OUTCOME_UNKNOWN:
        found = written()
        if found is None:
            raise
        log.info(f"{what}: the lost answer had written version {found.get('entity_version')}; taking it")
        return found


def send(client: ApiClient, request: Call, what: str) -> Any:
    """Send one computed call (see :func:`call`)."""
    return call(
        client,
        lambda: client.request(
            request.method, request.path, json=request.body, params=request.params, idempotent=request.idempotent
        ),
        what,
    )


def call(client: ApiClient, fn: Callable[[], T], what: str) -> T:
    """Run one mutating request, sent again (with the client's backoff) while another writer's
    concurrent modification refuses it."""
    return client.retrying(what, lambda _attempt: fn(), ConcurrentModification)


def token_hint() -> str:
    return (
        "For automation use a Scoped Access Key (created with POST /apis/auth/v2/access-keys on the platform; "
        f"set it with {how_to_set(SETTINGS.credential)})"
    )


UNKNOWN_PROJECT_RE = re.compile(r"Project '[^']*' does not exist in workspace")
RUNTIME_NONE_RE = re.compile(r"not enabled.*runtime|runtime.*not enabled", re.IGNORECASE)


def explain(exc: ApiError, what: str, props: dict[str, Any], client: ApiClient | None = None) -> PulumiDeployError:
    """The one place that turns the platform's answers for auth, workspace, project and runtime problems
    into an error that says what to change. Anything else is returned unchanged.

    A rejected request stays the :class:`~pulumi_deploy.core.errors.InvalidInput` it is (told in the
    user's terms); only credentials and a missing workspace are configuration."""
    ws = props.get("workspace") or "?"
    if isinstance(exc, Unauthorized):
        if lookup(SETTINGS.credential):
            return ConfigError(
                f"{what}: the NeMo platform rejected the token from {source(SETTINGS.credential)} "
                f"({exc.status} {exc.message}): it is not a valid, unexpired platform token. {token_hint()}"
            )
        return ConfigError(
            f"{what}: the NeMo platform has authentication enabled ({exc.status} {exc.message}) and no token is "
            f"configured in {source(SETTINGS.credential)}. {token_hint()}"
        )
    # The auth layer's 403 says only "Forbidden"; a 403 with a reason of its own (a feature the platform's
    # configuration disables) is the platform's answer, and says what to change.
    if isinstance(exc, Forbidden) and exc.message.strip() == "Forbidden":
        if not lookup(SETTINGS.credential):
            return ConfigError(
                f"{what}: the NeMo platform refused to {exc.method} in workspace {ws!r} without a token "
                f"({exc.status} {exc.message}); set one in {source(SETTINGS.credential)}. {token_hint()}"
            )
        return ConfigError(
            f"{what}: the token from {source(SETTINGS.credential)} is valid but may not {exc.method} in workspace "
            f"{ws!r} ({exc.status} {exc.message}): give its principal a role in that workspace, or use a "
            f"Scoped Access Key whose scope includes it"
        )
    if isinstance(exc, Forbidden):  # the platform's reason is the fix; the credential is not in question
        return exc.explained(
            f"{what}: the NeMo platform refused to {exc.method} ({exc.status}): {exc.message}"
        ).with_hint("")
    if isinstance(exc, BadRequest) and UNKNOWN_PROJECT_RE.search(exc.message):
        return exc.explained(
            f"{what}: {exc.message} (`project` names a project of the workspace; create it with "
            f"POST /apis/entities/v2/workspaces/{ws}/projects or change `project`)"
        )
    if isinstance(exc, BadRequest) and RUNTIME_NONE_RE.search(exc.message):
        return exc.explained(
            f"{what}: the NeMo platform has deployments disabled ({exc.message}); "
            "set `platform.runtime` to docker or kubernetes on the server"
        )
    failed = isinstance(exc, ServerError) and exc.status == 500 and exc.message.startswith("Failed to")
    if failed and client is not None and ws != "?" and workspace_missing(client, ws):
        return ConfigError(
            f"{what}: workspace {ws!r} does not exist on the NeMo platform (it answered {exc.status} "
            f"{exc.message!r}): create it (POST /apis/entities/v2/workspaces) or change `workspace` (unset, it "
            f"comes from {source(WORKSPACE)})"
        )
    return exc


def workspace_missing(client: ApiClient, workspace: str) -> bool:
    """The models API answers a bare 500 for an unknown workspace; the entities API says 404."""
    try:
        client.request("GET", f"/apis/entities/v2/workspaces/{workspace}")
    except NotFound:
        return True
    except PulumiDeployError:
        return False
    return False


class NemoProvider(SpecProvider):
    """Shared by the NeMo objects: settings, the default workspace resolved at check, and every
    operation's platform errors explained (:func:`explain`)."""

    settings = SETTINGS

    def update_style(self) -> UpdateStyle:
        # The paths name the workspace (no declared routes); every update is the POST of :func:`new_version`.
        return NEW_VERSION_POST

    #: An update writes version N+1 of the object itself (a status update writes a deployment's status).
    writes_versions: ClassVar[bool] = True

    def update_refusals(self, id_: str, olds: dict[str, Any], plan: Plan) -> list[str]:
        # Version N+1 is stored under `<name>-v<N+1>`: a long name runs out of versions.
        if not self.writes_versions or not any(self.spec.fields[n].sent_on_update for n in plan.changed):
            return []
        why = version_problem(split_id(id_)[1], int(olds.get("entity_version") or 0) + 1)
        return [why] if why else []

    def explain(self, error: ApiError, what: str, props: dict[str, Any], id_: str | None) -> PulumiDeployError | None:
        if id_ and not props.get("workspace"):  # an import reads with no inputs
            props = {**props, "workspace": split_id(id_)[0]}
        try:
            client: ApiClient | None = get_client(self.settings, self.auth_headers())
        except PulumiDeployError:
            client = None
        return explain(error, what, props, client)


__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "FAILED_STATUSES",
    "GONE_STATUSES",
    "SETTINGS",
    "WORKSPACE",
    "ApiClient",
    "ConcurrentModification",
    "NemoProvider",
    "base",
    "call",
    "common_rules",
    "create",
    "explain",
    "model_entity_problem",
    "name_problem",
    "new_version",
    "send",
    "split_id",
    "version_problem",
]
