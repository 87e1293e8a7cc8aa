"""NeMo ModelDeploymentConfig (``/deployment-configs``): immutable and versioned.

Quirks encoded here: every update is a POST writing version N+1 (``NewVersion``), with the complete
definition (an omitted field is cleared in the new version); ``name``, ``workspace`` and ``project``
are create-only (replace); server defaults in the nested objects (``disk_size`` "50Gi",
``additional_args`` [], ``lora_enabled`` false, explicit nulls) are normalised away so they never show
as drift; ``model_entity_id``, filled by the platform at create from ``model_spec``, is an output when
unset and is sent again with every update (the update would clear it); the ``generic`` engine needs
``image_name`` and ``health_check_path`` and rejects LoRA (checked at preview).

Deletion is refused (409) while, for some deployment, the newest version that references the config
is not DELETED. Delete then classifies each such deployment: its current version uses the config and
is live -> fail at once naming it (replace the deployment too, or move it to a config with a new name
first); being deleted -> wait (bounded by ``delete_timeout``); only older, superseded versions use it
(the deployment moved to another config) -> those versions are marked DELETED (:func:`retire`) and the
delete goes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output
from pydantic import Field

from ..core import bookkeeping, log
from ..core.errors import Conflict, NotFound
from ..core.fields import Computed, Doc, Local, NewVersion, Normalise, Secret, ServerDefault, Wire
from ..core.http import ApiClient
from ..core.request import JsonObject
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.timestamps import Timestamps
from ..core.wait import wait_until
from . import api
from .deployment import deployments_path

#: Values the server fills in when a nested field is omitted: equal to "unset" when comparing.
SERVER_DEFAULTS: dict[str, dict[str, Any]] = {
    "model_spec": {"lora_enabled": False},
    "executor_config": {"disk_size": "50Gi", "additional_args": []},
}


def _without_defaults(kind: str) -> Any:
    defaults = SERVER_DEFAULTS[kind]

    def clean(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            k: _drop_nulls(v) for k, v in value.items() if v is not None and not (k in defaults and defaults[k] == v)
        }

    return clean


def _drop_nulls(value: Any) -> Any:
    """Single GETs return explicit nulls, list endpoints and inputs omit them: compare without."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value


@dataclass(kw_only=True)
class ToolCallConfigArgs:
    """Tool calling for NIM deployments (spec ``ToolCallConfig``)."""

    tool_call_parser: Annotated[
        Input[str] | None, Field(max_length=255), Doc("e.g. openai, hermes, pythonic, llama3_json, mistral.")
    ] = None
    tool_call_plugin: Annotated[
        Input[str] | None,
        Field(max_length=255),
        Doc(
            "Fileset with the custom parser plugin, `workspace/fileset`. The platform refuses it (403) unless its "
            "configuration sets `models.tool_call_plugin.enabled`."
        ),
    ] = None
    auto_tool_choice: Input[bool] | None = None


@dataclass(kw_only=True)
class K8sNimOperatorConfigArgs:
    """Typed NIMService spec fields (spec ``K8sNIMOperatorConfig``; NIM engine on Kubernetes only)."""

    resources: Annotated[
        Input[dict[str, Any]] | None, Doc("Kubernetes requests/limits, e.g. {'limits': {'memory': '16Gi'}}.")
    ] = None
    tolerations: Input[list[Input[dict[str, Any]]]] | None = None
    node_selector: Input[dict[str, Input[str]]] | None = None
    startup_probe_grace_seconds: Annotated[Input[int] | None, Field(gt=0)] = None


@dataclass(kw_only=True)
class ModelSpecArgs:
    model_type: Input[Literal["llm", "embed", "other"]] | None = None
    model_namespace: Annotated[Input[str] | None, Field(max_length=255)] = None
    model_name: Annotated[Input[str] | None, Field(max_length=255)] = None
    model_revision: Annotated[Input[str] | None, Field(max_length=255)] = None
    chat_template: Input[str] | None = None
    tool_call_config: Input[ToolCallConfigArgs] | None = None
    lora_enabled: Input[bool] | None = None


@dataclass(kw_only=True)
class ExecutorConfigArgs:
    gpu: Annotated[Input[int], Field(ge=0), Doc("Number of GPUs.")]
    disk_size: Input[str] | None = None
    image_name: Annotated[Input[str] | None, Field(max_length=255)] = None
    image_tag: Annotated[Input[str] | None, Field(max_length=255)] = None
    health_check_path: Annotated[Input[str] | None, Field(max_length=255)] = None
    run_as_user: Annotated[Input[int] | None, Field(ge=0)] = None
    run_as_group: Annotated[Input[int] | None, Field(ge=0)] = None
    additional_envs: Input[dict[str, Input[str]]] | None = None
    additional_args: Input[list[Input[str]]] | None = None
    k8s_nim_operator_config: Input[K8sNimOperatorConfigArgs] | None = None
    override_config: Input[dict[str, Any]] | None = None


@dataclass(kw_only=True)
class ModelDeploymentConfigArgs(AdoptableArgs):
    name: api.ObjectName
    engine: Annotated[Input[Literal["nim", "vllm", "generic"]], NewVersion()]
    model_spec: Annotated[Input[ModelSpecArgs], Normalise(_without_defaults("model_spec")), NewVersion()]
    executor_config: Annotated[
        Input[ExecutorConfigArgs],
        Normalise(_without_defaults("executor_config")),
        NewVersion(),
        # Environment variables and engine overrides carry tokens (HF_TOKEN, NGC_API_KEY).
        Secret(within=("additional_envs.*", "override_config")),
    ]
    description: Annotated[Input[str] | None, Field(max_length=1000), NewVersion()] = None
    model_entity_id: Annotated[
        Input[str] | None,
        Field(max_length=255),
        NewVersion(),
        ServerDefault(),
        Doc("The model entity, `name` or `workspace/name`; unset, the platform fills it from `model_spec` at create."),
    ] = None
    workspace: api.Workspace = None
    project: api.Project = None
    delete_timeout: Annotated[
        Input[float] | None,
        Field(gt=0),
        Local(),
        Doc("Seconds delete waits for deployments still using the config (default 900)."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        yield from api.common_rules(values)
        entity = values.get("model_entity_id")
        if isinstance(entity, str) and (why := api.model_entity_problem(entity)):
            yield "model_entity_id", why
        if {"engine", "executor_config", "model_spec"} & unknown or values.get("engine") != "generic":
            return
        ex = values.get("executor_config") or {}
        missing, padded = [], []
        for key in ("image_name", "health_check_path"):
            value = ex.get(key)
            if not (isinstance(value, str) and value.strip()):
                missing.append(f"executor_config.{key}")
            elif value != value.strip():
                padded.append(f"executor_config.{key}")
        if missing:
            yield "executor_config", f"{' and '.join(missing)} required when engine is 'generic'"
        elif padded:
            yield "executor_config", f"{' and '.join(padded)} must not have leading or trailing whitespace"
        if (values.get("model_spec") or {}).get("lora_enabled"):
            yield "model_spec", "model_spec.lora_enabled is not supported by the 'generic' engine"


@dataclass(kw_only=True)
class ModelDeploymentConfigOutputs(Timestamps):
    entity_version: Annotated[int | None, Computed(), Doc("The current version (1, 2, ...).")] = None
    version_id: Annotated[str | None, Computed(), Wire("id"), Doc("Entity id of the current version.")] = None


class ModelDeploymentConfigProvider(api.NemoProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="nemo",
        kind="ModelDeploymentConfig",
        args=ModelDeploymentConfigArgs,
        outputs=ModelDeploymentConfigOutputs,
    )

    def plan_notes(self, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        # A new config version does not move a deployment: it keeps the version it was deployed with.
        notes = super().plan_notes(plan, olds, news)
        if plan.replaces or not plan.new_version:
            return notes
        return [
            *notes,
            f"deployments using config {news.get('name')!r} stay on the config version they run (a deployment "
            "writes a new version only when its own inputs change; config_version=config.entity_version follows it)",
        ]

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # Names stay taken: a replacement under the same workspace/name must wait for the old one to go.
        return (olds.get("workspace"), olds.get("name")) == (news.get("workspace"), news.get("name"))

    def _path(self, workspace: str, name: str | None = None) -> str:
        path = f"{api.base(workspace)}/deployment-configs"
        return f"{path}/{name}" if name else path

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        ws = inputs["workspace"]
        obj = api.create(client, self.spec, self._path(ws), inputs, self.describe(inputs))
        return f"{ws}/{obj['name']}", obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Names are unique per workspace, but a config with another definition is someone else's.
        obj = client.get_or_none(self._path(inputs["workspace"], inputs["name"]))
        if obj is None or not self.same_content(obj, inputs):
            return None
        return f"{inputs['workspace']}/{inputs['name']}", obj

    def lists_of(self, id_: str, outs: dict[str, Any]) -> list[str]:
        return [self._path(api.split_id(id_)[0])]

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        ws, name = api.split_id(id_)
        return client.get_or_none(self._path(ws, name))  # type: ignore[no-any-return]

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        ws, name = api.split_id(id_)
        kept = kept_model_entity_id(olds, news)
        values = {**news, "model_entity_id": kept} if kept else news
        version = api.new_version(self.spec, self._path(ws, name), plan, values)
        if version is None:  # only provider settings changed
            return client.request("GET", self._path(ws, name))  # type: ignore[no-any-return]
        return api.write_version(self, client, version, olds, self.user_inputs(values), self.describe(news, id_))

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        ws, name = api.split_id(id_)
        what = self.describe(outs, id_)
        refused = False

        def attempt() -> Users:
            nonlocal refused
            try:
                api.call(client, lambda: client.request("DELETE", self._path(ws, name)), what)
            except NotFound:
                if not refused:
                    raise  # core confirms that it means gone, and says so
                return Users(deleted=True)  # deleted meanwhile: the API that refused it says so
            except Conflict:  # some deployment's newest version referencing it is not DELETED
                refused = True
                users = config_users(client, ws, name)
                for dep, version in users.superseded:
                    retire(client, ws, dep, version, name, what)
                return users
            return Users(deleted=True)

        wait_until(
            f"{what}: deleting",
            attempt,
            lambda users: users.deleted,
            timeout=float(outs.get("delete_timeout") or api.DEFAULT_WAIT_TIMEOUT),
            failed=lambda users: _in_use_message(ws, name, users.live) if users.live else None,
            describe=lambda users: users.describe(),
        )


def kept_model_entity_id(olds: dict[str, Any], news: dict[str, Any]) -> str | None:
    """The server-filled ``model_entity_id`` to send again in an update, or None.

    The platform fills it only at create (from ``model_spec``) and writes what the update sends, so an
    update without it would clear it. It is kept while the model ``model_spec`` names is the same, and
    only when the server chose it (a value the user set and then removed is cleared, as asked).
    """
    if news.get("model_entity_id") is not None or not olds.get("model_entity_id"):
        return None
    if "model_entity_id" in (bookkeeping.read(olds).input_names or ()):
        return None

    def model(spec: Any) -> tuple[Any, ...]:
        spec = spec if isinstance(spec, dict) else {}
        return tuple(spec.get(k) for k in ("model_namespace", "model_name", "model_revision"))

    if model(olds.get("model_spec")) != model(news.get("model_spec")):
        return None
    return str(olds["model_entity_id"])


@dataclass
class Users:
    """Who keeps a config from being deleted, per deployment (the platform's rule: for each deployment,
    its newest version referencing the config must be DELETED)."""

    deleted: bool = False
    #: Deployments whose current (latest) version uses the config and is not being deleted.
    live: list[JsonObject] = field(default_factory=list)
    #: Latest versions using it that are being deleted: wait for them.
    going: list[JsonObject] = field(default_factory=list)
    #: (deployment, version): older versions using it while the latest version uses another config.
    superseded: list[tuple[str, int]] = field(default_factory=list)
    #: Older versions using it that are already being deleted: wait for them.
    superseded_going: list[tuple[str, int]] = field(default_factory=list)

    def describe(self) -> str:
        if self.deleted:
            return "deleted"
        parts = [f"{d.get('name')} ({d.get('status')})" for d in self.going]
        parts += [f"{dep} v{v} (superseded, retired)" for dep, v in self.superseded]
        parts += [f"{dep} v{v} (superseded, DELETING)" for dep, v in self.superseded_going]
        return "in use by " + (", ".join(parts) or "deployments not listed yet")


def config_users(client: ApiClient, ws: str, name: str) -> Users:
    """Every deployment version that references config ``name``, classified against its deployment's latest."""
    referencing: dict[str, list[JsonObject]] = {}
    page = 1
    while True:
        params = {"page": page, "page_size": 100, "all_versions": "true", "filter[config]": name}
        body = client.request("GET", deployments_path(ws), params=params)
        for d in body.get("data") or []:
            if d.get("config") == name:
                referencing.setdefault(str(d["name"]), []).append(d)
        if page >= int((body.get("pagination") or {}).get("total_pages") or 1):
            break
        page += 1
    users = Users()
    for dep, versions in sorted(referencing.items()):
        latest = client.get_or_none(deployments_path(ws, dep))
        if latest is None:
            continue  # removed meanwhile
        if latest.get("config") == name:
            (users.going if latest.get("status") in api.GONE_STATUSES else users.live).append(latest)
            continue
        for v in versions:
            if v.get("status") == "DELETING":
                users.superseded_going.append((dep, int(v["entity_version"])))
            elif v.get("status") != "DELETED":
                users.superseded.append((dep, int(v["entity_version"])))
    return users


def retire(client: ApiClient, ws: str, dep: str, version: int, config: str, what: str) -> None:
    """Mark an older, superseded version of ``dep`` DELETED so that ``config`` can be deleted.

    Through the status endpoint, not DELETE: the platform's controller tears down a deployment's
    backend resources by deployment *name* for any version that is DELETING, which would stop the
    running (latest) version. DELETED is final for that version record only; the platform's garbage
    collection removes it later. The latest version is never touched.
    """
    log.info(f"{what}: retiring {ws}/{dep} version {version} (superseded; it still references the config)")
    message = f"Superseded; retired so that deployment config {config} can be deleted"
    body = {"status": "DELETED", "status_message": message}
    client.request(
        "POST", f"{deployments_path(ws, dep)}/status", json=body, params={"version": str(version)}, idempotent=True
    )


def _in_use_message(ws: str, name: str, users: list[JsonObject]) -> str:
    listed = ", ".join(f"{ws}/{d.get('name')} (status {d.get('status')})" for d in users)
    return (
        f"cannot delete deployment config {ws}/{name}: it is still used by deployment(s) {listed}, "
        "which are not being deleted (the API refuses with 409 while a deployment's current version "
        "references the config). This happens when the config is replaced (its name, workspace or project "
        "changed) while a deployment still uses it. Replace or delete the deployment(s) in the same run: "
        "`pulumi up --replace <deployment urn>`, or give the ModelDeployment "
        "`ResourceOptions(replace_on_changes=['config'])`; or first point the deployment at a config with "
        "a new name (that config is created before the old one is deleted), then remove the old config."
    )


class ModelDeploymentConfig(SpecResource, module="nemo", name="ModelDeploymentConfig"):
    """A NeMo deployment config (engine, model and executor settings); every change writes a new version."""

    provider_cls = ModelDeploymentConfigProvider
    name: Output[str]
    workspace: Output[str]
    project: Output[str | None]
    engine: Output[str]
    model_spec: Output[dict[str, Any]]
    executor_config: Output[dict[str, Any]]
    description: Output[str | None]
    model_entity_id: Output[str | None]
    delete_timeout: Output[float | None]
    entity_version: Output[int]
    version_id: Output[str]
    created_at: Output[str]
    updated_at: Output[str]
