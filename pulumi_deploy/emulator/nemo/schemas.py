"""Request bodies of the NeMo models v2 API, as pydantic models (the real service is FastAPI + pydantic).

Field limits and patterns follow the platform 0.6.0 OpenAPI (``CreateModelDeploymentRequest`` etc.).
The name pattern uses look-around, so the models use Python's ``re`` engine like the service does.
Validation failures become :class:`ValidationFailed` with FastAPI's ``{"detail": [...]}`` items,
``loc`` prefixed with ``"body"``.

Unknown body fields: the spec's request schemas do not set ``additionalProperties: false`` and the
service uses pydantic's default (``extra="ignore"``), so unknown fields are dropped. The
``reject_unknown_fields`` setting turns them into ``extra_forbidden`` errors instead.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from .errors import ValidationFailed

NAME_PATTERN = r"^[a-z](?!.*--)[a-z0-9\-@.+_]{1,62}(?<!-)$"
PROJECT_PATTERN = r"^[\w\-./]+$"
M = TypeVar("M", bound=BaseModel)

Name = Annotated[str, Field(max_length=63, pattern=NAME_PATTERN)]
Project = Annotated[str, Field(max_length=255, pattern=PROJECT_PATTERN)]
Str255 = Annotated[str, Field(max_length=255)]
Str1000 = Annotated[str, Field(max_length=1000)]


class Engine(StrEnum):
    NIM = "nim"
    VLLM = "vllm"
    GENERIC = "generic"


class ModelType(StrEnum):
    LLM = "llm"
    EMBED = "embed"
    OTHER = "other"


class DeploymentStatus(StrEnum):
    UNKNOWN = "UNKNOWN"
    CREATED = "CREATED"
    PENDING = "PENDING"
    READY = "READY"
    ERROR = "ERROR"
    DELETING = "DELETING"
    DELETED = "DELETED"
    LOST = "LOST"


class _Model(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")


class ToolCallConfig(_Model):
    tool_call_parser: Str255 | None = None
    tool_call_plugin: Str255 | None = None
    auto_tool_choice: bool | None = None


class ModelSpec(_Model):
    model_type: ModelType | None = None
    model_namespace: Str255 | None = None
    model_name: Str255 | None = None
    model_revision: Str255 | None = None
    chat_template: str | None = None
    tool_call_config: ToolCallConfig | None = None
    lora_enabled: bool = False


class K8sNIMOperatorConfig(_Model):
    resources: dict[str, Any] | None = None
    tolerations: list[dict[str, Any]] | None = None
    node_selector: dict[str, str] | None = None
    startup_probe_grace_seconds: Annotated[int, Field(gt=0)] | None = None


class ExecutorConfig(_Model):
    gpu: Annotated[int, Field(ge=0)]
    disk_size: str = "50Gi"
    image_name: Str255 | None = None
    image_tag: Str255 | None = None
    health_check_path: Str255 | None = None
    run_as_user: Annotated[int, Field(ge=0)] | None = None
    run_as_group: Annotated[int, Field(ge=0)] | None = None
    additional_envs: dict[str, str] | None = None
    additional_args: list[str] = Field(default_factory=list)
    k8s_nim_operator_config: K8sNIMOperatorConfig | None = None
    override_config: dict[str, Any] | None = None


class UpdateConfigRequest(_Model):
    description: Str1000 | None = None
    engine: Engine
    model_spec: ModelSpec
    executor_config: ExecutorConfig
    model_entity_id: Str255 | None = None


class CreateConfigRequest(_Model):  # field order = the service's, so errors come out in the same order
    name: Name
    project: Project | None = None
    description: Str1000 | None = None
    engine: Engine
    model_spec: ModelSpec
    executor_config: ExecutorConfig
    model_entity_id: Str255 | None = None


class UpdateDeploymentRequest(_Model):
    config: Str255
    config_version: int | None = None


class CreateDeploymentRequest(_Model):
    name: Name
    project: Project | None = None
    config: Str255
    config_version: int | None = None


class UpdateStatusRequest(_Model):
    status: DeploymentStatus
    status_message: Str1000 = ""
    model_provider_id: Str255 | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _extra_errors(model: type[BaseModel], data: Any, loc: tuple[Any, ...]) -> list[dict[str, Any]]:
    """``extra_forbidden`` items for keys the model does not declare (recursing into sub-models)."""
    if not isinstance(data, dict):
        return []
    errors: list[dict[str, Any]] = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            errors.append(
                {
                    "type": "extra_forbidden",
                    "loc": [*loc, key],
                    "msg": "Extra inputs are not permitted",
                    "input": _jsonable(value),
                }
            )
            continue
        for sub in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                errors.extend(_extra_errors(sub, value, (*loc, key)))
    return errors


class _VersionedName(_Model):
    # The stored name is judged by the pattern alone: the service answers `string_pattern_mismatch`.
    name: Annotated[str, Field(pattern=NAME_PATTERN)]


def name_errors(name: str) -> list[dict[str, Any]]:
    """FastAPI's 422 items for a name that breaks the name rule ([] when it keeps it)."""
    try:
        parse_body(_VersionedName, {"name": name})
    except ValidationFailed as exc:
        return exc.errors
    return []


def parse_body(model: type[M], raw: bytes | Any, *, reject_unknown: bool = False) -> M:
    """Decode and validate a JSON request body the way FastAPI does, raising :class:`ValidationFailed`."""
    data: Any = raw
    if isinstance(raw, bytes | bytearray):
        if not raw.strip():
            raise ValidationFailed([{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}])
        try:
            data = json.loads(raw)
        except ValueError as exc:
            pos = getattr(exc, "pos", 0)
            msg = getattr(exc, "msg", str(exc))
            raise ValidationFailed(
                [
                    {
                        "type": "json_invalid",
                        "loc": ["body", pos],
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": msg},
                    }
                ]
            ) from exc
    errors: list[dict[str, Any]] = []
    result: M | None = None
    try:
        result = model.model_validate(data)
    except PydanticValidationError as exc:
        for err in exc.errors(include_url=False):
            item: dict[str, Any] = {
                "type": err["type"],
                "loc": ["body", *err["loc"]],
                "msg": err["msg"],
                "input": _jsonable(err.get("input")),
            }
            if "ctx" in err:
                item["ctx"] = _jsonable(err["ctx"])
            errors.append(item)
    if reject_unknown:
        errors.extend(_extra_errors(model, data, ("body",)))
    if errors or result is None:
        raise ValidationFailed(errors)
    return result
