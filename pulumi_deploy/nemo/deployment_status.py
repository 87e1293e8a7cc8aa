"""NeMo "Update ModelDeployment Status" (``POST /deployments/{name}/status``) as a resource.

Use case: a pipeline that runs the model outside the platform's controller records the outcome,
e.g. ``READY`` with the ``model_provider_id`` it registered. Create and update POST the status (of
``version``, default the latest); refresh reads the deployment's live status (of ``version`` when set),
so a status that moved since (controller, operator) shows as drift and the next ``up`` records it again.
**Delete leaves the deployment alone**: removing this resource stops managing the status, it does not
change or delete the deployment.

**Pass ``version=deployment.entity_version``.** A new deployment version (a changed ``config`` or
``config_version``) starts again at PENDING and does not carry the recorded status over. Without
``version`` nothing in this resource's inputs changes, so it is not updated in that ``up``. With it, the
new version number is a change, and the same ``up`` records the status on the new version (``?version=N``)::

    ModelDeploymentStatus("status", ModelDeploymentStatusArgs(
        deployment=deployment.name, version=deployment.entity_version, status="READY", ...))

Identical status and message are a no-op on the server, which then also ignores a new
``model_provider_id``: create/update fail with an error saying so (change ``status_message`` too)
instead of storing a value the server did not accept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import Field

from ..core import log
from ..core.errors import PulumiDeployError
from ..core.fields import Computed, Doc, In, Local, Replace, Wire
from ..core.http import ApiClient
from ..core.request import Call, JsonObject, whole_body
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from . import api
from .deployment import Status, deployments_path


@dataclass(kw_only=True)
class ModelDeploymentStatusArgs(AdoptableArgs):
    deployment: Annotated[
        Input[str],
        Wire("name"),
        In("path"),
        Replace(reason="it names the deployment whose status this records"),
        Doc("Deployment name (pass `ModelDeployment.name`)."),
    ]
    status: Annotated[Input[Status], Doc("UNKNOWN, CREATED, PENDING, READY, ERROR, DELETING, DELETED or LOST.")]
    status_message: Annotated[Input[str] | None, Field(max_length=1000), Doc("Server default: empty.")] = None
    model_provider_id: Annotated[
        Input[str] | None,
        Field(max_length=255),
        Doc("The ModelProvider serving it, usually `workspace/name` (stored as given)."),
    ] = None
    version: Annotated[
        Input[int] | None,
        Field(ge=1),
        Local(),
        Doc("Deployment version whose status is written (default: the latest)."),
    ] = None
    workspace: api.Workspace = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        yield from api.common_rules(values, "deployment")


@dataclass(kw_only=True)
class ModelDeploymentStatusOutputs:
    entity_version: Annotated[int | None, Computed(), Doc("Version whose status was read.")] = None
    status_history: Annotated[list[dict[str, Any]] | None, Computed(), Doc("Oldest first.")] = None
    updated_at: Annotated[str | None, Computed()] = None


class ModelDeploymentStatusProvider(api.NemoProvider):
    writes_versions = False
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="nemo",
        kind="ModelDeploymentStatus",
        args=ModelDeploymentStatusArgs,
        outputs=ModelDeploymentStatusOutputs,
    )

    def _post(self, client: ApiClient, inputs: dict[str, Any], what: str) -> JsonObject:
        ws, name = inputs["workspace"], inputs["deployment"]
        version = inputs.get("version")
        query = {"version": str(int(version))} if version else None
        # Writing the same status twice stores it once: safe to send again after a lost answer.
        request = Call(
            "POST", f"{deployments_path(ws, name)}/status", whole_body(self.spec, inputs), query, idempotent=True
        )
        obj: JsonObject = api.send(client, request, what)
        wanted = inputs.get("model_provider_id")
        if wanted and obj.get("model_provider_id") != wanted:
            # Never store a value the server did not accept: refresh would show the drift forever.
            raise PulumiDeployError(
                f"{what}: the API ignored model_provider_id {wanted!r} and kept {obj.get('model_provider_id')!r}: "
                f"it treats a status POST whose status ({obj.get('status')!r}) and status_message "
                f"({obj.get('status_message')!r}) are unchanged as a no-op. To record the new model_provider_id, "
                "change status_message too (e.g. mention the provider), then run `pulumi up` again"
            )
        return obj

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        id_ = f"{inputs['workspace']}/{inputs['deployment']}"
        return id_, self._post(client, inputs, self.describe(inputs, id_))

    def lists_of(self, id_: str, outs: dict[str, Any]) -> list[str]:
        return [deployments_path(api.split_id(id_)[0])]

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        path = deployments_path(*api.split_id(id_))
        version = outs.get("version")
        return client.get_or_none(f"{path}/versions/{int(version)}" if version else path)  # type: ignore[no-any-return]

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        return self._post(client, news, self.describe(news, id_))

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        log.info(f"{self.describe(outs, id_)}: no longer managed; the deployment and its status are left as they are")


class ModelDeploymentStatus(SpecResource, module="nemo", name="ModelDeploymentStatus"):
    """The recorded status of a NeMo deployment (for pipelines that run models outside the controller)."""

    provider_cls = ModelDeploymentStatusProvider
    deployment: Output[str]
    workspace: Output[str]
    version: Output[int | None]
    status: Output[str]
    status_message: Output[str]
    model_provider_id: Output[str | None]
    entity_version: Output[int]
    status_history: Output[list[dict[str, Any]]]
    updated_at: Output[str]
