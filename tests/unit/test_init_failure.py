"""The status a create that made its object and then failed hands the engine (``ErrorResourceInitFailed``)."""

from __future__ import annotations

import grpc
from google.rpc import status_pb2
from pulumi.runtime.proto import provider_pb2

from pulumi_deploy.core import bookkeeping, error_display, init_failure
from pulumi_deploy.core.errors import PulumiDeployError, Unfinished
from pulumi_deploy.core.withheld import withholding


class _Context:
    def __init__(self) -> None:
        self.trailing: tuple[tuple[str, bytes], ...] = ()

    def set_trailing_metadata(self, trailing_metadata: tuple[tuple[str, bytes], ...]) -> None:
        self.trailing = trailing_metadata


def _unfinished() -> Unfinished:
    outs = {"service_slug": "svc", "gpu_count": 1, "__provider": "serialized-provider"}
    return Unfinished("svc: created, but not finished: deploy ended in `failed`", "c-1", outs)


def test_the_status_carries_the_object_and_the_error_under_the_code_the_handler_aborts_with() -> None:
    status = status_pb2.Status.FromString(init_failure.status_details(_unfinished(), "the message"))
    assert status.code == grpc.StatusCode.UNKNOWN.value[0] == init_failure.ABORT_CODE
    assert status.message == "the message"
    (detail,) = status.details
    failed = provider_pb2.ErrorResourceInitFailed()
    assert detail.Unpack(failed)
    assert failed.id == "c-1" and list(failed.reasons) == ["the message"]
    props = dict(failed.properties.items())
    assert props["service_slug"] == "svc" and props["gpu_count"] == 1
    assert props["__provider"] == "serialized-provider"  # the engine loads the provider from it later


def test_the_servers_error_formatting_attaches_it_to_the_failing_calls_context() -> None:
    context = _Context()

    def handler(context: _Context) -> str:  # as the SDK's handler: format, then abort on ``context``
        try:
            raise _unfinished()
        except Exception:
            return error_display._MessageForOwnErrors().format_exc()

    message = handler(context)
    assert message.startswith(error_display.PREFIX) and "created, but not finished" in message
    ((key, value),) = context.trailing
    assert key == "grpc-status-details-bin"
    assert status_pb2.Status.FromString(value).message == message


def test_other_errors_attach_nothing() -> None:
    context = _Context()

    def handler(context: _Context) -> str:
        try:
            raise ValueError("a bug")
        except Exception:
            return error_display._MessageForOwnErrors().format_exc()

    assert "ValueError: a bug" in handler(context)
    assert context.trailing == ()


def _failing_finish(exc: Exception) -> Unfinished:
    from pulumi_deploy.cyberun.container_service import ContainerServiceProvider

    props = {"__provider": "p", "service_slug": "svc", "docker_image": "img:1"}

    def rest() -> dict:
        raise exc

    with withholding([SECRET]):
        try:
            ContainerServiceProvider().finishing("c-1", {"id": "c-1", "service_slug": "svc"}, props, rest, "created")
        except Unfinished as unfinished:
            return unfinished
    raise AssertionError("finishing did not hand the object over")


SECRET = "hf_live_secret_token_0123"


def test_the_reason_kept_in_plain_text_state_holds_no_secret_of_the_call() -> None:
    unfinished = _failing_finish(PulumiDeployError(f"deploy ended in `failed`: bad token {SECRET}"))
    reason = bookkeeping.read(unfinished.outputs).unfinished
    assert "deploy ended in `failed`" in reason and SECRET not in reason
    assert unfinished.id == "c-1" and unfinished.outputs["__provider"] == "p"


def test_a_bug_after_the_write_still_hands_the_object_over_and_names_the_exception() -> None:
    unfinished = _failing_finish(KeyError("service_status"))
    assert "KeyError: 'service_status'" in bookkeeping.read(unfinished.outputs).unfinished
    assert str(unfinished).startswith("cyberun:ContainerService")


def test_without_a_context_to_attach_to_the_error_is_still_formatted() -> None:
    def handler() -> str:  # no ``context`` local: the object cannot go with the error
        try:
            raise _unfinished()
        except Exception:
            return error_display._MessageForOwnErrors().format_exc()

    assert "created, but not finished" in handler()
