"""``SpecProvider``: check/diff/create/read/update/delete derived from an ``ObjectSpec``.

A vendor object subclasses it and sets ``spec``, ``settings`` and ``routes`` (its paths and update
style): create, read, update and delete are then computed from the field declarations. The ``api_*``
hooks are overridden only for what is truly a sequence of calls (stop -> PATCH -> start, settle ->
PUT -> deploy) or a lookup the routes cannot express. Everything else — validation, the diff plan
and its preview notes, adoption, idempotent create after an ambiguous failure, read-merge that keeps
write-only inputs, "a 404 means gone, once the object's list answers" (on read and delete) — lives
here once.

Pulumi facts this class respects: the instance is pickled by reference into
state, so it has no attributes; ``diff``/``update``/``read``/``delete`` receive the old *outputs*,
so outputs carry the names of the user's inputs (in the bookkeeping envelope, ``bookkeeping.py``);
numbers arrive as floats;
``changes=None`` lets the engine compute the property-level diff (and keeps ``replace_on_changes``
working) while ``replaces`` names the fields that force a replacement.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Literal, TypeVar

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
from pulumi.runtime import rpc

from . import adoption_claims, autonaming, bookkeeping, log, note_lines, pending_notes, planned, replacement_order
from .config import (
    ConnectionValues,
    VendorSettings,
    connection_pending,
    connection_settings,
    credential_fingerprint,
    given_by_connection,
    load_stack_config,
    recorded,
    resolve_base_url,
    secret_setting_values,
    source,
)
from .connection import CONNECTION_KEY, apply_connections, connection_secrets, values_of, wrap_engine_calls
from .engine import current_call, note
from .error_display import format_error
from .errors import (
    ApiError,
    ConfigError,
    Forbidden,
    NotFound,
    PulumiDeployError,
    ServerError,
    TransportError,
    Unauthorized,
    Unfinished,
)
from .fields import MISSING, Replace, ReplaceWhenCleared, Secret, ServerDefault, is_unknown
from .http import ApiClient, AuthHeaders, bearer, fresh_listings, get_client
from .location import MAY_MOVE_NOTE, Location, Relocation, as_record, has_userinfo, without_userinfo
from .request import (
    Call,
    JsonObject,
    Routes,
    UpdateStyle,
    collection_paths,
    create_call,
    delete_call,
    read_call,
    update_call,
    whole_body,
)
from .shown_values import changed_value, shown
from .spec import INTERNAL_PREFIX, ObjectSpec, Plan
from .withheld import scrub_current, withholding

F = TypeVar("F", bound=Callable[..., Any])
PROVIDER_KEY = "__provider"
ADOPT_ID = "adopt_id"
#: Set (to ``True``) by the program only while it is previewed; check replaces it with the notes of the
#: planned change, or drops it when there are none, so that the property diff a preview prints
#: (``preview --diff`` on stdout) carries the notes under the resource. ``up`` never stores it and
#: ``diff`` never counts it.
PLAN_NOTES = "plan_notes"
#: Answers that say a gateway stopped waiting for the server, not that the server refused: the request
#: may still be carried out (504 Gateway Timeout).
STILL_WORKING_STATUSES = frozenset({504})


_checking = threading.local()


def _announcing(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """``check`` that, in a preview and once the outermost override is done, adds the plan's notes."""

    @functools.wraps(check)
    def wrapper(self: SpecProvider, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        depth = getattr(_checking, "depth", 0)
        _checking.depth = depth + 1
        try:
            result = check(self, olds, news)
        finally:
            _checking.depth = depth
        if depth == 0 and news.get(PLAN_NOTES) is not None and not result.failures:
            self._announce(olds, result.inputs)
        return result

    return wrapper


class SpecProvider(ResourceProvider):
    spec: ClassVar[ObjectSpec]
    settings: ClassVar[VendorSettings]
    #: The object's paths and update style (None: every ``api_*`` hook is the vendor's own).
    routes: ClassVar[Routes | None] = None
    #: The update response lacks part of the object (e.g. nested references): read it back after.
    read_back_after_update: ClassVar[bool] = False
    #: How many times create may POST after failures that left no object behind (None: as many as the
    #: retry policy's attempts; every retry first looks for the object a lost answer may have made).
    create_attempts: ClassVar[int | None] = None
    #: Before creating, look (``api_find``) for the object an earlier run made for this resource and
    #: never recorded — the run was killed or lost the create response — and take it over instead of
    #: making a second one.
    find_before_create: ClassVar[bool] = True
    #: What ``api_finish`` does after the POST, for the message of a create that stopped there.
    finish_description: ClassVar[str] = ""
    #: The input that names an existing object to take over instead of creating one: ``adopt_id`` (opt-in
    #: through ``AdoptableArgs``), or the id field of an object the API can only adopt (Aieev).
    adopts_by: ClassVar[str] = ADOPT_ID
    #: The GET returns every field the object has (absent = unset). Refresh then also sees optional
    #: fields removed or set out of band, not only changed ones. Off by default: many APIs omit fields.
    live_is_complete: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "check" in cls.__dict__:  # the notes judge the inputs as the vendor's own check leaves them
            cls.check = _announcing(cls.__dict__["check"])  # type: ignore[method-assign]
        _apply_withholding(cls)
        # A resource's explicit connection applies for the whole of each engine call (see connection.py).
        apply_connections(cls)

    # -- vendor hooks ---------------------------------------------------------------------------

    def adopted_id(self, inputs: dict[str, Any]) -> Any:
        """The id of the existing object these inputs take over (None: the resource creates one)."""
        return inputs.get(self.adopts_by)

    def not_there_to_adopt(self, props: dict[str, Any], id_: str) -> PulumiDeployError:
        """The error for an object to adopt that the API answers 404 for."""
        return PulumiDeployError(
            f"{self.describe(props)}: cannot adopt {id_!r}: no such {self.spec.kind} is visible with this "
            "credential (check the id and that the key may access it)"
        )

    def auth_headers(self) -> AuthHeaders:
        return bearer

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        """POST the object; return its id and the response body."""
        obj = self.send(client, create_call(self.spec, self._routes(), inputs), inputs)
        return self.id_of(obj), obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        """The object a lost create response (this run's or an earlier one's) made for ``inputs``, if it is
        certainly that one: found by what the API keeps unique, and with exactly the desired content
        (``same_content``) — never an object that may belong to someone else. Read collections with
        ``client.listing`` (once per run). It only looks: ``api_finish`` finishes what it takes over."""
        return None

    def api_finish(self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any]) -> JsonObject:
        """What follows the POST in a create (a vendor whose create is a sequence: a deploy, a wait), run
        after every create, on an object taken over after a lost create, and by the next update of an
        object whose create or update stopped before its end (:meth:`finishing`); return the object as
        it is then."""
        return wire

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        """GET the object; None when it no longer exists.

        ``outs`` are the recorded outputs — or, when adopting, the desired inputs (parent ids such as
        ``gateway_id`` come from there)."""
        return client.get_or_none(read_call(self.spec, self._routes(), id_, outs).path)  # type: ignore[no-any-return]

    def lists_of(self, id_: str, outs: dict[str, Any]) -> list[str]:
        """The lists the object lives in (paths answering GET), the innermost first; asked before an
        object the API answers 404 for is believed gone. Empty: the API has no such list."""
        return collection_paths(self.spec, self._routes(), outs)

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        """Apply ``plan`` (old outputs -> new inputs) in the object's update style; return the object as the
        API now shows it (read back when nothing was sent, or the answer is not the object)."""
        values = self.user_inputs(news)
        call = update_call(self.spec, self._routes(), id_, plan, values)
        obj = self.send(client, call, values) if call is not None else None
        if not isinstance(obj, dict) or self.read_back_after_update:
            obj = client.request("GET", read_call(self.spec, self._routes(), id_, values).path)
        return obj  # type: ignore[return-value]

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        self.send(client, delete_call(self.spec, self._routes(), id_, outs), outs)

    def wire_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        """The request body as the wire shapes it, where that is not one key per field (override)."""
        return body

    def desired_body(self, values: dict[str, Any]) -> JsonObject:
        """The complete desired object as the wire carries it (what a create or a full PUT sends)."""
        return self.wire_body(whole_body(self.spec, values), values)

    def id_of(self, obj: JsonObject) -> str:
        """The resource id of a created object (its ``id`` unless overridden)."""
        return str(obj["id"])

    def explain(self, error: ApiError, what: str, props: dict[str, Any], id_: str | None) -> PulumiDeployError | None:
        """The vendor's explanation, in the user's terms, of an error answer that ended an operation
        (None: it speaks for itself). ``what`` names the object; ``props`` are the operation's inputs
        (create, update) or outputs (read, delete); ``id_`` is None for a create."""
        return None

    @contextmanager
    def explained(self, props: dict[str, Any], id_: str | None = None) -> Iterator[None]:
        """Errors ending an operation, explained once (:meth:`explain`) and raised ``from`` the answer."""
        try:
            yield
        except ApiError as exc:
            explained = self.explain(exc, self.describe(props, id_), props, id_)
            if explained is None or explained is exc:
                raise
            raise explained from exc

    def send(self, client: ApiClient, call: Call, values: dict[str, Any]) -> Any:
        """Send one computed call (an error answer is explained by the operation, :meth:`explained`)."""
        body = self.wire_body(call.body, values) if call.body is not None else None
        return client.request(
            call.method, call.path, json=body, params=call.params, headers=call.headers or None,
            idempotent=call.idempotent,
        )  # fmt: skip

    def update_style(self) -> UpdateStyle | None:
        """How an update of the object is sent: the declared routes' style; None where the vendor's own
        ``api_update`` sends calls of its own making."""
        try:
            return self._routes().update
        except NotImplementedError:
            return None

    def _sends_whole_object(self) -> bool:
        """Updates carry the whole desired object: a field left out is cleared by the server."""
        style = self.update_style()
        return style is not None and style.whole

    def _sends_only_changes(self) -> bool:
        """Updates carry only the changed fields (a removed one is left out unless it has a clearing value)."""
        style = self.update_style()
        return style is not None and not style.whole

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

    def update_refusals(self, id_: str, olds: dict[str, Any], plan: Plan) -> list[str]:
        """Why the update ``plan`` of the object ``id_`` cannot be made, judged where the object's values
        (``olds``: its recorded outputs, or the live object an adoption reads) are known: at preview, before
        anything is sent. Recorded outputs are as the last `up` or `refresh` saw them. [] when it can."""
        return []

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        """Rules on the change itself (old inputs -> new inputs; no old inputs at a creation), e.g. "size
        may only grow", or a limit judged only on a value that will be sent."""
        return []

    # -- helpers ----------------------------------------------------------------------------------

    def client(self) -> ApiClient:
        return get_client(self.settings, self.auth_headers())

    def describe(self, props: dict[str, Any], id_: str | None = None) -> str:
        name = bookkeeping.read(props).logical_name
        label = f"{self.spec.label} {name!r}" if name else self.spec.label
        return f"{label} ({id_})" if id_ else label

    @staticmethod
    def user_inputs(props: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v for k, v in props.items() if k not in (PROVIDER_KEY, PLAN_NOTES) and not k.startswith(INTERNAL_PREFIX)
        }

    def old_inputs(self, outs: dict[str, Any], news: dict[str, Any] | None = None) -> dict[str, Any]:
        """The inputs recorded with the outputs (diff/update/read only receive outputs).

        Given the ``news`` of a diff or update, a field the user had left to the server
        (``FieldSpec.pinnable``) and now pins to exactly the value the server chose counts as
        an old input of that value: pinning it is not a change, and no update is sent for it."""
        names = self.input_names(outs)
        if names is None:  # state written without the marker: fall back to every declared input
            names = [f.name for f in self.spec.inputs() if f.name in outs]
        old = {n: outs[n] for n in names if n in outs}
        if news is None:
            return old
        for f in self.spec.inputs():
            pinned = news.get(f.name)
            if f.name in old or not f.pinnable or pinned is None or is_unknown(pinned):
                continue
            if outs.get(f.name) is not None and f.normalise(pinned) == f.normalise(outs[f.name]):
                old[f.name] = outs[f.name]
        return old

    @staticmethod
    def input_names(outs: dict[str, Any]) -> list[str] | None:
        """The names of the user's inputs recorded with ``outs`` (None: not recorded)."""
        names = bookkeeping.read(outs).input_names
        return list(names) if names is not None else None

    def outputs(self, inputs: dict[str, Any], wire: JsonObject | None) -> dict[str, Any]:
        """Outputs = live values, overlaid with the user's inputs (a superset of the inputs)."""
        outs: dict[str, Any] = dict(self.live_values(wire)) if wire else {}
        outs.update(self.user_inputs(inputs))
        if CONNECTION_KEY in inputs:  # read, update and delete get the outputs: they need the connection
            outs[CONNECTION_KEY] = inputs[CONNECTION_KEY]
        return bookkeeping.write(outs, self._output_book(inputs))

    def _output_book(self, inputs: dict[str, Any]) -> bookkeeping.Bookkeeping:
        """The outputs' bookkeeping: the inputs', with which of them are the user's, the address the call
        reached the object at and, where keys are per account, which credential did (under the settings
        in effect)."""
        book = bookkeeping.read(inputs)
        names = tuple(self.user_inputs(inputs))
        credential = credential_fingerprint(self.settings) if self.settings.credential_scopes_objects else ""
        return dataclasses.replace(book, input_names=names, location=self._location_record(), credential=credential)

    def _not_another_accounts(self, props: dict[str, Any], id_: str) -> None:
        """Before a 404 counts as the object's deletion: for a vendor whose keys each see one account, the
        credential in effect must be the one that last reached the object. Under another account's key
        every object of the first answers 404 while the lists answer; forgetting them there would leave
        them running (a volume with its data) in the first account, and the next ``up`` would make
        second ones."""
        if not self.settings.credential_scopes_objects:
            return
        book = bookkeeping.read(props)
        if not book.credential or book.credential == credential_fingerprint(self.settings):
            return
        raise PulumiDeployError(
            f"{self.describe(props, id_)}: not visible with the credential in effect "
            f"({source(self.settings.credential)}), which is not the one that last reached it. A key sees its own "
            "account's objects only, so this one may be in another account: it stays in the stack. Set that "
            "account's key again; if this is a new key of the same account and the object was deleted, "
            f"`pulumi state delete '{self._urn(book.logical_name)}'` forgets it"
        )

    # -- check / diff (pure: they run during preview) --------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        load_stack_config(getattr(req.config, "_props", None))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = {k: v for k, v in news.items() if k != PLAN_NOTES}
        inputs, failures = self.spec.validate(news)
        reasons: dict[str, list[str]] = {}
        for f in failures:
            reasons.setdefault(f.property, []).append(f.reason)
        book = bookkeeping.read(news)
        planned.checked(self._urn(book.logical_name))
        adopt = self.adopted_id(inputs) if isinstance(inputs, dict) else None
        # Adopting, the change runs from the object as it is, which check cannot read: the adoption's plan
        # judges it (at preview too), so a value the object already has is not refused as a new one.
        before = self.adopted_id(self.user_inputs(_olds)) if _olds else None
        adopting = bool(adopt) and (not _olds or (bool(before) and before != adopt))  # a first, or another, object
        if not failures and not adopting:
            old = self.user_inputs(_olds)  # none at a creation
            for p, r in self.transition_rules(old, inputs):
                reasons.setdefault(p, []).append(f"{p}: {r}")
        if isinstance(adopt, str) and adopt:
            holder = adoption_claims.claim(self.spec.label, adopt, self._urn(book.logical_name))
            if holder is not None:
                reasons.setdefault(self.adopts_by, []).append(
                    f"{self.adopts_by}: {adopt!r} is already adopted by {holder.rsplit('::', 1)[-1]!r} in this "
                    "program (an object can be managed by one resource only)"
                )
        if not reasons:
            problem = self.config_problem()
            if problem:
                reasons[""] = [problem]
        if self.spec.autoname:
            book = self._autoname(_olds, inputs, book)
        # Where the settings name the object's server: diff compares it with where the object lives.
        target = None if reasons or connection_pending() else self._location_record()
        inputs = bookkeeping.write(inputs, dataclasses.replace(book.for_inputs(), location=target))
        # One failure per property carrying every reason (failures keyed by property would lose all but one);
        # a reason quoting a setting (a base URL with its credentials) withholds the call's secrets.
        return CheckResult(
            inputs,
            [CheckFailure(self._failure_property(p), scrub_current("; ".join(rs))) for p, rs in reasons.items()],
        )

    def _announce(self, olds: dict[str, Any], inputs: dict[str, Any]) -> None:
        """In a preview, say what the planned change will do: as warnings under the resource, and as the
        ``plan_notes`` property, which the preview's property diff prints under the resource too.

        Check runs once per planned operation (never on refresh; a replacement's second check has no
        olds), so each note is said once, and only for a change that will happen.
        """
        urn = self._urn(bookkeeping.read(inputs).logical_name)
        if not olds and not self.adopted_id(inputs):  # a first creation, or a replacement's check
            inputs.update({PLAN_NOTES: note_lines.as_property(notes)} if (notes := pending_notes.take(urn)) else {})
            return
        said: list[str] | None = None
        if not olds:  # an adoption: the first, or a replacement's (whose first check's notes are said already)
            earlier = pending_notes.take(urn)
            said = self._adoption_preview(inputs)
            notes = [*earlier, *said]
        else:
            old, new = self.user_inputs(olds), self.user_inputs(inputs)
            notes = self.plan_notes(self.change_plan(old, new), old, new)
            # A new pin of a value the server chose may be no change at all: diff, which sees that value,
            # says what the pin does. The property keeps every note (it is printed only with a change).
            said = self._notes_without_pins(old, new)
            if connection_pending():  # diff warns it; the property carries it into `preview --diff` too
                notes = [*notes, MAY_MOVE_NOTE]
        if notes:
            inputs[PLAN_NOTES] = note_lines.as_property(notes)
            pending_notes.remember(urn, notes)
            what = self.describe(inputs)
            for line in notes if said is None else said:
                note(f"{what}: {line}")

    def _new_pins(self, old: dict[str, Any], new: dict[str, Any]) -> set[str]:
        """Fields left to the server (``FieldSpec.pinnable``) that the user now sets: whether
        that changes anything depends on the value the server chose, which check cannot see."""
        return {f.name for f in self.spec.inputs() if f.name not in old and new.get(f.name) is not None and f.pinnable}

    def _notes_without_pins(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """The preview's notes for ``old -> new`` as if no new pin were set."""
        pins = self._new_pins(old, new)
        unpinned = {k: v for k, v in new.items() if k not in pins}
        return self.plan_notes(self.change_plan(old, unpinned), old, unpinned)

    def _announce_pins(self, olds: dict[str, Any], news: dict[str, Any], plan: Plan) -> None:
        """In a preview, the notes check held back for new pins, now that the pins' effect is known."""
        old, new = self.old_inputs(olds), self.user_inputs(news)
        if not self._new_pins(old, new) & set(plan.changed):
            return
        said = self._notes_without_pins(old, new)
        what = self.describe(news)
        for line in self.plan_notes(plan, self.old_inputs(olds, news), new):
            if line not in said:
                note(f"{what}: {line}")

    def _adoption_preview(self, inputs: dict[str, Any]) -> list[str]:
        """Read the object to adopt (a read-only GET, as Pulumi's own import does) and say what ``up`` will
        change on it. Values not known yet (a parent's id) leave nothing to compare."""
        values = self.user_inputs(inputs)
        if any(is_unknown(v) for v in values.values()) or connection_pending():
            return []  # an unknown connection: where to read is not known yet
        id_ = str(self.adopted_id(values))
        wire = self.api_read(self.client(), id_, values)
        if wire is None:
            raise self.not_there_to_adopt(inputs, id_)
        return self.adoption_notes(id_, self.live_values(wire), inputs)

    def plan_notes(self, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        """The preview's sentences for ``plan``: what forces a replacement, or what the update does."""
        replaces = [f"{name} {reason}" for name, reason in plan.replaces]
        if replaces and (fate := self.replaced_note(olds)):
            replaces.append(fate)
        return replaces or [*plan.notes(), *self._secret_entry_notes(plan, olds, news)]

    def replaced_note(self, olds: dict[str, Any]) -> str | None:
        """What replacing the object does to the old one where "deleted" does not say it all (its data
        goes too, it is only stopped...); ``olds`` are its inputs. None: nothing to add."""
        return None

    def _secret_entry_notes(self, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        """Which entries of a keyed list with secret values changed (the values stay unsaid)."""
        lines = []
        for name in plan.changed:
            policy = self.spec.fields[name].get(Secret)
            changes = policy.changed_entries(olds.get(name), news.get(name)) if isinstance(policy, Secret) else []
            if changes:
                lines.append(f"{name}: {', '.join(changes)} (values are secret)")
        return lines

    def relocation(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Relocation | None:
        """The settings (the resource's connection, else stack config and environment) now name another
        server than the one the object was recorded on; None when they name the same one.

        An object cannot move between servers: it is created on the new one and deleted from the old one
        (delete goes where it lives), and the preview says so. A different URL may still reach the same
        server (a host name for an address, a proxy): the object is looked up there first (a read-only
        GET), and only one that is not there moves. A connection not known yet is judged when it is."""
        # The server the settings named when the inputs were checked. The engine also diffs on refresh, with
        # the inputs of the last `up`: then the target is where the object went, whatever the settings say now.
        target = bookkeeping.read(news).location
        old = self.where_it_lives(olds)
        if target is None or old.pending:
            return None  # a connection not known yet, or inputs checked before targets were recorded
        with connection_settings(old):
            before, lives_on = self.location(), self.place()
        new = values_of(news)
        with connection_settings(dataclasses.replace(new, recorded=dict(target))):
            after = self.location()
        if self.same_place(before, after):
            return None
        with connection_settings(new):
            found = self.api_read(self.client(), id_, olds) is not None
            by_connection = any(k in new.values for k in after)
            return Relocation(lives_on, self.place(), found, by_connection=by_connection)

    def where_it_lives(self, props: dict[str, Any]) -> ConnectionValues:
        """The settings for calls on the existing object whose recorded outputs are ``props``: its
        connection and, while the settings name another server than the one it was recorded on (or none
        at all), that record."""
        values = values_of(props)
        record = bookkeeping.read(props).location
        if record is None or values.pending:
            return values
        there = dataclasses.replace(values, recorded=dict(record))
        with connection_settings(values):
            try:
                here: Location | None = self.location()
            except ConfigError:
                here = None
            if here is not None and self._stored(here) is None:
                return values  # a place never recorded (see _stored): calls go where the settings point
        with connection_settings(there):
            recorded_place = self.location()
        return values if here is not None and self.same_place(recorded_place, here) else there

    def _location_record(self) -> tuple[tuple[str, str], ...] | None:
        """What the bookkeeping stores of the location in effect (see ``_stored``)."""
        return self._stored(self.location())

    @staticmethod
    def _stored(location: Location) -> tuple[tuple[str, str], ...] | None:
        """What the bookkeeping stores of ``location`` under the connection in effect: the settings the
        connection does not give (the connection, stored as a secret with the outputs, records its own).
        None — no record, calls go where the settings point — for a base URL carrying credentials
        (``https://user:token@host``): the bookkeeping is stored in plain text."""
        stored = {k: v for k, v in location.items() if not given_by_connection(k)}
        return None if any(has_userinfo(v) for v in stored.values()) else as_record(stored)

    def location(self) -> Location:
        """The settings in effect that address the vendor's server (config key -> value), recorded with
        the outputs. A vendor whose address is more than its base URL (an API version) overrides."""
        return {self.settings.base_url.config_key: self.base_url()}

    def place(self) -> str:
        """The location in effect in a user's words (its base URL unless a vendor says more), for notes:
        never with a user name or password a base URL may carry."""
        return without_userinfo(self.base_url())

    def same_place(self, recorded: Location, current: Location) -> bool:
        """Two addresses name one server, whose objects (and ids) are the same at both. A vendor whose
        server answers at several addresses (one per API version) overrides."""
        return recorded == current

    def base_url(self) -> str:
        """The base URL the provider's calls go to under the settings in effect (no request is sent)."""
        return resolve_base_url(self.settings)

    def change_plan(self, old_inputs: dict[str, Any], new_inputs: dict[str, Any], id_: str | None = None) -> Plan:
        """The plan from old to new inputs of the object ``id_`` (None: not known, as in check). Adoption
        is a one-time act: once an object is adopted, removing ``adopt_id`` is no change, and so is setting
        it to the object's own id; only naming another object replaces. Whether an ``adopt_id`` newly set
        names another object only diff can tell (it is given the id); check leaves it to diff."""
        plan = self.spec.plan(old_inputs, new_inputs, sparse=self._sends_only_changes())
        old, new = old_inputs.get(ADOPT_ID), new_inputs.get(ADOPT_ID)
        removed = bool(old) and new is None
        names_itself = not old and bool(new) and (id_ is None or new == id_)
        if ADOPT_ID in plan.changed and (removed or names_itself):
            plan.changed.remove(ADOPT_ID)
            plan.replaces = [(n, r) for n, r in plan.replaces if n != ADOPT_ID]
            for _, names in plan.noted.values():
                if ADOPT_ID in names:
                    names.remove(ADOPT_ID)
            plan.noted = {k: v for k, v in plan.noted.items() if v[1]}
        return plan

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

    def _autoname(
        self, olds: dict[str, Any], inputs: dict[str, Any], book: bookkeeping.Bookkeeping
    ) -> bookkeeping.Bookkeeping:
        field = self.spec.autoname
        assert field is not None
        if field in inputs:
            return dataclasses.replace(book, autonamed=False)
        if bookkeeping.read(olds).autonamed and field in olds:
            inputs[field] = olds[field]  # keep the name chosen at creation
            # Should the engine replace the object (a changed field, `replace_on_changes`, `replace_with`),
            # it checks the inputs again without olds: that check must name the successor differently.
            autonaming.remember_current(self._urn(book.logical_name), str(olds[field]))
        else:
            prefix = book.logical_name or self.spec.kind.lower()
            inputs[field] = autonaming.choose(prefix, self._urn(prefix))
        return dataclasses.replace(book, autonamed=True)

    def _urn(self, logical_name: str) -> str:
        """The URN of the resource being served (outside the engine: one derived from the spec and name)."""
        call = current_call()
        return call.urn if call is not None else f"{self.spec.label}::{logical_name}"

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """What changes. Writes nothing, and says only what check could not judge: in a preview a new
        pin (see ``_announce_pins``), and in a preview or ``up`` an object whose settings now name
        another place (``relocation``: the one GET it sends looks for the object there). The engine also
        calls it on refresh, where nothing will happen and a relocation is never found (the preview's
        other notes come from ``check``).

        When something the user set changed, the engine computes the property diff it prints
        (``changes=None``; ``replace_on_changes`` then works too). Otherwise the answer is "no change",
        whatever the bookkeeping says (a rename through ``aliases``, a preview's ``plan_notes``) — except
        state in an older format, a changed connection and a new address of the object's server, which
        one update records without calling the API.
        """
        plan = self.change_plan(self.old_inputs(olds, news), self.user_inputs(news), id_)
        if news.get(PLAN_NOTES) is not None:  # a preview (check put its notes there); never a refresh
            self._announce_pins(olds, news, plan)
        if any(n == ADOPT_ID for n, _ in plan.replaces) and not olds.get(ADOPT_ID):
            # check, which cannot see this object's id, left it to this diff to say
            line = (
                f"adopt_id names another object than this one ({id_}): that one is taken over and updated, and "
                "this one is deleted"
            )
            note(f"{self.describe(news)}: {line}")
            pending_notes.add(self._urn(bookkeeping.read(news).logical_name), line)
        # A move to another server replaces, forced by the connection or, where the stack's settings moved
        # it (they are no property), by the bookkeeping that says where the object lives.
        relocation = self.relocation(id_, olds, news)
        moved = relocation is not None and relocation.moves
        replaces = plan.replace_keys
        if relocation is not None:  # said as it is found
            note(f"{self.describe(news)}: {relocation.note()}")
            if relocation.moves:
                # The replacement's check (which has no olds) shows it as the preview's plan_notes.
                pending_notes.add(self._urn(bookkeeping.read(news).logical_name), relocation.note())
                replaces = [*replaces, CONNECTION_KEY if relocation.by_connection else bookkeeping.ENVELOPE]
        elif values_of(news).pending:
            note(f"{self.describe(news)}: {MAY_MOVE_NOTE}")
        # Judged for an update this operation plans (a refresh, with no check before its diff, sends nothing;
        # a move creates the object anew).
        urn = self._urn(bookkeeping.read(news).logical_name)
        update = plan.changed and not plan.replaces and not moved and planned.planned(urn)
        if update and (refused := self.update_refusals(id_, olds, plan)):
            raise PulumiDeployError(f"{self.describe(news, id_)}: cannot update it: {'; '.join(refused)}")
        old_book = bookkeeping.read(olds)
        if old_book.unfinished:  # said in a preview, an up and a refresh alike: each reads it the same
            # The engine keeps the inputs from before a failed update: its property diff compares the
            # program with those, not with what that update applied. Say what `up` changes from there.
            then = (
                f"`pulumi up` changes {', '.join(plan.changed)} from what that change applied (the property "
                "diff may compare with the values from before it)"
                if plan.changed
                else f"`pulumi up` finishes it{self._finishing_what()}"
            )
            note(
                f"{self.describe(news, id_)}: an earlier `pulumi up` made its change to this object and failed "
                f"before finishing it ({old_book.unfinished}); {then}"
            )
        # A unique name is unique per server: a move alone never has to delete first.
        dbr = self.delete_before_replace(olds, news) if plan.replaces else (False if moved else None)
        if dbr:
            replacement_order.record(self.spec.label, id_)
        if plan.changed or moved:
            # A move by the stack's settings changes no property: the engine, left to compute the change
            # itself, would see none.
            stack_move = moved and not plan.changed and relocation is not None and not relocation.by_connection
            return DiffResult(changes=True if stack_move else None, replaces=replaces, delete_before_replace=dbr)
        # A changed connection that reaches the same object (a rotated key, another URL of its server), and
        # a new address of the object's server, are recorded by an update that calls nothing, so refresh
        # and destroy use them, not the old ones.
        rewrite = (
            old_book.format < bookkeeping.FORMAT
            or olds.get(CONNECTION_KEY) != news.get(CONNECTION_KEY)
            or relocation is not None
            or bool(old_book.unfinished)  # the update finishes it (the engine asks for one too)
        )
        return DiffResult(changes=rewrite, replaces=[])

    # -- create / read / update / delete ------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        inputs = self.user_inputs(props)
        with self.explained(props):
            if inputs.get(ADOPT_ID):
                id_, wire = self._adopt(client, str(inputs[ADOPT_ID]), props)
            else:
                id_, wire = self._create_once(client, inputs, props)
        urn = self._urn(bookkeeping.read(props).logical_name)
        adoption_claims.record_created(self.spec.label, id_, urn, as_record(self.location()))
        return CreateResult(id_, self.outputs(props, wire))

    def _finish(
        self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any], props: dict[str, Any]
    ) -> tuple[str, JsonObject]:
        """Run the rest of a create (``api_finish``) on the object it made or took over; should that fail,
        the stack still records the object (:meth:`finishing`), rather than one nobody recorded."""
        return id_, self.finishing(id_, wire, props, lambda: self.api_finish(client, id_, wire, inputs), "created")

    def finishing(
        self,
        id_: str,
        wire: JsonObject,
        props: dict[str, Any],
        rest: Callable[[], JsonObject],
        done: Literal["created", "updated"] = "updated",
    ) -> JsonObject:
        """Run ``rest`` — what follows the write that made ``wire`` (a deploy, a wait) — and return its
        object. Should it fail, the object is handed to the engine as ``wire`` says, with the error
        (:class:`Unfinished`): the stack records it with the change made, and the next ``up`` finishes
        it (``api_finish``) instead of making the change again. A vendor's ``api_update`` wraps its
        waits in this."""
        try:
            with self.explained(props, id_):
                return rest()
        except Exception as exc:  # the change is made, whatever went wrong after it
            if not isinstance(exc, PulumiDeployError):  # a bug: its traceback is what a report needs
                log.warn(format_error(exc))
            # Kept in the bookkeeping, which state holds in plain text: without the call's secret values.
            reason = scrub_current(str(exc) if isinstance(exc, PulumiDeployError) else f"{type(exc).__name__}: {exc}")
            for what in (self.describe(props, id_), self.describe(self.user_inputs(props), id_)):  # said once
                reason = reason.removeprefix(f"{what}: ")
            outs = bookkeeping.amend(self.outputs(props, wire), unfinished=reason)
            outs[PROVIDER_KEY] = props.get(PROVIDER_KEY)
            recorded = "it" if done == "created" else "the update"
            raise Unfinished(
                f"{self.describe(props, id_)}: {done}, but not finished: {reason}. The stack records {recorded}, "
                f"with this error: once the cause is fixed, `pulumi up` finishes it{self._finishing_what()}; "
                "`pulumi destroy` or removing the resource deletes it",
                id_,
                outs,
            ) from exc

    def _finishing_what(self) -> str:
        return f" ({self.finish_description})" if self.finish_description else ""

    def _made_earlier(
        self, client: ApiClient, inputs: dict[str, Any], props: dict[str, Any]
    ) -> tuple[str, JsonObject] | None:
        if not self.find_before_create:
            return None
        found = self.api_find(client, inputs)
        if found is None:
            return None
        if not self.named_for_this_resource(inputs):
            raise self.unrecorded(props, found[0])
        log.info(
            f"{self.describe(props, found[0])}: an earlier run made this object without recording it; taking it over"
        )
        id_, wire = found
        if not self.same_content(wire, inputs):
            # Found by its autoname alone, it holds what the program said when it was made: it is updated
            # to what the program says now, as an adoption would be.
            return self._take_over(client, id_, wire, props, made_earlier=True)
        return self._finish(client, id_, wire, inputs, props)

    def named_for_this_resource(self, inputs: dict[str, Any]) -> bool:
        """The object's name is this resource's autoname (a hash of its URN): an object of that name was
        made for this resource, by this run or an earlier one — not by another stack or resource."""
        field = self.spec.autoname
        return field is not None and autonaming.chosen_here(inputs.get(field))

    def unrecorded(self, props: dict[str, Any], id_: str) -> PulumiDeployError:
        """The error for an object with this resource's name and content that the stack does not record.
        A name the user chose may be another resource's or another stack's (the same program deployed
        twice, a resource renamed without ``aliases``, whose old object is deleted later in the same run):
        taking it over could let that one's delete remove it, and a second one would be a duplicate."""
        adopt = (
            f"If an interrupted run of this stack made it, set adopt_id={id_!r} (it can be removed after the next "
            "`pulumi up`). "
            if ADOPT_ID in self.spec.fields
            else ""
        )
        return PulumiDeployError(
            f"{self.describe(props)}: {self.spec.kind} {id_} already has this resource's name and exactly its "
            f"inputs, and this stack does not record it; nothing was created. {adopt}If another resource or stack "
            "manages it (a resource renamed without `aliases`, the same program in another stack), declare the "
            "rename with `aliases` or give this resource's object another name. A replacement of this resource "
            "with its name and inputs unchanged (`pulumi up --replace`) meets its own object here: give the "
            "replacement another name, or set the `delete_before_replace` resource option"
        )

    def _create_once(self, client: ApiClient, inputs: dict[str, Any], props: dict[str, Any]) -> tuple[str, JsonObject]:
        """POST at most until one object exists: first look for one an earlier run left behind; after an
        ambiguous failure, look again (reading afresh) before retrying."""
        earlier = self._made_earlier(client, inputs, props)
        if earlier is not None:
            return earlier
        last: PulumiDeployError | None = None
        for attempt in range(self.create_attempts or client.retry.attempts):
            if attempt:
                with fresh_listings():
                    found = self.api_find(client, inputs)
                if found is not None:
                    log.info(f"{self.describe(props, found[0])}: the lost create had succeeded; adopting it")
                    return self._finish(client, *found, inputs, props)
                log.info(f"{self.describe(props)}: create failed ({last}); retrying")
            try:
                made = self.api_create(client, inputs)
            except TransportError as exc:
                if exc.timed_out and self.find_before_create:
                    return self._after_unanswered_create(
                        client, inputs, props, exc, f"No answer within {client.timeout:g}s"
                    )
                last = exc
            except ServerError as exc:
                if exc.status in STILL_WORKING_STATUSES and self.find_before_create:
                    why = f"A gateway answered {exc.status} (it stopped waiting; the server behind it may not have)"
                    return self._after_unanswered_create(client, inputs, props, exc, why)
                last = exc
            else:
                return self._finish(client, *made, inputs, props)
        assert last is not None
        raise last

    def _after_unanswered_create(
        self, client: ApiClient, inputs: dict[str, Any], props: dict[str, Any], exc: PulumiDeployError, why: str
    ) -> tuple[str, JsonObject]:
        """A create that timed out, or that a gateway gave up on, may still be in the server's hands: the
        object it makes is taken over if it shows up in time; it is never sent again (a second POST could
        make a second object)."""
        found = client.look_after_timeout(f"create {self.describe(props)}", lambda: self.api_find(client, inputs))
        if found is not None:
            log.info(f"{self.describe(props, found[0])}: the create that got no answer had succeeded; adopting it")
            return self._finish(client, *found, inputs, props)
        next_up = (
            "takes it over"
            if self.named_for_this_resource(inputs)
            else "fails naming it, for you to adopt (a name you chose may be another stack's)"
        )
        raise exc.with_hint(
            f"{why}, and no such object appeared in the {client.timeout:g}s after. "
            "The create was not sent again, so it cannot make a second object; a slow server may still make "
            f"this one: the next `pulumi up` looks for it first and {next_up} "
            "(PULUMI_DEPLOY_HTTP_TIMEOUT sets the seconds)"
        )

    def same_content(self, wire: JsonObject, inputs: dict[str, Any]) -> bool:
        """``wire`` carries exactly the desired request content (fields the server fills or never returns
        aside): the object a lost create made for these inputs, not someone else's."""
        compared_fields = [f for f in self.spec.inputs() if f.sent and f.returned and f.name != ADOPT_ID]
        names = {f.name for f in compared_fields}
        wanted = {k: v for k, v in self.user_inputs(inputs).items() if k in names and v is not None}
        live = self.align_live(self.live_values(wire), wanted)  # as ``read`` aligns them
        compared: dict[str, Any] = {}
        for f in compared_fields:
            value = live.get(f.name)
            # set by the user, or set on the server although the user left it unset and the server has
            # no default for it (someone else's)
            unset_default = f.name not in wanted and f.has(ServerDefault)
            if value is not None and (f.name in wanted or (value not in ("", [], {}) and not unset_default)):
                compared[f.name] = value
        return not self.spec.plan(compared, wanted).changed

    def find_same(self, items: list[JsonObject], inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        """The one listed object whose content equals the desired one; None when none or several match
        (two matches could be two resources' objects: adopting one would make them share an id)."""
        matches = [i for i in items if isinstance(i, dict) and self.same_content(i, inputs)]
        return (self.id_of(matches[0]), matches[0]) if len(matches) == 1 else None

    def _adopt(self, client: ApiClient, id_: str, props: dict[str, Any]) -> tuple[str, JsonObject]:
        wire = self.api_read(client, id_, self.user_inputs(props))
        if wire is None:
            raise self.not_there_to_adopt(props, id_)
        return self._take_over(client, id_, wire, props)

    def _take_over(
        self, client: ApiClient, id_: str, wire: JsonObject, props: dict[str, Any], *, made_earlier: bool = False
    ) -> tuple[str, JsonObject]:
        """Make the existing object ``id_`` (as ``wire`` shows it) what ``props`` declare: the update adopting
        it applies, if any."""
        live = self.live_values(wire)
        plan = self.adoption_plan(id_, live, props, made_earlier=made_earlier)
        if plan.changed:
            log.info(f"{self.describe(props, id_)}: adopting; updating {', '.join(plan.changed)}")
            wire = self.api_update(client, id_, plan, {**live, PROVIDER_KEY: None}, props)
        return id_, wire

    def adoption_plan(
        self, id_: str, live: dict[str, Any], props: dict[str, Any], *, made_earlier: bool = False
    ) -> Plan:
        """The update that adopting the object ``id_`` (whose values are ``live``) applies; ``made_earlier``:
        the object is one an earlier run made for this resource and did not record."""
        desired = self.user_inputs(props)
        aligned = self.align_live(dict(live), desired)
        refused = self.transition_rules(aligned, desired)
        if refused:
            what = f"{id_!r}, made for this resource by an earlier run," if made_earlier else f"adopting {id_!r}"
            reasons = "; ".join(f"{p}: {r}" for p, r in refused)
            raise PulumiDeployError(f"{self.describe(props)}: {what} cannot take what the program declares: {reasons}")
        plan = self.spec.plan(aligned, desired)
        plan.changed = [n for n in plan.changed if n != ADOPT_ID and self._adopting_changes(n, desired)]
        plan.replaces = [(n, r) for n, r in plan.replaces if n in plan.changed]
        for _, names in plan.noted.values():
            names[:] = [n for n in names if n in plan.changed]
        plan.noted = {k: v for k, v in plan.noted.items() if v[1]}
        if plan.changed and not plan.replaces and (refusals := self.update_refusals(id_, live, plan)):
            raise PulumiDeployError(f"{self.describe(props)}: adopting {id_!r} cannot update it: {'; '.join(refusals)}")
        # An update cannot change what only a replacement can: say so rather than adopt a different object.
        fixed = [n for n, _ in plan.replaces if n in live]
        if fixed:
            differences = ", ".join(
                f"{n} is {live[n]!r}, not {desired[n]!r}" if n in desired else f"{n} is {live[n]!r}, not unset"
                for n in fixed
            )
            if made_earlier:
                raise PulumiDeployError(
                    f"{self.describe(props)}: {id_!r}, made for this resource by an earlier run that did not record "
                    f"it, has {differences}, and changing it would replace the object: delete it (no stack "
                    "records it), or set the input back to the object's value"
                )
            raise PulumiDeployError(
                f"{self.describe(props)}: cannot adopt {id_!r}: {differences}, and changing it would replace the "
                "object; set the input to the object's value to adopt it"
            )
        return plan

    def _adopting_changes(self, name: str, desired: dict[str, Any]) -> bool:
        """Whether the update that adopts an object changes its field ``name`` (which differs from the
        program): a field the program sets takes its value; of one the program leaves unset, the update sends
        the clearing value, or clears it by leaving it out of a body that is the whole object. A field the
        server fills when unset keeps the server's value, an identity field is never sent in an update, and
        an update that sends only changes leaves the rest as they are."""
        if name in desired:
            return True
        f = self.spec.fields[name]
        if f.cleared_by() is not MISSING:
            return True
        if f.has(ServerDefault) or f.has(Replace):
            return False
        if f.has(ReplaceWhenCleared):
            return True  # the API cannot clear it: adopting is refused
        return f.sent_on_update and self._sends_whole_object()

    def adoption_notes(self, id_: str, live: dict[str, Any], props: dict[str, Any]) -> list[str]:
        """What adopting ``id_`` will change, property by property (secret values never shown), then what
        that update does (downtime, rolling release...)."""
        plan = self.adoption_plan(id_, live, props)  # what only a replacement could change is refused there
        desired = self.user_inputs(props)
        lines: list[str] = []
        changes = False
        live = self.align_live(dict(live), desired)
        for name in plan.changed:
            f = self.spec.fields[name]
            if not f.sent and name not in live:
                continue  # a provider setting (a timeout, what delete does): nothing on the object changes
            changes = True
            policy = f.get(Secret)
            if f.secret and isinstance(policy, Secret) and policy.keys and f.returned:
                continue  # the update's notes name the entries that change
            if f.secret:
                lines.append(f"adopting {id_}: {name} changes (secret)")
            elif not f.returned:
                lines.append(f"adopting {id_}: {name} (write-only, not readable) => {shown(desired.get(name))}")
            elif name not in desired and f.cleared_by() is MISSING:
                lines.append(f"adopting {id_}: {name} {shown(live.get(name))} is cleared (the update sends the whole "
                             "object, without it)")  # fmt: skip
            else:
                new = desired[name] if name in desired else f.cleared_by()
                lines.append(f"adopting {id_}: {name} {changed_value(live.get(name), new)}")
        # What the update does, as an update of the live object would say it (a vendor's notes too); of a
        # value the API never returns nothing is known to compare with.
        unread = {n: desired[n] for n in plan.changed if n in desired and not self.spec.fields[n].returned}
        return (
            ([] if changes else [f"adopting {id_}: no change to the object"])
            + lines
            + self.plan_notes(plan, {**live, **unread}, desired)
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with connection_settings(self.where_it_lives(props)):
            return self._read(id_, props)

    def _read_live(self, client: ApiClient, id_: str, props: dict[str, Any]) -> JsonObject | None:
        """The object as the API has it now; None only when it is gone indeed (a 404 is believed only
        from the API that keeps it, and under the credential that last reached it)."""
        wire = self.api_read(client, id_, props)
        if wire is None:
            self.confirm_gone(client, id_, props)
        return wire

    def _read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.explained(props, id_):
            wire = self._read_live(self.client(), id_, props)
        if wire is None:
            log.info(f"{self.describe(props, id_)} no longer exists; removing it from the stack")
            return ReadResult(None, {})
        live = self.align_live(self.live_values(wire), self.old_inputs(props))
        # The inputs name where the object was read, as check names where the settings put it: the next
        # check's inputs differ from these in their bookkeeping only where the object is to move.
        book = dataclasses.replace(bookkeeping.read(props).for_inputs(), location=self._location_record())
        inputs = bookkeeping.write({}, book)
        if CONNECTION_KEY in props:  # the connection stays an input: refresh must not drop it
            inputs[CONNECTION_KEY] = props[CONNECTION_KEY]
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
        # Refresh clears the engine's record of an unfinished change; the mark keeps the next up finishing it.
        outs = bookkeeping.amend(self.outputs(inputs, wire), unfinished=bookkeeping.read(props).unfinished)
        return ReadResult(id_, self._marked_secret(outs), self._marked_secret(inputs))

    def _marked_secret(self, props: dict[str, Any]) -> dict[str, Any]:
        """``props`` with their secret parts marked for the engine. It keeps the mark of a value that was
        secret before, by property path only: a secret field set out of band, or a map entry added to
        one, would otherwise be stored by a refresh in plain text."""
        marked = dict(props)
        for name, value in props.items():
            f = self.spec.fields.get(name)
            if value is not None and (name == CONNECTION_KEY or (f is not None and f.secret)):
                marked[name] = rpc.wrap_rpc_secret(value) if f is None else f.protect(value, rpc.wrap_rpc_secret)
        return marked

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        plan = self.change_plan(self.old_inputs(olds, news), self.user_inputs(news), id_)
        unfinished = bool(bookkeeping.read(olds).unfinished)
        if not plan.changed and not unfinished:
            # Only the bookkeeping changed (state in an older format): rewrite the outputs, call nothing.
            kept = {k: v for k, v in olds.items() if k != PROVIDER_KEY and not k.startswith(INTERNAL_PREFIX)}
            outs = {**kept, **self.user_inputs(news)}
            if CONNECTION_KEY in news:
                outs[CONNECTION_KEY] = news[CONNECTION_KEY]
            # Nothing was sent: the credential that last reached the object stays the recorded one.
            book = dataclasses.replace(self._output_book(news), credential=bookkeeping.read(olds).credential)
            if bookkeeping.read(olds).location is None:
                # Older state does not say where its object lives, and nothing here looks: record nothing
                # rather than whatever the settings name now (a refresh or an update records it).
                book = dataclasses.replace(book, location=None)
            return UpdateResult(bookkeeping.write(outs, book))
        client = self.client()
        with self.explained(news, id_):
            # Nothing to change: the object whose earlier change stopped before its end, as it is now.
            found = (
                self._read_live(client, id_, olds)
                if not plan.changed
                else self.api_update(client, id_, plan, olds, news)
            )
            if found is None:
                raise PulumiDeployError(
                    f"{self.describe(news, id_)}: the object is gone (deleted before its last change was "
                    "finished): `pulumi refresh` drops it from the stack, then `pulumi up` creates it again"
                )
        wire: JsonObject = found
        if unfinished:
            # The engine updates a resource whose create or update failed after its write, changed or not;
            # this update's own sequence may not include what that change left undone (a release to follow,
            # after a change that rolls no worker): run the rest, or keep the mark.
            wire = self.finishing(id_, found, news, lambda: self.api_finish(client, id_, found, self.user_inputs(news)))
        return UpdateResult(self.outputs(news, wire))

    def _where_recorded(self, props: dict[str, Any]) -> object:
        """The server the object recorded as ``props`` lives on (its connection, else its location record)."""
        with connection_settings(self.where_it_lives(props)):
            try:
                return as_record(self.location())
            except ConfigError:
                return None

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        urn = self._urn(bookkeeping.read(props).logical_name)
        if adoption_claims.created_for(self.spec.label, id_, self._where_recorded(props)) == urn:
            # A replacement whose create found this very object (by the resource's name, as it would find
            # one an interrupted run made, or by `adopt_id`) and took it over: the stack now records it
            # for the replacement, and deleting "the old one" would delete what it records.
            log.warn(
                f"{self.describe(props, id_)}: not deleted: the replacement created in this update took this "
                "same object over, so it stays, recorded by the replacement (updated to the program). To get a "
                "new object instead, give the resource an explicit name, or delete this one first"
            )
            return
        adopter = adoption_claims.holder(self.spec.label, id_)
        if adopter is not None and adopter != urn:
            log.warn(
                f"{self.describe(props, id_)}: not deleted: {adopter.rsplit('::', 1)[-1]!r} adopts it in this "
                "update, so it stays, managed by that resource (this one only leaves the stack)"
            )
            return
        with connection_settings(self.where_it_lives(props)), self.explained(props, id_):
            client = self.client()
            try:
                self.api_delete(client, id_, props)
            except NotFound:
                self.confirm_gone(client, id_, props)
                log.info(f"{self.describe(props, id_)} was already deleted")

    def confirm_gone(self, client: ApiClient, id_: str, props: dict[str, Any]) -> None:
        """Believe a 404 for the object only when one of the lists it lives in answers, and under the
        credential that last reached it (:meth:`_not_another_accounts`).

        Behind a wrong base URL (another service, a proxy's port instead of the admin API's) every object
        answers 404: refresh would drop them all from the stack, so that the next ``up`` creates
        duplicates, and destroy would forget objects that are still running."""
        self._not_another_accounts(props, id_)
        paths = self.lists_of(id_, props)
        refused: tuple[str, ApiError] | None = None
        for path in paths:
            try:
                client.request("GET", path)
                return
            except NotFound:
                continue
            except (Unauthorized, Forbidden) as exc:  # another list may still answer
                refused = refused or (path, exc)
        if refused is not None:
            where, answer = refused
            raise PulumiDeployError(
                f"{self.describe(props, id_)}: {client.base_url} answered 404 for the object, and the list "
                f"that tells whether it is gone, {client.base_url}{where}, answered {answer.status} "
                f"({answer.message}): the credential may read objects but not list them. Nothing was removed "
                "from the stack; give the credential list access, or run `pulumi state delete <urn>` if the "
                "object is gone indeed."
            ) from answer
        if paths:
            setting = (client.settings or self.settings).base_url
            where_from = (
                f"it came from {source(setting)}"
                if recorded(setting)
                else f"{setting.config_key} / ${setting.env}, or the resource's connection"
            )
            raise PulumiDeployError(
                f"{self.describe(props, id_)}: {client.base_url} answered 404 for the object and for "
                f"{' and '.join(paths)} too: that is not the {self.spec.vendor} API holding this object. Check "
                f"the base URL ({where_from}); nothing was removed from the stack."
            )


SpecProvider.check = _announcing(SpecProvider.check)  # type: ignore[method-assign]


def _withholding(method: F) -> F:
    """``method`` run withholding the call's secret values from its progress lines and its failure: the
    secret fields of every properties argument, its connection's values, and the vendor's secret settings
    in effect (read inside the connection wrapper, so a connection's credential counts). A connection's
    base URL and workspace are not secrets: messages keep naming them."""
    if getattr(method, "__pulumi_deploy_withholding__", False):
        return method

    @functools.wraps(method)
    def wrapper(self: SpecProvider, *args: Any, **kwargs: Any) -> Any:
        values = secret_setting_values(self.spec.vendor)
        for props in (a for a in (*args, *kwargs.values()) if isinstance(a, Mapping)):
            values |= self.spec.secret_strings(props) | connection_secrets(props)
        with withholding(values):
            return method(self, *args, **kwargs)

    wrapper.__pulumi_deploy_withholding__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _apply_withholding(cls: type) -> None:
    wrap_engine_calls(cls, lambda method, _props_index: _withholding(method))


_apply_withholding(SpecProvider)
apply_connections(SpecProvider)
