"""One exception tree for everything the provider can raise.

    PulumiDeployError
    ├── ConfigError            missing or unsafe configuration (credential, base URL)
    ├── ApiError               the vendor answered with an error status
    │   ├── BadRequest         400/422: invalid input (never retried)
    │   ├── Unauthorized       401
    │   ├── Forbidden          403
    │   ├── NotFound           404
    │   ├── Conflict           409
    │   ├── RateLimited        429
    │   └── ServerError        5xx
    ├── TransportError         no usable answer: timeout, refused or dropped connection
    ├── WaitTimeout            a bounded wait for a state ran out
    └── ProviderBug            a bug in pulumi-deploy itself; please report it

Messages carry the vendor's own message and status, never a credential.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PulumiDeployError(Exception):
    """Root of every error raised by pulumi-deploy."""


class ConfigError(PulumiDeployError):
    """Configuration is missing or unsafe (raised at the first call that needs it)."""


class ProviderBug(PulumiDeployError):
    """An internal inconsistency: a bug in pulumi-deploy, not in your program."""


class WaitTimeout(PulumiDeployError):
    """A bounded wait for a remote state did not finish in time."""


class TransportError(PulumiDeployError):
    """The request got no usable answer (timeout, connection refused or dropped)."""

    def __init__(self, vendor: str, method: str, url: str, reason: str):
        super().__init__(f"{vendor}: {method} {url} failed: {reason}")
        self.vendor, self.method, self.url, self.reason = vendor, method, url, reason


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


class BadRequest(ApiError):
    """400 or 422: the vendor rejected the input."""


class Unauthorized(ApiError):
    """401: the credential is missing or wrong."""


class Forbidden(ApiError):
    """403: the credential is valid but not allowed to touch this object."""


class NotFound(ApiError):
    """404: the object does not exist (read: gone from state; delete: already deleted)."""


class Conflict(ApiError):
    """409: the object is in a state that does not allow the operation."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds, if any."""


class ServerError(ApiError):
    """5xx: the vendor failed."""


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


def vendor_message(body: Any, text: str) -> str:
    """Extract the human message from any of the five vendors' error bodies.

    RunPod ``{"message"}``, Cyberun ``{"error_message"}``, TrustGate ``{"error"}``, Aieev/NeMo
    ``{"detail": str | [{"loc", "msg"}]}`` (FastAPI style), plain text otherwise.
    """
    if isinstance(body, dict):
        for key in ("message", "error_message", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        detail = body.get("detail")
        if isinstance(detail, str):
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
    return text.strip()[:500] or "(empty body)"
