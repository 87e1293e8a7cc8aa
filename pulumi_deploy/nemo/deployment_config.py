"""NeMo ModelDeploymentConfig (``/deployment-configs``): immutable and versioned.

Quirks encoded here (research/nemo.md): every update is a POST writing version N+1 (``NewVersion``),
with the complete definition (an omitted field is cleared in the new version, Q7); ``name``,
``workspace`` and ``project`` are create-only (replace); server defaults in the nested objects
(``disk_size`` "50Gi", ``additional_args`` [], ``lora_enabled`` false, explicit nulls) are
normalised away so they never show as drift (Q8, Q10); the ``generic`` engine needs ``image_name``
and ``health_check_path`` and rejects LoRA (checked at preview); deletion is refused (409) while a
deployment whose latest version uses the config is not DELETED (Q13): delete then looks at those
deployments and waits (bounded by ``delete_timeout``) only when they are all being deleted; otherwise
it fails at once naming them (a config replaced under the same name while a deployment still uses it:
replace the deployment too, or rename the config so the deployment moves to the new one first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output, ResourceOptions
from pydantic import Field

from ..core.errors import Conflict, NotFound
from ..core.fields import Computed, Doc, Local, NewVersion, Normalise, Replace, Wire
from ..core.http import ApiClient
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.wait import wait_until
from . import api
from .deployment import deployments_path

WireObj = dict[str, Any]

#: Values the server fills in when a nested field is omitted: equal to "unset" when comparing.
SERVER_DEFAULTS: dict[str, dict[str, Any]] = {
    "model_spec": {"lora_enabled": False},
    "executor_config": {"disk_size": "50Gi", "additional_args": []},
}


def _without_defaults(field: str) -> Any:
    defaults = SERVER_DEFAULTS[field]

    def clean(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            k: _drop_nulls(v) for k, v in value.items() if v is not None and not (k in defaults and defaults[k] == v)
        }

    return clean


def _drop_nulls(value: Any) -> Any:
    """Single GETs return explicit nulls, list endpoints and inputs omit them (Q10): compare without."""
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
        Input[str] | None, Field(max_length=255), Doc("Fileset with the custom parser plugin, `workspace/fileset`.")
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
    name: Annotated[
        Input[str],
        Replace(reason="it is the object's identity (in the path)"),
        Doc("2-63 chars, lowercase start, no `--`, no trailing `-` (platform 0.6.0 rule)."),
    ]
    engine: Annotated[Input[Literal["nim", "vllm", "generic"]], NewVersion()]
    model_spec: Annotated[Input[ModelSpecArgs], Normalise(_without_defaults("model_spec")), NewVersion()]
    executor_config: Annotated[Input[ExecutorConfigArgs], Normalise(_without_defaults("executor_config")), NewVersion()]
    description: Annotated[Input[str] | None, Field(max_length=1000), NewVersion()] = None
    model_entity_id: Annotated[Input[str] | None, Field(max_length=255), NewVersion()] = None
    workspace: api.Workspace = None
    project: api.Project = None
    delete_timeout: Annotated[
        Input[float] | None,
        Field(gt=0),
        Local(),
        Doc(f"Seconds delete waits for deployments still using the config (default {api.DEFAULT_WAIT_TIMEOUT:.0f})."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        yield from api.common_rules(values)
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
class ModelDeploymentConfigOutputs:
    entity_version: Annotated[int | None, Computed(), Doc("The current version (1, 2, ...).")] = None
    version_id: Annotated[str | None, Computed(), Wire("id"), Doc("Entity id of the current version.")] = None
    created_at: Annotated[str | None, Computed()] = None
    updated_at: Annotated[str | None, Computed()] = None


BODY_FIELDS = ("description", "engine", "model_spec", "executor_config", "model_entity_id")


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

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, WireObj]:
        ws = inputs["workspace"]
        body = self.spec.to_wire(inputs, ["name", "project", *BODY_FIELDS])
        obj = api.call(
            lambda: client.request("POST", self._path(ws), json=body, idempotent=False), self.describe(inputs)
        )
        return f"{ws}/{obj['name']}", obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, WireObj] | None:
        obj = client.get_or_none(self._path(inputs["workspace"], inputs["name"]))
        return None if obj is None else (f"{inputs['workspace']}/{inputs['name']}", obj)

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> WireObj | None:
        ws, name = api.split_id(id_)
        return client.get_or_none(self._path(ws, name))  # type: ignore[no-any-return]

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> WireObj:
        ws, name = api.split_id(id_)
        versioned = [n for n in plan.changed if self.spec.fields[n].has(NewVersion)]
        if not versioned:  # only provider settings changed: never write a version for nothing (Q2)
            return client.request("GET", self._path(ws, name))  # type: ignore[no-any-return]
        body = self.spec.to_wire(news, BODY_FIELDS)  # the complete definition: omitted fields are cleared
        return api.call(  # type: ignore[no-any-return]
            lambda: client.request("POST", self._path(ws, name), json=body, idempotent=False),
            self.describe(news, id_),
        )

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        ws, name = api.split_id(id_)
        what = self.describe(outs, id_)

        def attempt() -> tuple[str, list[WireObj]]:
            try:
                api.call(lambda: client.request("DELETE", self._path(ws, name)), what)
            except NotFound:
                return "deleted", []
            except Conflict:  # a deployment whose latest version uses it is not DELETED (Q13)
                return "in use", self._users(client, ws, name)
            return "deleted", []

        def failed(result: tuple[str, list[WireObj]]) -> str | None:
            blocking = [d for d in result[1] if d.get("status") not in GOING]
            return _in_use_message(ws, name, blocking) if blocking else None

        def progress(result: tuple[str, list[WireObj]]) -> str:
            state, users = result
            if state == "deleted":
                return "deleted"
            shown = ", ".join(f"{d.get('name')} ({d.get('status')})" for d in users) or "none listed yet"
            return f"in use by deployments being deleted: {shown}"

        wait_until(
            f"{what}: deleting",
            attempt,
            lambda r: r[0] == "deleted",
            timeout=float(outs.get("delete_timeout") or api.DEFAULT_WAIT_TIMEOUT),
            failed=failed,
            describe=progress,
        )

    def _users(self, client: ApiClient, ws: str, name: str) -> list[WireObj]:
        """Deployments whose LATEST version references config ``name`` (the documented 409 rule).

        Lists the latest version of every deployment and filters here: ``filter[config]`` would match
        the newest version *referencing* the config, which may be an older version of a deployment
        that has since moved to another config.
        """
        out: list[WireObj] = []
        page = 1
        while True:
            params = {"page": page, "page_size": 100, "sort": "created_at", "all_versions": "false"}
            body = client.request("GET", deployments_path(ws), params=params)
            out += [d for d in body.get("data") or [] if d.get("config") == name]
            if page >= int((body.get("pagination") or {}).get("total_pages") or 1):
                return out
            page += 1


#: A config user in one of these statuses is on its way out: waiting for it makes sense.
GOING = frozenset({"DELETING", "DELETED"})


def _in_use_message(ws: str, name: str, users: list[WireObj]) -> str:
    listed = ", ".join(f"{ws}/{d.get('name')} (status {d.get('status')})" for d in users)
    return (
        f"cannot delete deployment config {ws}/{name}: it is still used by deployment(s) {listed}, "
        "which are not being deleted (the API refuses with 409 while a deployment's latest version "
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

    def __init__(
        self, resource_name: str, args: ModelDeploymentConfigArgs, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__(resource_name, args, opts)
