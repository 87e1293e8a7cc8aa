"""One exception tree for everything the provider can raise.

    PulumiDeployError
    ├── ConfigError            missing or unsafe configuration (credential, base URL)
    ├── ApiError               the vendor answered with an error status
    │   ├── InvalidInput       the vendor rejected the input (never retried), whatever status it used
    │   │   └── BadRequest     400/422
    │   ├── Unauthorized       401
    │   ├── Forbidden          403
    │   ├── NotFound           404
    │   ├── Conflict           409: the object's state does not allow the operation
    │   │   ├── InUse          another object still uses it (a delete refused)
    │   │   └── AlreadyExists  a create refused: the unique name is taken
    │   ├── RateLimited        429
    │   └── ServerError        5xx
    ├── TransportError         no usable answer: timeout, refused or dropped connection
    ├── WaitTimeout            a bounded wait for a state ran out
    ├── Unfinished             a create or update was made, what follows it (a deploy, a wait) failed
    └── ProviderBug            a bug in pulumi-deploy itself; please report it

Errors are mapped once, in ``http.py``, like httpx does (the cause chained with ``raise ... from``):
the status picks the class, and a vendor's :class:`ErrorRules` say where its error bodies keep the
message and which answers mean a domain error (``InvalidInput`` reported as a 500, ``InUse``).
Messages carry the vendor's own message and status, never a credential.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from .withheld import scrub, scrub_current, withheld_from


class PulumiDeployError(Exception):
    """Root of every error raised by pulumi-deploy.

    ``hint`` is the likely fix (the setting to check, the command to run); it is printed after the
    message, so the error reads as one paragraph: what failed, the vendor's message, what to do.
    """

    hint: str = ""

    def with_hint(self, hint: str) -> PulumiDeployError:
        """This error with ``hint`` as its likely fix (returned for ``raise error.with_hint(...)``)."""
        self.hint = hint
        return self

    def __str__(self) -> str:
        message = super().__str__()
        if self.hint:
            message = f"{message.rstrip('.')}. {self.hint}"
        return scrub(message, withheld_from(self))


class ConfigError(PulumiDeployError):
    """Configuration is missing or unsafe (raised at the first call that needs it)."""


class ProviderBug(PulumiDeployError):
    """An internal inconsistency: a bug in pulumi-deploy, not in your program."""


class WaitTimeout(PulumiDeployError):
    """A bounded wait for a remote state did not finish in time."""


class Unfinished(PulumiDeployError):
    """A create or an update made its change, then the rest of the sequence (a deploy, a wait for a
    state) failed.

    The change is made: forgetting it would leave an object the stack does not know about (a create)
    or one the stack records as it was before (an update, whose next run would write it again). So
    the provider server hands the engine ``id`` and ``outputs`` with the failure: the stack records
    the object as it now is, with this error as its initialization error, and the next ``up`` updates
    it (finishing the sequence) instead of making the change again; ``destroy`` deletes it.
    """

    def __init__(self, message: str, id_: str, outputs: dict[str, Any]):
        super().__init__(message)
        self.id, self.outputs = id_, outputs


class TransportError(PulumiDeployError):
    """The request got no usable answer (timeout, connection refused or dropped).

    ``timed_out``: it was sent and no answer came within the client's timeout, so the server may still
    be acting on it (a dropped connection, by contrast, means the server is done with the request).
    """

    def __init__(self, vendor: str, method: str, url: str, reason: str, *, timed_out: bool = False):
        super().__init__(f"{vendor}: {method} {url} failed: {reason}")
        self.vendor, self.method, self.url, self.reason = vendor, method, url, reason
        self.timed_out = timed_out


class ApiError(PulumiDeployError):
    """The vendor answered with an error status."""

    status_class: ClassVar[int | None] = None

    def __init__(
        self,
        vendor: str,
        method: str,
        url: str,
        status: int,
        message: str,
        body: Any = None,
        retry_after: float | None = None,
    ):
        super().__init__(f"{vendor}: {method} {url} returned {status}: {message}")
        self.vendor, self.method, self.url = vendor, method, url
        self.status, self.message, self.body, self.retry_after = status, message, body, retry_after

    def explained(self, text: str) -> ApiError:
        """The same error (class, status, URL, body) told in the user's terms: raise it ``from`` this one."""
        other = type(self)(self.vendor, self.method, self.url, self.status, self.message, self.body, self.retry_after)
        other.args = (text,)
        other.hint = self.hint
        return other


class InvalidInput(ApiError):
    """The vendor rejected the input: fix the program (never retried)."""


class BadRequest(InvalidInput):
    """400 or 422: the vendor rejected the input."""


class Unauthorized(ApiError):
    """401: the credential is missing or wrong."""


class Forbidden(ApiError):
    """403: the credential is valid but not allowed to touch this object."""


class NotFound(ApiError):
    """404: the object does not exist (read: gone from state; delete: already deleted)."""


class Conflict(ApiError):
    """409: the object is in a state that does not allow the operation."""


class InUse(Conflict):
    """The object is still used by another one, so it cannot be deleted yet."""


class AlreadyExists(Conflict):
    """A create was refused because another object already has the unique name (slug, subdomain...)."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds, if any."""


class ServerError(ApiError):
    """5xx: the vendor failed."""


OUTCOME_UNKNOWN: tuple[type[PulumiDeployError], ...] = (TransportError, ServerError)
"""After these, a request that changes something may or may not have taken effect: look before sending
it again."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: BadRequest,
    429: RateLimited,
}


def error_class_for(status: int) -> type[ApiError]:
    """The one status-to-class mapping."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


@dataclass(frozen=True)
class ErrorReply:
    """An error answer as the classifier sees it."""

    status: int
    method: str
    body: Any  # the decoded JSON body, or None
    text: str


#: A vendor rule: the domain error an answer means (None: the status decides).
DomainRule = Callable[[ErrorReply, str], type[ApiError] | None]


@dataclass(frozen=True)
class ErrorRules:
    """How one vendor's error answers read: where the message is, and which mean a domain error."""

    #: Top-level keys of the error body holding the message, in order of preference.
    message_keys: tuple[str, ...] = ()
    #: Rules tried in order; the first that names a class wins.
    domain: tuple[DomainRule, ...] = ()

    def message(self, body: Any, text: str) -> str:
        if isinstance(body, dict):
            for key in self.message_keys:
                value = body.get(key)
                if isinstance(value, str) and value:
                    return value
        return standard_message(body) or body_excerpt(text)

    def classify(self, reply: ErrorReply) -> tuple[type[ApiError], str]:
        message = self.message(reply.body, reply.text)
        for rule in self.domain:
            found = rule(reply, message)
            if found is not None:
                return found, message
        return error_class_for(reply.status), message


#: How much of an error body without a message field an error quotes.
EXCERPT_LENGTH = 500


def body_excerpt(text: str) -> str:
    """The start of an error body that has no message field, as an error quotes it: the call's secrets are
    withheld *before* it is cut, so that a secret the server echoed across the cut leaves no part of itself."""
    return scrub_current(text.strip())[:EXCERPT_LENGTH] or "(empty body)"


def standard_message(body: Any) -> str | None:
    """The message of a body in a standard shape: RFC 9457 problem details (``title``/``detail``) or
    FastAPI's ``{"detail": str | [{"loc", "msg"}]}``."""
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', item)}" if loc else str(item.get("msg", item)))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    title = body.get("title")
    return title if isinstance(title, str) and title else None


def when(kind: type[ApiError], *, status: int | range, methods: str = "", message: str = "") -> DomainRule:
    """A domain rule: answers with this status (and method, and a message matching the regular
    expression ``message``, searched case-insensitively) mean ``kind``."""
    pattern = re.compile(message, re.IGNORECASE) if message else None
    statuses = range(status, status + 1) if isinstance(status, int) else status
    allowed = set(methods.split())

    def rule(reply: ErrorReply, text: str) -> type[ApiError] | None:
        if reply.status not in statuses or (allowed and reply.method not in allowed):
            return None
        if pattern is not None and not pattern.search(text):
            return None
        return kind

    return rule
