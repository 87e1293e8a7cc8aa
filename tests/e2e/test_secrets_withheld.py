"""A vendor that echoes a secret in its error answer does not get it printed: through the real CLI,
what `pulumi up` shows (stdout, stderr, the engine's diagnostics) has ``[secret]`` in its place.

The emulator's status fault answers in the vendor's error format with the message a test gives, so
each test makes the vendor echo exactly the values a careless API would.
"""

from __future__ import annotations

import pulumi
import pytest

from pulumi_deploy import cyberun, runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

STACK_KEY = "rp-test-key"  # the stack's RunPod credential (tests/conftest.py TEST_ENV)
HF_TOKEN = "hf_live_0123456789abcdef"
CONNECTION_KEY = "rp-account-b-key-0123456789"


def shown(failed: StackFailed) -> str:
    return "\n".join([failed.text, failed.stdout, failed.stderr])


def template(connection: runpod.Connection | None = None) -> None:
    t = runpod.Template(
        "t",
        runpod.TemplateArgs(
            image_name="ghcr.io/a/worker:1",
            is_serverless=True,
            env={"HF_TOKEN": HF_TOKEN, "MODEL": "llama-3.1-8b"},
        ),
        connection=connection,
    )
    pulumi.export("id", t.id)


def test_a_create_refused_with_the_env_secret_and_the_key_echoed_shows_neither(emulator, make_stack):
    # given: the API answers the create with a 400 that quotes the secret env value and the API key
    emulator.add_fault(
        "runpod",
        kind="status",
        status=400,
        method="POST",
        path="templates$",
        message=f"env.HF_TOKEN: value {HF_TOKEN!r} looks like a token; request authorised by {STACK_KEY}",
    )
    stack = make_stack(template)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: the vendor's message is still there, with the secrets withheld
    text = shown(failed.value)
    assert "env.HF_TOKEN: value '[secret]' looks like a token; request authorised by [secret]" in text
    assert HF_TOKEN not in text and STACK_KEY not in text


def test_a_credential_from_a_connection_echoed_in_an_error_is_withheld(emulator, make_stack):
    # given
    emulator.add_fault(
        "runpod", kind="status", status=403, method="POST", path="templates$", message=f"key {CONNECTION_KEY} denied"
    )
    stack = make_stack(lambda: template(runpod.Connection(api_key=CONNECTION_KEY)))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    text = shown(failed.value)
    assert "key [secret] denied" in text
    assert CONNECTION_KEY not in text


def test_an_update_refused_with_the_old_secret_echoed_withholds_it_and_names_the_entry(emulator, make_stack):
    # given: a container service whose env value changes; the PUT is refused quoting the old value
    old, new = "old-secret-value-1", "new-secret-value-2"

    def program(value: str):
        def run() -> None:
            cyberun.ContainerService(
                "svc",
                cyberun.ContainerServiceArgs(
                    service_slug="echo-svc",
                    docker_image="ghcr.io/a/svc:1",
                    env_config=[cyberun.EnvVarArgs(env_name="API_TOKEN", env_value=value)],
                    deployed=False,
                ),
            )

        return run

    stack = make_stack(program(old))
    stack.up()
    emulator.add_fault(
        "cyberun",
        kind="status",
        status=400,
        method="PUT",
        message=f"API_TOKEN: cannot change {old!r} to {new!r}",
    )
    stack.set_program(program(new))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: both values withheld; the entry's name (not a secret) is kept
    text = shown(failed.value)
    assert "API_TOKEN: cannot change '[secret]' to '[secret]'" in text
    assert old not in text and new not in text
