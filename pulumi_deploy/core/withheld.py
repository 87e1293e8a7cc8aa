"""Secret values never reach the user's terminal through an error.

Vendors echo what they were sent in their error answers ("invalid value 'hf_...' for env HF_TOKEN"),
and this package puts the vendor's message in its own, so a rejected secret would be printed by the
CLI — into CI logs — in plain text. Every engine-facing provider call is therefore wrapped
(``SpecProvider``): when it fails, the exception is told the secret values of that call (its secret
fields, from old and new inputs, and the vendor's secret settings in effect: credential, server keys,
a connection's credentials), and what the user sees of it — its message (``PulumiDeployError.__str__``), or
the traceback of an error that is not this package's (``error_display``) — shows each as ``[secret]``;
so do the progress lines the call writes meanwhile (``log``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

PLACEHOLDER = "[secret]"
#: Shorter values ("1", "on", "info") would blank ordinary words of a message and protect little.
MIN_LENGTH = 6
ATTRIBUTE = "__pulumi_deploy_withheld__"

#: The secret values of the provider call being served (its progress lines withhold them too).
_current: ContextVar[frozenset[str]] = ContextVar("pulumi_deploy_withheld", default=frozenset())


def strings_in(value: Any) -> set[str]:
    """Every string leaf of a value (a secret map's values, a list of secret objects' values)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret replaced, as written and as a JSON string or a Python repr escapes it (a
    PEM key's newlines), longest first, so that a value containing another goes whole."""
    forms = {form for s in secrets if len(s) >= MIN_LENGTH for form in (s, json.dumps(s)[1:-1], repr(s)[1:-1])}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, PLACEHOLDER)
    return text


def withheld_from(exc: BaseException) -> frozenset[str]:
    """The secret values ``exc`` must not show (empty for an exception raised outside a provider call)."""
    found = getattr(exc, ATTRIBUTE, None)
    return found if isinstance(found, frozenset) else frozenset()


def withhold(exc: BaseException, values: Iterable[str]) -> None:
    """Tell ``exc`` more secret values it must not show."""
    with contextlib.suppress(AttributeError):  # an exception type without a __dict__: shown as it is
        setattr(exc, ATTRIBUTE, withheld_from(exc) | frozenset(values))


@contextlib.contextmanager
def withholding(values: Iterable[str]) -> Iterator[None]:
    """Within the block (one provider call), ``values`` are withheld from progress lines
    (:func:`scrub_current`) and from any exception that leaves it."""
    token = _current.set(_current.get() | frozenset(values))
    try:
        yield
    except Exception as exc:
        withhold(exc, _current.get())
        raise
    finally:
        _current.reset(token)


def scrub_current(text: str) -> str:
    """``text`` without the secret values of the provider call being served."""
    return scrub(text, _current.get())
