"""``SpecProvider``: check/diff/create/read/update/delete derived from an ``ObjectSpec``.

A vendor object subclasses it and sets ``spec``, ``settings`` and ``routes`` (its paths and update
style): create, read, update and delete are then computed from the field declarations. The ``api_*``
hooks are overridden only for what is truly a sequence of calls (stop -> PATCH -> start, settle ->
PUT -> deploy) or a lookup the routes cannot express. Everything else — validation, the diff plan
and its preview notes, adoption, idempotent create after an ambiguous failure, read-merge that keeps
write-only inputs, "404 on delete means gone" — lives here once.

Pulumi facts this class respects: the instance is pickled by reference into
state, so it has no attributes; ``diff``/``update``/``read``/``delete`` receive the old *outputs*,
so outputs carry ``_input_names`` to recover which fields the user set; numbers arrive as floats;
``changes=None`` lets the engine compute the property-level diff (and keeps ``replace_on_changes``
working) while ``replaces`` names the fields that force a replacement.
"""

from __future__ import annotations

import random
import string
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import log
from .config import VendorSettings, connection_pending, load_stack_config
from .connection import apply_connections
from .errors import ApiError, ConfigError, NotFound, PulumiDeployError, ServerError, TransportError
from .http import ApiClient, AuthHeaders, bearer, get_client
from .request import Call, JsonObject, Routes, create_call, delete_call, read_call, update_call, whole_body
from .spec import INTERNAL_PREFIX, ObjectSpec, Plan

PROVIDER_KEY = "__provider"
INPUT_NAMES = "_input_names"
LOGICAL_NAME = "_logical_name"
AUTONAMED = "_autonamed"
ADOPT_ID = "adopt_id"


class SpecProvider(ResourceProvider):
    spec: ClassVar[ObjectSpec]
    settings: ClassVar[VendorSettings]
    #: The object's paths and update style (None: every ``api_*`` hook is the vendor's own).
    routes: ClassVar[Routes | None] = None
    #: The update response lacks part of the object (e.g. nested references): read it back after.
    read_back_after_update: ClassVar[bool] = False
    #: How many times create may POST after ambiguous failures that left no object behind.
    create_attempts: ClassVar[int] = 3
    #: The GET returns every field the object has (absent = unset). Refresh then also sees optional
    #: fields removed or set out of band, not only changed ones. Off by default: many APIs omit fields.
    live_is_complete: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A resource's explicit connection applies for the whole of each engine call (see connection.py).
        super().__init_subclass__(**kwargs)
        apply_connections(cls)

    # -- vendor hooks ---------------------------------------------------------------------------

    def auth_headers(self) -> AuthHeaders:
        return bearer

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        """POST the object; return its id and the response body."""
        obj = self.send(client, create_call(self.spec, self._routes(), inputs), inputs, self.describe(inputs))
        return self.id_of(obj), obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        """After an ambiguous create failure: find the object a lost response may have created."""
        return None

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        """GET the object; None when it no longer exists.

        ``outs`` are the recorded outputs — or, when adopting, the desired inputs (parent ids such as
        ``gateway_id`` come from there)."""
        return client.get_or_none(read_call(self.spec, self._routes(), id_, outs).path)  # type: ignore[no-any-return]

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        """Apply ``plan`` (old outputs -> new inputs) in the object's update style; return the object as the
        API now shows it (read back when nothing was sent, or the answer is not the object)."""
        values = self.user_inputs(news)
        call = update_call(self.spec, self._routes(), id_, plan, values)
        obj = self.send(client, call, values, self.describe(news, id_)) if call is not None else None
        if not isinstance(obj, dict) or self.read_back_after_update:
            obj = client.request("GET", read_call(self.spec, self._routes(), id_, values).path)
        return obj  # type: ignore[return-value]

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        self.send(client, delete_call(self.spec, self._routes(), id_, outs), outs, self.describe(outs, id_))

    def wire_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        """The request body as the wire shapes it, where that is not one key per field (override)."""
        return body

    def desired_body(self, values: dict[str, Any]) -> JsonObject:
        """The complete desired object as the wire carries it (what a create or a full PUT sends)."""
        return self.wire_body(whole_body(self.spec, values), values)

    def id_of(self, obj: JsonObject) -> str:
        """The resource id of a created object (its ``id`` unless overridden)."""
        return str(obj["id"])

    def explain(self, error: ApiError, what: str) -> ApiError | None:
        """The vendor's explanation of an error answer in the user's terms (None: it speaks for itself)."""
        return None

    def send(self, client: ApiClient, call: Call, values: dict[str, Any], what: str) -> Any:
        """Send one computed call (``what`` names the object in an explained error)."""
        body = self.wire_body(call.body, values) if call.body is not None else None
        try:
            return client.request(
                call.method, call.path, json=body, params=call.params, headers=call.headers or None,
                idempotent=call.idempotent,
            )  # fmt: skip
        except ApiError as exc:
            explained = self.explain(exc, what)
            if explained is None:
                raise
            raise explained from exc

    def _routes(self) -> Routes:
        if self.routes is None:
            raise NotImplementedError(f"{self.spec.label}: no routes declared and the api_* hook not overridden")
        return self.routes

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        """Python-named values of a response (override for nested or renamed shapes)."""
        return self.spec.from_wire(wire)

    def align_live(self, live: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """Live values made comparable with the user's ``inputs`` (e.g. server-filled parts of a value the
        user left unset), so refresh reports only real drift."""
        return live

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        return False

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        """Rules on the change itself (old inputs -> new inputs), e.g. "size may only grow"."""
        return []

    # -- helpers ----------------------------------------------------------------------------------

    def client(self) -> ApiClient:
        return get_client(self.settings, self.auth_headers())

    def describe(self, props: dict[str, Any], id_: str | None = None) -> str:
        name = props.get(LOGICAL_NAME)
        label = f"{self.spec.label} {name!r}" if name else self.spec.label
        return f"{label} ({id_})" if id_ else label

    @staticmethod
    def user_inputs(props: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if k != PROVIDER_KEY and not k.startswith(INTERNAL_PREFIX)}

    def old_inputs(self, outs: dict[str, Any]) -> dict[str, Any]:
        """The inputs recorded with the outputs (diff/update/read only receive outputs)."""
        names = outs.get(INPUT_NAMES)
        if names is None:  # state written without the marker: fall back to every declared input
            names = [f.name for f in self.spec.inputs() if f.name in outs]
        return {n: outs[n] for n in names if n in outs}

    def outputs(self, inputs: dict[str, Any], wire: JsonObject | None) -> dict[str, Any]:
        """Outputs = live values, overlaid with the user's inputs (a superset of the inputs)."""
        outs: dict[str, Any] = dict(self.live_values(wire)) if wire else {}
        outs.update({k: v for k, v in inputs.items() if k != PROVIDER_KEY})
        outs[INPUT_NAMES] = sorted(self.user_inputs(inputs))
        return outs

    # -- check / diff (pure: they run during preview) --------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        load_stack_config(getattr(req.config, "_props", None))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = self.spec.validate(news)
        reasons: dict[str, list[str]] = {}
        for f in failures:
            reasons.setdefault(f.property, []).append(f.reason)
        if not failures and _olds:
            old = self.user_inputs(_olds)
            for p, r in self.transition_rules(old, inputs):
                reasons.setdefault(p, []).append(f"{p}: {r}")
        if not reasons:
            problem = self.config_problem()
            if problem:
                reasons[""] = [problem]
        if self.spec.autoname:
            self._autoname(_olds, inputs)
        # One failure per property carrying every reason (failures keyed by property would lose all but one).
        return CheckResult(
            inputs, [CheckFailure(self._failure_property(p), "; ".join(rs)) for p, rs in reasons.items()]
        )

    def config_problem(self) -> str | None:
        """Why the vendor cannot be called with the current configuration (missing credential, unusable
        base URL), or None. Checked at preview, so a missing credential fails before any ``up``; a
        connection not known yet (an ``Output``) is judged when it is."""
        if connection_pending():
            return None
        try:
            self.client()  # builds the client only: no request is sent
        except ConfigError as exc:
            return str(exc)
        return None

    def _failure_property(self, name: str) -> str:
        """The engine prints a failed property's *value* next to the reason, even a secret one: for a
        secret field report no property (each reason already starts with the field's name)."""
        f = self.spec.fields.get(name)
        return "" if f is not None and f.secret else name

    def _autoname(self, olds: dict[str, Any], inputs: dict[str, Any]) -> None:
        field = self.spec.autoname
        assert field is not None
        if field in inputs:
            inputs.pop(AUTONAMED, None)
            return
        if olds.get(AUTONAMED) and field in olds:
            inputs[field] = olds[field]  # keep the name chosen at creation
        else:
            suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=7))
            inputs[field] = f"{inputs.get(LOGICAL_NAME) or self.spec.kind.lower()}-{suffix}"
        inputs[AUTONAMED] = True

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        plan = self.spec.plan(self.old_inputs(olds), self.user_inputs(news))
        what = self.describe(news, id_)
        for name, reason in plan.replaces:
            log.info(f"{what}: {name} {reason}")
        for note in plan.notes():
            log.info(f"{what}: {note}")
        dbr = self.delete_before_replace(olds, news) if plan.replaces else None
        return DiffResult(changes=None, replaces=plan.replace_keys, delete_before_replace=dbr)

    # -- create / read / update / delete ------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        inputs = self.user_inputs(props)
        if inputs.get(ADOPT_ID):
            id_, wire = self._adopt(client, str(inputs[ADOPT_ID]), props)
        else:
            id_, wire = self._create_once(client, inputs, props)
        return CreateResult(id_, self.outputs(props, wire))

    def _create_once(self, client: ApiClient, inputs: dict[str, Any], props: dict[str, Any]) -> tuple[str, JsonObject]:
        """POST at most until one object exists: after an ambiguous failure, look before retrying."""
        last: PulumiDeployError | None = None
        for attempt in range(self.create_attempts):
            if attempt:
                found = self.api_find(client, inputs)
                if found is not None:
                    log.info(f"{self.describe(props, found[0])}: the lost create had succeeded; adopting it")
                    return found
                log.info(f"{self.describe(props)}: create failed ({last}); retrying")
            try:
                return self.api_create(client, inputs)
            except (TransportError, ServerError) as exc:
                last = exc
        assert last is not None
        raise last

    def _adopt(self, client: ApiClient, id_: str, props: dict[str, Any]) -> tuple[str, JsonObject]:
        wire = self.api_read(client, id_, self.user_inputs(props))
        if wire is None:
            raise PulumiDeployError(
                f"{self.describe(props)}: cannot adopt {id_!r}: no such {self.spec.kind} is visible with this "
                "credential (check the id and that the key may access it)"
            )
        live = self.live_values(wire)
        desired = self.user_inputs(props)
        plan = self.spec.plan(live, desired)
        plan.changed = [n for n in plan.changed if n != ADOPT_ID]
        # An update cannot change what only a replacement can: say so rather than adopt a different object.
        fixed = [n for n, _ in plan.replaces if n != ADOPT_ID and n in desired and n in live]
        if fixed:
            differences = ", ".join(f"{n} is {live[n]!r}, not {desired[n]!r}" for n in fixed)
            raise PulumiDeployError(
                f"{self.describe(props)}: cannot adopt {id_!r}: {differences}, and changing it would replace the "
                "object; set the input to the object's value to adopt it"
            )
        if plan.changed:
            log.info(f"{self.describe(props, id_)}: adopting; updating {', '.join(plan.changed)}")
            wire = self.api_update(client, id_, plan, {**live, PROVIDER_KEY: None}, props)
        return id_, wire

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        wire = self.api_read(self.client(), id_, props)
        if wire is None:
            log.info(f"{self.describe(props, id_)} no longer exists; removing it from the stack")
            return ReadResult(None, {})
        live = self.align_live(self.live_values(wire), self.old_inputs(props))
        inputs = {k: v for k, v in props.items() if k.startswith(INTERNAL_PREFIX) and k != INPUT_NAMES}
        for name, old in self.old_inputs(props).items():
            f = self.spec.fields.get(name)
            readable = f is not None and f.is_input and f.returned
            if readable and live.get(name) is not None:
                inputs[name] = live[name]
            elif self.live_is_complete and f is not None and f.live_owned:
                continue  # removed out of band
            else:
                inputs[name] = old
        if self.live_is_complete:  # set out of band: the next preview shows it going away
            for f in self.spec.inputs():
                value = live.get(f.name)
                if f.name not in inputs and value not in (None, "", [], {}) and f.live_owned:
                    inputs[f.name] = value
        return ReadResult(id_, self.outputs(inputs, wire), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        plan = self.spec.plan(self.old_inputs(olds), self.user_inputs(news))
        wire = self.api_update(self.client(), id_, plan, olds, news)
        return UpdateResult(self.outputs(news, wire))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            self.api_delete(self.client(), id_, props)
        except NotFound:
            log.info(f"{self.describe(props, id_)} was already deleted")


apply_connections(SpecProvider)
