"""NeMo ModelDeploymentConfig (``/deployment-configs``): immutable and versioned.

Quirks encoded here (research/nemo.md): every update is a POST writing version N+1 (``NewVersion``),
with the complete definition (an omitted field is cleared in the new version, Q7); ``name``,
``workspace`` and ``project`` are create-only (replace); server defaults in the nested objects
(``disk_size`` "50Gi", ``additional_args`` [], ``lora_enabled`` false, explicit nulls) are
normalised away so they never show as drift (Q8, Q10); the ``generic`` engine needs ``image_name``
and ``health_check_path`` and rejects LoRA (checked at preview); deletion is refused (409) while a
deployment still uses the config, so delete waits, bounded, for the deployment to be gone (Q13).
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
from ..core.resource import ResourceArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.wait import wait_until
from . import api

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
class ModelSpecArgs:
    model_type: Input[Literal["llm", "embed", "other"]] | None = None
    model_namespace: Annotated[Input[str] | None, Field(max_length=255)] = None
    model_name: Annotated[Input[str] | None, Field(max_length=255)] = None
    model_revision: Annotated[Input[str] | None, Field(max_length=255)] = None
    chat_template: Input[str] | None = None
    tool_call_config: Input[dict[str, Any]] | None = None
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
    k8s_nim_operator_config: Input[dict[str, Any]] | None = None
    override_config: Input[dict[str, Any]] | None = None


@dataclass(kw_only=True)
class ModelDeploymentConfigArgs(ResourceArgs):
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
        last: list[str] = []

        def attempt() -> str:
            try:
                api.call(lambda: client.request("DELETE", self._path(ws, name)), what)
            except NotFound:
                return "deleted"
            except Conflict as exc:  # still used by a deployment that is not DELETED yet
                last[:] = [exc.message]
                return f"in use ({exc.message})"
            return "deleted"

        wait_until(
            f"{what}: deleting",
            attempt,
            lambda s: s == "deleted",
            timeout=float(outs.get("delete_timeout") or api.DEFAULT_WAIT_TIMEOUT),
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
