"""Explicit connections through the real CLI: two RunPod accounts in one program, and a connection
whose values (or which itself) are ``Output``s.

The emulator has one RunPod account and accepts any token; its call log records each request's
bearer token by length only (never the token). The two accounts' tokens therefore have different
lengths, and each object must have been created — and later updated and deleted — with its own.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_deploy import runpod
from pulumi_deploy.emulator.process import run_emulator
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

STACK_KEY = "rp-test-key"  # the stack's default credential (tests/conftest.py TEST_ENV)
ACCOUNT_B_KEY = "rp-account-b-key-0123456789"


def bearer_length(call: dict[str, Any]) -> str:
    return str(call["headers"].get("authorization", ""))


def calls_with(emulator, method: str, image: str) -> list[dict[str, Any]]:
    return [
        c
        for c in emulator.calls("runpod")
        if c["method"] == method and image in ((c["body"] or {}).get("image"), (c["body"] or {}).get("imageName"))
    ]


def two_accounts(image_b: str = "ghcr.io/b/worker:1"):
    def run() -> None:
        a = runpod.Template("a", runpod.TemplateArgs(image_name="ghcr.io/a/worker:1", is_serverless=True))
        b = runpod.Template(
            "b",
            runpod.TemplateArgs(image_name=image_b, is_serverless=True),
            connection=runpod.Connection(api_key=ACCOUNT_B_KEY),
        )
        pulumi.export("a", a.id)
        pulumi.export("b", b.id)

    return run


def test_two_accounts_in_one_program_each_object_uses_its_own_credential(make_stack, emulator):
    # given
    stack = make_stack(two_accounts())
    # when: create, change account B's object, destroy
    stack.up()
    stack.set_program(two_accounts("ghcr.io/b/worker:2"))
    stack.up()
    state = stack.export_text()
    stack.destroy()
    # then
    a_create = calls_with(emulator, "POST", "ghcr.io/a/worker:1")
    b_create = calls_with(emulator, "POST", "ghcr.io/b/worker:1")
    b_update = calls_with(emulator, "PATCH", "ghcr.io/b/worker:2")
    deletes = [c for c in emulator.calls("runpod") if c["method"] == "DELETE"]
    assert [bearer_length(c) for c in a_create] == [f"Bearer <{len(STACK_KEY)} chars>"]
    assert [bearer_length(c) for c in b_create + b_update] == [f"Bearer <{len(ACCOUNT_B_KEY)} chars>"] * 2
    assert sorted(bearer_length(c) for c in deletes) == sorted(
        [f"Bearer <{len(STACK_KEY)} chars>", f"Bearer <{len(ACCOUNT_B_KEY)} chars>"]
    )
    assert ACCOUNT_B_KEY not in state  # the connection is kept as a secret
    assert emulator.inventory("runpod")["templates"] == []


def test_a_connection_given_as_an_output_is_judged_when_known_and_used(make_stack, emulator, emulator_process):
    # given: no stack credential at all; the connection's base URL is known only after another
    # resource exists, and the second connection is itself an Output
    base_url = emulator_process.base_urls["RUNPOD_BASE_URL"]

    def run() -> None:
        first = runpod.Template(
            "first",
            runpod.TemplateArgs(image_name="ghcr.io/a/first:1", is_serverless=True),
            connection=runpod.Connection(api_key=pulumi.Output.secret(ACCOUNT_B_KEY)),
        )
        later = first.id.apply(lambda _: runpod.Connection(api_key=ACCOUNT_B_KEY, base_url=base_url))
        second = runpod.Template(
            "second", runpod.TemplateArgs(image_name="ghcr.io/a/second:1", is_serverless=True), connection=later
        )
        pulumi.export("second", second.id)

    stack = make_stack(run, env={"RUNPOD_API_KEY": ""})
    # when
    preview = stack.preview()
    up = stack.up()
    # then: preview passed although the second connection was unknown; up used it
    assert preview.summary.get("create") == 3  # the stack and both templates
    posts = [c for c in emulator.calls("runpod") if c["method"] == "POST"]
    assert [bearer_length(c) for c in posts] == [f"Bearer <{len(ACCOUNT_B_KEY)} chars>"] * 2
    assert up.outputs["second"] in {t["id"] for t in emulator.inventory("runpod")["templates"]}
    assert ACCOUNT_B_KEY not in stack.export_text()
    stack.destroy()


def test_without_a_connection_or_stack_credential_preview_names_the_setting(make_stack, emulator):
    # given: one resource with a connection, one relying on the (missing) stack credential
    def run() -> None:
        runpod.Template(
            "with",
            runpod.TemplateArgs(image_name="ghcr.io/a/w:1", is_serverless=True),
            connection=runpod.Connection(api_key=ACCOUNT_B_KEY),
        )
        runpod.Template("without", runpod.TemplateArgs(image_name="ghcr.io/a/wo:1", is_serverless=True))

    stack = make_stack(run, env={"RUNPOD_API_KEY": ""})
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then: only the resource without credential fails
    problems = [line for line in failed.value.text.splitlines() if "has a problem" in line]
    assert problems and all("'without'" in line and "runpod:apiKey" in line for line in problems)


def template_at(state: dict[str, str]):
    """One template whose connection names ``state["url"]`` with key ``state["key"]`` (read at each run)."""

    def run() -> None:
        t = runpod.Template(
            "t",
            runpod.TemplateArgs(image_name="ghcr.io/a/worker:1", is_serverless=True),
            connection=runpod.Connection(api_key=state["key"], base_url=state["url"]),
        )
        pulumi.export("id", t.id)

    return run


def test_a_connection_naming_another_server_previews_a_replacement_and_moves_the_object(
    make_stack, emulator, emulator_process
):
    # given: a template on this emulator, and a second emulator (another RunPod server)
    state = {"url": emulator_process.base_urls["RUNPOD_BASE_URL"], "key": ACCOUNT_B_KEY}
    stack = make_stack(template_at(state))
    old_id = stack.up().outputs["id"]
    with run_emulator() as other:
        # when: the connection names the other server
        state["url"] = other.base_urls["RUNPOD_BASE_URL"]
        preview = stack.preview()
        emulator.clear_calls()
        moved = stack.up()
        # then: the preview said replace, and why; up created it there, then deleted it here
        assert preview.step("t").op == "replace", preview.step("t")
        assert "connection names another base URL: the object is created there, then deleted from" in preview.text
        assert [n for n in preview.step("t").notes if "another base URL" in n], preview.step("t")
        assert [t["id"] for t in other.control.inventory("runpod")["templates"]] == [moved.outputs["id"]]
        assert emulator.inventory("runpod")["templates"] == []
        assert [(c["method"], c["path"]) for c in emulator.calls("runpod") if c["method"] != "GET"] == [
            ("DELETE", f"/v2/templates/{old_id}")
        ]
        stack.destroy()
        assert other.control.inventory("runpod")["templates"] == []


def test_another_url_of_the_same_server_or_a_rotated_key_is_recorded_without_an_api_call(
    make_stack, emulator, emulator_process
):
    # given
    first_url = emulator_process.base_urls["RUNPOD_BASE_URL"]
    state = {"url": first_url, "key": ACCOUNT_B_KEY}
    stack = make_stack(template_at(state))
    created = stack.up()
    rotated = ACCOUNT_B_KEY + "-rotated"
    # when: the same server by its host name, then a rotated key; then a refresh
    state["url"] = first_url.replace("127.0.0.1", "localhost")
    emulator.clear_calls()
    by_name = stack.up()
    state["key"] = rotated
    rekeyed = stack.up()
    writes = [c for c in emulator.calls("runpod") if c["method"] != "GET"]
    emulator.clear_calls()
    stack.refresh()
    # then: the object was found there: nothing replaced or sent; the new connection is what refresh uses
    assert (by_name.summary.get("update"), rekeyed.summary.get("update")) == (1, 1), (by_name.summary, rekeyed.summary)
    assert writes == []
    assert [t["id"] for t in emulator.inventory("runpod")["templates"]] == [created.outputs["id"]]
    assert {bearer_length(c) for c in emulator.calls("runpod")} == {f"Bearer <{len(rotated)} chars>"}
    assert set(stack.preview().summary) == {"same"}
    stack.destroy()
    assert emulator.inventory("runpod")["templates"] == []
