"""A connection naming another server replaces the object only when the object is not there."""

from __future__ import annotations

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy.core.connection import CONNECTION_KEY
from pulumi_deploy.core.http import use_transport
from pulumi_deploy.core.location import MAY_MOVE_NOTE, MOVE_NOTE
from pulumi_deploy.runpod.template import TemplateProvider

OLD_URL, NEW_URL = "http://127.0.0.1:1/v2", "http://127.0.0.1:2/v2"
INPUTS = {"name": "t", "image_name": "ghcr.io/a/w:1", "is_serverless": True}


def connection(url: str) -> dict[str, str]:
    return {"runpod:apiKey": "rp-key-1234", "runpod:baseUrl": url}


def diff_with(news_connection: object, answer: int | None, capsys: pytest.CaptureFixture[str]):
    """The diff of the template to ``news_connection``; ``answer``: the new server's status for the object
    (None: no request may be sent). Returns (replaces, the notes written, the requests sent)."""
    seen: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        if answer is None:
            raise AssertionError(f"no request expected, got {request.method} {request.url}")
        return httpx.Response(answer, json={"id": "t1", **INPUTS} if answer == 200 else {"error": "not found"})

    olds = {**INPUTS, CONNECTION_KEY: connection(OLD_URL)}
    with use_transport(lambda _base_url: httpx.MockTransport(serve)):
        provider = TemplateProvider()
        news = provider.check(olds, {**INPUTS, CONNECTION_KEY: news_connection}).inputs  # as the engine does
        result = provider.diff("t1", olds, news)
    return result.replaces, capsys.readouterr().err, seen


def test_an_object_not_on_the_new_server_is_replaced_and_said(capsys):
    replaces, notes, seen = diff_with(connection(NEW_URL), 404, capsys)
    assert replaces == [CONNECTION_KEY]
    assert MOVE_NOTE in notes
    assert seen == [f"GET {NEW_URL}/templates/t1"]  # looked up on the new server only


def test_an_object_found_at_the_new_url_stays(capsys):
    replaces, notes, _ = diff_with(connection(NEW_URL), 200, capsys)
    assert replaces == [] and MOVE_NOTE not in notes


def test_the_same_base_url_sends_nothing(capsys):
    replaces, notes, seen = diff_with({**connection(OLD_URL), "runpod:apiKey": "rp-rotated-5678"}, None, capsys)
    assert (replaces, seen) == ([], [])
    assert MOVE_NOTE not in notes and MAY_MOVE_NOTE not in notes


def test_a_connection_known_only_at_up_says_that_up_may_replace(capsys):
    replaces, notes, seen = diff_with(Unknown(), None, capsys)
    assert replaces == [] and seen == []
    assert MAY_MOVE_NOTE in notes
