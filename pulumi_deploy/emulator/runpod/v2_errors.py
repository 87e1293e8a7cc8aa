"""REST v2 errors: RFC 9457 problem details ``{title, status, detail, errors?}``.

``title`` is the HTTP reason phrase, ``detail`` one human sentence, ``errors`` the individual
schema violations of a 422. Wording that the v2 document shows is reused ("missing bearer
token", "Request validation failed.", "$: additional properties 'x' not allowed"); the rest is
the emulator's own, built from identifiers so tests can assert it exactly.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from ..base import VendorError

PROBLEM_JSON = "application/problem+json"


def problem_body(status: int, detail: str, errors: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = list(errors)
    return body


def problem_response(
    status: int, detail: str, errors: list[str] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, errors), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


class Problem(VendorError):
    """A v2 error; ``errors`` lists individual violations (422 only)."""

    def __init__(self, status: int, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail, status=status)
        self.errors = list(errors or [])


def unauthorized() -> Problem:
    return Problem(401, "missing bearer token")


def validation_failed(errors: list[str]) -> Problem:
    return Problem(422, "Request validation failed.", errors)


def unprocessable(detail: str) -> Problem:
    return Problem(422, detail)


def bad_request(detail: str) -> Problem:
    return Problem(400, detail)


def not_found(thing: str, object_id: str) -> Problem:
    return Problem(404, f"{thing} {object_id} not found")
