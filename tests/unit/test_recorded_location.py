"""An object stays on the server it was made on when the stack's settings name another one: read and
delete go where it lives, diff moves it (or records a new address of the same server)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from pulumi_deploy.core import bookkeeping
from pulumi_deploy.core.connection import CONNECTION_KEY
from pulumi_deploy.core.errors import PulumiDeployError
from pulumi_deploy.core.http import use_transport
from pulumi_deploy.runpod.template import TemplateProvider
from pulumi_deploy.trustgate.gateway import GatewayProvider

OLD_URL, NEW_URL = "http://127.0.0.1:1/v2", "http://127.0.0.2:1/v2"
INPUTS = {"name": "t", "image_name": "ghcr.io/a/w:1", "is_serverless": True}
LIVE = {"id": "t1", **INPUTS}


class Server:
    """Answers each request by its URL's host: the object exists on the hosts given."""

    def __init__(self, *has_object: str) -> None:
        self.has_object = set(has_object)
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url}")
        if request.url.host not in self.has_object:
            return httpx.Response(404, json={"error": "not found"})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=LIVE if request.url.path.endswith("/t1") else {"templates": [LIVE]})


def made_at(monkeypatch: pytest.MonkeyPatch, url: str, server: Server) -> dict:
    """The outputs of the template created with ``runpod:baseUrl`` = ``url``."""
    monkeypatch.setenv("RUNPOD_BASE_URL", url)
    provider = TemplateProvider()
    news = checked(dict(INPUTS))
    with use_transport(lambda _: httpx.MockTransport(server)):
        server.has_object.add(httpx.URL(url).host)
        outs = provider.outputs(news, LIVE)
    return outs


def checked(inputs: dict) -> dict:
    """``inputs`` as the engine hands them to diff: checked, under the settings in effect."""
    return TemplateProvider().check({}, bookkeeping.write(inputs, bookkeeping.Bookkeeping("tpl"))).inputs


def test_outputs_record_the_address_the_object_was_reached_at(monkeypatch):
    outs = made_at(monkeypatch, OLD_URL, Server())
    assert bookkeeping.read(outs).location == (("runpod:apiVersion", "v2"), ("runpod:baseUrl", OLD_URL))
    # a check's result carries where the settings name (here the same server), not where an object is
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    checked = TemplateProvider().check({}, outs).inputs
    assert bookkeeping.read(checked).location == (("runpod:apiVersion", "v2"), ("runpod:baseUrl", NEW_URL))


def test_after_the_base_url_changes_refresh_and_destroy_go_where_the_object_lives(monkeypatch):
    # given: made on the old server; the stack now names a new one that has no such object
    server = Server()
    outs = made_at(monkeypatch, OLD_URL, server)
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    provider = TemplateProvider()
    # when
    with use_transport(lambda _: httpx.MockTransport(server)):
        read = provider.read("t1", outs)
        provider.delete("t1", outs)
    # then: both went to the old server; the read keeps the old address on record
    assert server.seen == [f"GET {OLD_URL}/templates/t1", f"DELETE {OLD_URL}/templates/t1"]
    assert read.id == "t1" and read.outs is not None
    assert dict(bookkeeping.read(read.outs).location or ())["runpod:baseUrl"] == OLD_URL


def test_a_base_url_change_moves_an_object_the_new_server_lacks(monkeypatch, capsys):
    server = Server()
    outs = made_at(monkeypatch, OLD_URL, server)
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    capsys.readouterr()
    with use_transport(lambda _: httpx.MockTransport(server)):
        result = TemplateProvider().diff("t1", outs, checked(dict(INPUTS)))
    notes = capsys.readouterr().err
    assert result.replaces == [bookkeeping.ENVELOPE]
    assert f"the stack's settings now name another server ({NEW_URL})" in notes
    assert f"deleted from the one it lives on ({OLD_URL})" in notes
    assert server.seen == [f"GET {NEW_URL}/templates/t1"]  # looked up on the new server only


def test_a_new_url_of_the_same_server_is_recorded_by_an_update_that_calls_nothing(monkeypatch, capsys):
    server = Server(httpx.URL(NEW_URL).host)  # both hosts answer for the object: one server
    outs = made_at(monkeypatch, OLD_URL, server)
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    news = checked(dict(INPUTS))
    provider = TemplateProvider()
    capsys.readouterr()
    with use_transport(lambda _: httpx.MockTransport(server)):
        result = provider.diff("t1", outs, news)
        updated = provider.update("t1", outs, news).outs
    assert (result.changes, result.replaces) == (True, [])
    assert f"{NEW_URL} answers for this object too (it was recorded at {OLD_URL})" in capsys.readouterr().err
    assert server.seen == [f"GET {NEW_URL}/templates/t1"]  # the update sent nothing
    assert updated is not None and dict(bookkeeping.read(updated).location or ())["runpod:baseUrl"] == NEW_URL


def test_another_api_version_of_the_same_server_is_no_move(monkeypatch):
    server = Server()
    outs = made_at(monkeypatch, "http://127.0.0.1:1/v1", server)
    v1 = (("runpod:apiVersion", "v1"), ("runpod:baseUrl", "http://127.0.0.1:1/v1"))
    outs = bookkeeping.write(outs, dataclasses.replace(bookkeeping.read(outs), location=v1))
    monkeypatch.setenv("RUNPOD_BASE_URL", "http://127.0.0.1:1/v2")
    provider = TemplateProvider()
    news = checked(dict(INPUTS))
    with use_transport(lambda _: httpx.MockTransport(server)):
        assert provider.diff("t1", outs, news).changes is False
        provider.read("t1", outs)
    assert server.seen == ["GET http://127.0.0.1:1/v2/templates/t1"]  # read on the version now configured


def test_state_without_a_recorded_address_goes_where_the_settings_point(monkeypatch):
    server = Server(httpx.URL(NEW_URL).host)
    outs = made_at(monkeypatch, OLD_URL, server)
    legacy = bookkeeping.write(outs, dataclasses.replace(bookkeeping.read(outs), location=None))
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    provider = TemplateProvider()
    news = checked(dict(INPUTS))
    with use_transport(lambda _: httpx.MockTransport(server)):
        assert provider.diff("t1", legacy, news).changes is False
        provider.read("t1", legacy)
    assert server.seen == [f"GET {NEW_URL}/templates/t1"]


def test_a_base_url_now_unset_reads_where_the_object_was_recorded(monkeypatch):
    # given: a TrustGate gateway (no default base URL) recorded on a server the settings no longer name
    outs = bookkeeping.write(
        {"name": "g", "id": "g1"},
        bookkeeping.Bookkeeping("g", input_names=("name",), location=(("trustgate:baseUrl", OLD_URL),)),
    )
    monkeypatch.delenv("TRUSTGATE_BASE_URL")
    seen: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        return httpx.Response(200, json={"id": "g1", "name": "g"})

    with use_transport(lambda _: httpx.MockTransport(serve)):
        GatewayProvider().read("g1", outs)
    assert seen and all(s.startswith(f"GET {OLD_URL}/") for s in seen), seen


def test_an_error_where_the_object_lives_says_the_address_came_from_the_stacks_record(monkeypatch):
    # given: made on the old server, which now refuses the credential; the settings name a new one
    outs = made_at(monkeypatch, OLD_URL, Server())
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "invalid api key"})

    # when
    with use_transport(lambda _: httpx.MockTransport(refuse)), pytest.raises(PulumiDeployError) as failed:
        TemplateProvider().read("t1", outs)
    # then: the message names the old server and why it was asked, not the setting that names the new one
    text = str(failed.value)
    assert OLD_URL in text and "the stack's record of where this object lives" in text, text
    assert NEW_URL not in text


def test_an_unreachable_server_where_the_object_lives_is_named_with_the_way_out(monkeypatch):
    outs = made_at(monkeypatch, OLD_URL, Server())
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    monkeypatch.setenv("PULUMI_DEPLOY_MAX_ATTEMPTS", "1")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with use_transport(lambda _: httpx.MockTransport(down)), pytest.raises(PulumiDeployError) as failed:
        TemplateProvider().delete("t1", outs)
    text = str(failed.value)
    assert f"still running at {OLD_URL}" in text and "pulumi state delete" in text, text


def test_a_base_url_carrying_credentials_is_not_recorded(monkeypatch):
    outs = made_at(monkeypatch, "http://user:tok3n-value@127.0.0.1:1/v2", Server())
    assert bookkeeping.read(outs).location is None
    assert "tok3n-value" not in str(outs)


def test_settings_naming_a_base_url_with_credentials_are_followed_and_the_old_record_goes(monkeypatch):
    # given: made on the old server; the settings now name one whose URL carries credentials
    server = Server("127.0.0.2")
    outs = made_at(monkeypatch, OLD_URL, server)
    monkeypatch.setenv("RUNPOD_BASE_URL", "http://user:tok3n-value@127.0.0.2:1/v2")
    provider = TemplateProvider()
    news = checked(dict(INPUTS))
    # when
    with use_transport(lambda _: httpx.MockTransport(server)):
        result = provider.diff("t1", outs, news)
        read = provider.read("t1", outs)
    # then: such a place is never recorded, so calls go where the settings point, and the read drops
    # the old record rather than keep one that no longer says where calls go
    assert result.changes is False
    assert [s.split("@")[-1] for s in server.seen] == ["127.0.0.2:1/v2/templates/t1"]
    assert read.outs is not None and bookkeeping.read(read.outs).location is None
    assert "tok3n-value" not in str(read.outs)


def test_a_connections_url_credentials_never_reach_a_note(capsys):
    # given: a connection whose URL carries a password, now naming another server
    secret_url = "http://user:s3cr3tpass@127.0.0.2:1/v2"
    olds = {**INPUTS, CONNECTION_KEY: {"runpod:apiKey": "rp-key-1234", "runpod:baseUrl": OLD_URL}}
    olds = bookkeeping.write(olds, bookkeeping.Bookkeeping("tpl", input_names=tuple(INPUTS), location=()))
    provider = TemplateProvider()
    moved = {"runpod:apiKey": "rp-key-1234", "runpod:baseUrl": secret_url}
    news = provider.check(olds, {**INPUTS, CONNECTION_KEY: moved})
    # when
    with use_transport(lambda _: httpx.MockTransport(Server("127.0.0.2"))):
        provider.diff("t1", olds, news.inputs)
    # then
    notes = capsys.readouterr().err
    assert "answers for this object too" in notes and "s3cr3tpass" not in notes, notes


def test_older_state_migrated_without_a_call_records_no_place(monkeypatch):
    # given: state that says nothing of where its object lives (format 1), under settings naming a server
    legacy = {**INPUTS, "_logical_name": "tpl", "_input_names": sorted(INPUTS), "id": "t1"}
    monkeypatch.setenv("RUNPOD_BASE_URL", NEW_URL)
    provider = TemplateProvider()
    news = checked(dict(INPUTS))
    # when: the migration's update, which calls nothing
    assert provider.diff("t1", legacy, news).changes is True
    outs = provider.update("t1", legacy, news).outs
    # then: nothing looked where the object is, so no place is recorded for it
    assert outs is not None and bookkeeping.read(outs).location is None
