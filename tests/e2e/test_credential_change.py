"""The stack's credential changes to another account's: the objects it cannot see are not forgotten.

A RunPod API key sees its own account's objects only: under another account's key, the volume this
stack made answers 404 while the account's lists answer (the emulator has one account, so a status
fault on the volume's path stands for the other account). Dropping the volume from the stack on that
404 would orphan it, with its data, in the first account, and the next `up` would make a second one.
"""

from __future__ import annotations

import pytest

from pulumi_deploy import runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

OTHER_ACCOUNT_KEY = "rp-other-account-key-42"


def program() -> None:
    runpod.NetworkVolume("data", runpod.NetworkVolumeArgs(name="weights", size=50, data_center_id="EU-RO-1"))


def _as_if_another_account(emulator, stack) -> str:
    volume_id = stack.resource_state("data")["id"]
    for method in ("GET", "DELETE"):
        emulator.add_fault(
            "runpod", kind="status", status=404, method=method, path=f"^/v2/network-volumes/{volume_id}$",
            message="network volume not found", times=100,
        )  # fmt: skip
    stack.set_env("RUNPOD_API_KEY", OTHER_ACCOUNT_KEY)
    return volume_id


def test_refresh_and_destroy_under_another_accounts_key_keep_the_object_and_say_why(emulator, make_stack):
    # given
    stack = make_stack(program)
    stack.up()
    volume_id = _as_if_another_account(emulator, stack)
    # when
    with pytest.raises(StackFailed) as refreshed:
        stack.refresh()
    with pytest.raises(StackFailed) as destroyed:
        stack.destroy()
    # then: still recorded and still there, and both say the credential is not the one it was made with
    assert stack.resource_state("data")["id"] == volume_id
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [volume_id]
    for failed in (refreshed, destroyed):
        assert "credential" in failed.value.text and "another account" in failed.value.text
        assert OTHER_ACCOUNT_KEY not in failed.value.text
    assert "pulumi state delete" in refreshed.value.text
    # when: the key of the account that holds it is back
    emulator.clear_faults()
    stack.set_env("RUNPOD_API_KEY", "rp-test-key")
    stack.refresh()
    stack.destroy()
    # then
    assert emulator.inventory("runpod")["networkvolumes"] == []


def test_a_rotated_key_that_sees_the_object_is_recorded_and_a_deletion_seen_under_it_counts(emulator, make_stack):
    # given
    stack = make_stack(program)
    stack.up()
    volume_id = stack.resource_state("data")["id"]
    # when: a new key of the same account
    stack.set_env("RUNPOD_API_KEY", "rp-rotated-key-0001")
    stack.refresh()
    emulator.delete("runpod", "networkvolumes", volume_id)
    stack.refresh()
    # then: seen with the new key, the deletion is believed
    assert "data" not in stack.resource_names()
