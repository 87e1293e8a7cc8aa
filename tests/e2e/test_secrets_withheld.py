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


def failed_up(stack) -> str:
    """What a failing `pulumi up` showed: stdout, stderr and the engine's diagnostics."""
    with pytest.raises(StackFailed) as failed:
        stack.up()
    return "\n".join([failed.value.text, failed.value.stdout, failed.value.stderr])


def echoing(emulator, status: int, message: str, *, vendor: str = "runpod", method: str = "POST") -> None:
    """The next ``method`` call to ``vendor`` (a RunPod template create by default) answers ``status``
    with ``message`` in the vendor's error format."""
    path = "templates$" if vendor == "runpod" else None
    emulator.add_fault(vendor, kind="status", status=status, method=method, path=path, message=message)


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
    echoing(emulator, 400, f"env.HF_TOKEN: value {HF_TOKEN!r} looks like a token; request authorised by {STACK_KEY}")
    stack = make_stack(template)
    # when
    text = failed_up(stack)
    # then: the vendor's message is still there, with the secrets withheld
    assert "env.HF_TOKEN: value '[secret]' looks like a token; request authorised by [secret]" in text
    assert HF_TOKEN not in text and STACK_KEY not in text


def test_a_credential_from_a_connection_echoed_in_an_error_is_withheld(emulator, make_stack):
    # given
    echoing(emulator, 403, f"key {CONNECTION_KEY} denied")
    stack = make_stack(lambda: template(runpod.Connection(api_key=CONNECTION_KEY)))
    # when
    text = failed_up(stack)
    # then
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
    echoing(emulator, 400, f"API_TOKEN: cannot change {old!r} to {new!r}", vendor="cyberun", method="PUT")
    stack.set_program(program(new))
    # when
    text = failed_up(stack)
    # then: both values withheld; the entry's name (not a secret) is kept
    assert "API_TOKEN: cannot change '[secret]' to '[secret]'" in text
    assert old not in text and new not in text


def test_a_progress_line_quoting_a_secret_from_a_failed_attempt_withholds_it(emulator, make_stack):
    # given: the first create answers 503 quoting the env secret; the retry succeeds
    echoing(emulator, 503, f"busy creating a template with HF_TOKEN={HF_TOKEN}")
    stack = make_stack(template)
    # when
    created = stack.up()
    # then: the retry's progress line names the failure, without the secret
    assert "HF_TOKEN=[secret]" in created.text, created.text
    assert HF_TOKEN not in created.text + created.stdout + created.stderr
    assert len(emulator.inventory("runpod")["templates"]) == 1
