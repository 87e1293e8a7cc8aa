"""NeMo ModelDeployment (``/deployments``): a versioned deployment of a deployment config.

Quirks encoded here: identity is ``workspace/name`` (the per-version ``id`` is the
output ``version_id``); changing ``config``/``config_version`` POSTs version N+1, which the server
resets to PENDING (``NewVersion``), and nothing is sent when neither really changed;
``name``/``workspace``/``project`` are create-only (replace); ``config_version`` 0 or unset means
"latest at apply time": it is dropped from the inputs and only its resolved value is an output, so a
newer config version is not drift, and pinning exactly the resolved version later is no change;
status moves under the platform's controller, and the optional ``wait_for`` waits (bounded) for a
target status, failing on ERROR/LOST; delete is asynchronous (202 -> DELETING -> DELETED -> hard
delete) and the name stays taken until the record is gone, so delete waits for the 404 (and a same-name
replacement deletes first). A deployment found DELETING/DELETED (deleted outside Pulumi)
counts as gone on refresh, and creating the same name again first waits (bounded by ``wait_timeout``)
for the old record's 404. An update that would write a new version of a deployment found DELETING or
DELETED is refused (:func:`deleting_message`) and sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output
from pydantic import Field

from ..core import log
from ..core.errors import NotFound, PulumiDeployError
from ..core.fields import Computed, Doc, Local, NewVersion, ServerDefault, UnsetWhen, Wire
from ..core.http import ApiClient
from ..core.request import JsonObject
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.timestamps import Timestamps
from ..core.wait import wait_until
from . import api

Status = Literal["UNKNOWN", "CREATED", "PENDING", "READY", "ERROR", "DELETING", "DELETED", "LOST"]
#: What a create or an update can wait for: a deployment goes on to these, never to a delete's statuses.
ReachableStatus = Literal["CREATED", "PENDING", "READY", "ERROR"]


@dataclass(kw_only=True)
class ModelDeploymentArgs(AdoptableArgs):
    name: api.ObjectName
    config: Annotated[
        Input[str],
        Field(min_length=1, max_length=255),
        NewVersion(),
        Doc("Name of the deployment config (pass `ModelDeploymentConfig.name` to order the two)."),
    ]
    config_version: Annotated[
        Input[int] | None,
        Field(ge=0),
        NewVersion(),
        ServerDefault(pinnable=True),  # unset: the server resolves the latest version
        UnsetWhen(0, reason="the server reads 0 as the latest version"),
        Doc("Pin a config version; unset = the latest at apply time (the resolved one is an output)."),
    ] = None
    workspace: api.Workspace = None
    project: api.Project = None
    wait_for: Annotated[
        Input[ReachableStatus] | None,
        Local(),
        Doc("After create/update, wait (bounded) until the deployment reaches this status, e.g. READY."),
    ] = None
    wait_timeout: Annotated[
        Input[float] | None,
        Field(gt=0),
        Local(),
        Doc("Seconds for `wait_for` and for delete (default 900)."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        yield from api.common_rules(values)  # `config` is not checked: older configs may predate the 0.6.0 rule


@dataclass(kw_only=True)
class ModelDeploymentOutputs(Timestamps):
    entity_version: Annotated[int | None, Computed(), Doc("The current version (1, 2, ...).")] = None
    status: Annotated[str | None, Computed()] = None
    status_message: Annotated[str | None, Computed()] = None
    status_history: Annotated[list[dict[str, Any]] | None, Computed(), Doc("Oldest first.")] = None
    model_provider_id: Annotated[str | None, Computed(), Doc("`workspace/name`, set once READY.")] = None
    version_id: Annotated[str | None, Computed(), Wire("id"), Doc("Entity id of the current version.")] = None


def deleting_message(what: str, current: JsonObject) -> str:
    """Why an update of a deployment that is being deleted is refused, and what to run instead.

    The platform would accept it and write a new version, but the deletion goes on for the older
    versions, and the controller tears a deployment's backend resources down by name: the new version
    would be built while the old ones are torn down.
    """
    return (
        f"{what}: not updated — it is {current.get('status')} (deleted outside Pulumi: "
        f"{current.get('status_message') or 'no message'}). A new version now would race the platform's "
        "teardown of the same deployment. Run `pulumi refresh` (it drops the deployment from the stack), "
        "then `pulumi up` creates it again once the platform has removed the old one"
    )


def deployments_path(workspace: str, name: str | None = None) -> str:
    path = f"{api.base(workspace)}/deployments"
    return f"{path}/{name}" if name else path


class ModelDeploymentProvider(api.NemoProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="nemo", kind="ModelDeployment", args=ModelDeploymentArgs, outputs=ModelDeploymentOutputs
    )
    finish_description = "waits until its status is `wait_for`, where that is set"

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # A name stays taken until the hard delete: same workspace/name must go first.
        return (olds.get("workspace"), olds.get("name")) == (news.get("workspace"), news.get("name"))

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        ws = inputs["workspace"]
        path = deployments_path(ws, inputs["name"])
        old = client.get_or_none(path)
        if old is not None and old.get("status") in api.GONE_STATUSES:  # deleted out of band: the name is still taken
            self._wait_gone(
                client,
                path,
                f"{self.describe(inputs)}: waiting for the deleted {ws}/{inputs['name']}"
                " to be removed (the name stays taken until then)",
                inputs,
            )
        obj = api.create(client, self.spec, deployments_path(ws), inputs, self.describe(inputs))
        return f"{ws}/{obj['name']}", obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        obj = client.get_or_none(deployments_path(inputs["workspace"], inputs["name"]))
        if obj is None or obj.get("entity_version") != 1 or obj.get("status") in api.GONE_STATUSES:
            return None
        if not self.same_content(obj, inputs):  # the name is taken by someone else's deployment
            return None
        return f"{inputs['workspace']}/{inputs['name']}", obj

    def api_finish(self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any]) -> JsonObject:
        return self._maybe_wait(client, id_, inputs, wire)

    def lists_of(self, id_: str, outs: dict[str, Any]) -> list[str]:
        return [deployments_path(api.split_id(id_)[0])]

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        obj = client.get_or_none(deployments_path(*api.split_id(id_)))
        if obj is not None and obj.get("status") in api.GONE_STATUSES:
            log.info(f"{self.describe(outs, id_)} is {obj['status']} (deleted outside Pulumi): counted as gone")
            return None
        if obj is not None and obj.get("status") in api.FAILED_STATUSES:
            log.warn(f"{self.describe(outs, id_)} is {obj['status']}: {obj.get('status_message') or ''}")
        return obj  # type: ignore[no-any-return]

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        path = deployments_path(*api.split_id(id_))
        current = client.request("GET", path)
        version = api.new_version(self.spec, path, plan, news)
        if version is None:
            obj = current  # only provider settings changed: no new version
        else:
            if current.get("status") in api.GONE_STATUSES:
                raise PulumiDeployError(deleting_message(self.describe(news, id_), current))
            obj = api.write_version(self, client, version, olds, self.user_inputs(news), self.describe(news, id_))
            # The new version is written: should the wait fail, the stack records it (the next up waits
            # again rather than writing one more version with the same content).
            return self.finishing(id_, obj, news, lambda: self._maybe_wait(client, id_, news, obj))
        return self._maybe_wait(client, id_, news, obj)

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        ws, name = api.split_id(id_)
        path = deployments_path(ws, name)
        what = self.describe(outs, id_)
        api.call(client, lambda: client.request("DELETE", path), what)  # 202: every version -> DELETING

        self._wait_gone(client, path, f"{what}: deleting", outs)

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _wait_gone(client: ApiClient, path: str, what: str, props: dict[str, Any]) -> None:
        """Wait (bounded by ``wait_timeout``) until GET answers 404: the name is free again."""

        def probe() -> JsonObject | None:
            obj = client.get_or_none(path)
            if obj is not None and obj.get("status") == "DELETED":
                try:  # every version DELETED: a second DELETE removes the records (answers 404)
                    client.request("DELETE", path)
                except NotFound:
                    return client.get_or_none(path)
            return obj  # type: ignore[no-any-return]

        wait_until(
            what,
            probe,
            lambda obj: obj is None,
            timeout=float(props.get("wait_timeout") or api.DEFAULT_WAIT_TIMEOUT),
            describe=lambda obj: "gone" if obj is None else str(obj.get("status")),
        )

    def _maybe_wait(self, client: ApiClient, id_: str, inputs: dict[str, Any], obj: JsonObject) -> JsonObject:
        target = inputs.get("wait_for")
        if not target:
            return obj
        path = deployments_path(*api.split_id(id_))

        def failed(o: JsonObject | None) -> str | None:
            if o is None:
                return "the deployment disappeared while waiting"
            status = o.get("status")
            if status in api.FAILED_STATUSES and status != target:
                return f"ended in {status}: {o.get('status_message') or '(no message)'} (wanted {target})"
            return None

        result = wait_until(
            f"{self.describe(inputs, id_)}: waiting for {target}",
            lambda: client.get_or_none(path),
            lambda o: o is not None and o.get("status") == target,
            timeout=float(inputs.get("wait_timeout") or api.DEFAULT_WAIT_TIMEOUT),
            failed=failed,
            describe=lambda o: "gone" if o is None else f"{o.get('status')} (version {o.get('entity_version')})",
        )
        assert result is not None
        return result


class ModelDeployment(SpecResource, module="nemo", name="ModelDeployment"):
    """A NeMo model deployment; changing its config writes a new version."""

    provider_cls = ModelDeploymentProvider
    name: Output[str]
    config: Output[str]
    config_version: Output[int]
    workspace: Output[str]
    project: Output[str | None]
    wait_for: Output[str | None]
    wait_timeout: Output[float | None]
    entity_version: Output[int]
    status: Output[str]
    status_message: Output[str]
    status_history: Output[list[dict[str, Any]]]
    model_provider_id: Output[str | None]
    version_id: Output[str]
    created_at: Output[str]
    updated_at: Output[str]
