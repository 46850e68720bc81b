"""OpenAPI description of the problem+json answers every endpoint may give."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ProblemFieldError(BaseModel):
    """One invalid field."""

    field: str
    code: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {}},
    }


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _problem("Malformed request"),
    401: _problem("Not signed in"),
    403: _problem("Not allowed, or CSRF check failed"),
    404: _problem("Not found"),
    409: _problem("Conflicts with existing data"),
    413: _problem("Body too large"),
    422: _problem("Invalid fields"),
    429: _problem("Too many requests"),
}
