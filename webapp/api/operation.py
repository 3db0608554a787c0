"""OpenAPI operations written from parts, for ``/api/v1`` and ``/bridge/v1`` alike.

A view's docstring carries its operation as YAML after ``---`` (apispec reads it); this
decorator writes that YAML so the problem+json answers are declared once: a status code
with a description becomes an ``application/problem+json`` answer whose schema is the
document's ``Problem`` component, and a ready response object (e.g. the bridge's
``$ref`` to ``#/components/responses/Problem``) is used as given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import yaml

__all__ = ["BEARER", "PROBLEM_MEDIA_TYPE", "READ_UNAUTHENTICATED", "WRITE_UNAUTHENTICATED",
           "api_operation", "closed_object", "problem", "response"]

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: The 401 answers of `webapp.security.api_auth_required`: reads take the session cookie
#: or a token, writes a token only (no CSRF on the API).
READ_UNAUTHENTICATED = "not signed in and no valid bearer token"
WRITE_UNAUTHENTICATED = "no or bad bearer token (writes need a token, not the session cookie)"
#: The portal API's scheme: a bearer token (``/api/v1``'s ``bearer`` security scheme).
BEARER: tuple[Mapping[str, list[str]], ...] = ({"bearer": []},)


def closed_object(properties: Mapping[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """A JSON request body's schema: these properties only, `required` among them (the
    message builders refuse unknown fields, so the document says so)."""
    return {"type": "object", "properties": dict(properties), "required": list(required),
            "additionalProperties": False}


def response(description: str, content: Mapping[str, Mapping[str, Any]] | None = None
             ) -> dict[str, Any]:
    """A response object: `content` maps each media type to its schema."""
    answer: dict[str, Any] = {"description": description}
    if content:
        answer["content"] = {media: {"schema": dict(schema)} for media, schema in content.items()}
    return answer


def problem(description: str) -> dict[str, Any]:
    """A refusal: problem+json with the document's ``Problem`` schema."""
    return response(description, {PROBLEM_MEDIA_TYPE: {"$ref": "#/components/schemas/Problem"}})


def api_operation(summary: str, *, tags: Sequence[str], answers: Mapping[int, Any],
                  problems: Mapping[int, str | Mapping[str, Any]], method: str = "get",
                  description: str | None = None, parameters: Sequence[Any] | None = None,
                  body: Mapping[str, Any] | None = None, body_required: bool = True,
                  security: Sequence[Mapping[str, list[str]]] | None = BEARER
                  ) -> Callable[[F], F]:
    """Give the view its OpenAPI operation.

    `answers` are the success responses by status; `problems` the refusals by status, a
    description (an inline problem+json answer) or a response object. `parameters` are
    parameter objects or names of the document's parameter components (``None``: the
    operation has no ``parameters`` key); `body` is the JSON request body's schema.
    ``security=None`` leaves the scheme to the document. The view's own docstring, if
    any, stays as the text before ``---``.
    """

    def decorate(view: F) -> F:
        responses = {code: dict(answer) for code, answer in answers.items()}
        responses.update({code: problem(text) if isinstance(text, str) else dict(text)
                          for code, text in problems.items()})
        operation: dict[str, Any] = {"summary": summary}
        if description is not None:
            operation["description"] = description
        operation["tags"] = list(tags)
        if security is not None:
            operation["security"] = [dict(s) for s in security]
        if parameters is not None:
            operation["parameters"] = [p if isinstance(p, str) else dict(p) for p in parameters]
        if body is not None:
            operation["requestBody"] = {"required": body_required, "content": {
                "application/json": {"schema": dict(body)}}}
        operation["responses"] = responses
        title = (view.__doc__ or summary).strip()
        view.__doc__ = f"{title}\n---\n" + yaml.safe_dump({method: operation}, sort_keys=False)
        return view

    return decorate
