"""The bookkeeping envelope: what it keeps, what carries over to inputs, and the credential fingerprint."""

from __future__ import annotations

from pulumi_deploy.core import bookkeeping
from pulumi_deploy.core.config import (
    ConnectionValues,
    Setting,
    VendorSettings,
    connection_settings,
    credential_fingerprint,
)

SETTINGS = VendorSettings(
    vendor="acme",
    credential=Setting("acme:apiKey", "ACME_TEST_FINGERPRINT_KEY"),
    base_url=Setting("acme:baseUrl", "ACME_TEST_FINGERPRINT_URL", "http://127.0.0.1:1"),
)


def test_unfinished_and_credential_round_trip_in_outputs_and_never_carry_over_to_inputs() -> None:
    book = bookkeeping.Bookkeeping(logical_name="svc", unfinished="deploy ended in `failed`", credential="ab" * 8)
    read = bookkeeping.read(bookkeeping.write({"x": 1}, book))
    assert (read.unfinished, read.credential) == ("deploy ended in `failed`", "ab" * 8)
    assert (read.for_inputs().unfinished, read.for_inputs().credential) == ("", "")
    plain = bookkeeping.envelope(bookkeeping.Bookkeeping(logical_name="svc"))
    assert "unfinished" not in plain and "credential" not in plain  # unset facts are left out


def test_the_fingerprint_tells_keys_apart_and_holds_nothing_of_them(monkeypatch) -> None:
    monkeypatch.setenv("ACME_TEST_FINGERPRINT_KEY", "key-of-account-a")
    a = credential_fingerprint(SETTINGS)
    assert a == credential_fingerprint(SETTINGS) and len(a) == 16 and "account" not in a
    monkeypatch.setenv("ACME_TEST_FINGERPRINT_KEY", "key-of-account-b")
    assert credential_fingerprint(SETTINGS) != a
    monkeypatch.delenv("ACME_TEST_FINGERPRINT_KEY")
    assert credential_fingerprint(SETTINGS) == ""


def test_the_fingerprint_is_of_the_credential_in_effect_a_connections_first(monkeypatch) -> None:
    monkeypatch.setenv("ACME_TEST_FINGERPRINT_KEY", "stack-key")
    stack = credential_fingerprint(SETTINGS)
    with connection_settings(ConnectionValues(values={"acme:apiKey": "connection-key"})):
        assert credential_fingerprint(SETTINGS) != stack
