"""Checks the fake Jira's Cloud answers against Atlassian's v3 OpenAPI document.

The document lives beside the repository (``../shared/apispecs``). A response
is validated against the schema documented for its method, path and status;
``$ref`` resolves inside the document. A 2xx answer to an endpoint the
document does not know is a problem too: the fake must not invent API.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / ".." / "shared" / "apispecs" / "jira-cloud-platform-swagger-v3.v3.json"
_URN = "urn:jira-cloud-v3"


@functools.lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@functools.lru_cache(maxsize=1)
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(_spec(), default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource(_URN, resource)
    return registry


@functools.lru_cache(maxsize=1)
def _routes() -> list[tuple[re.Pattern[str], str, int]]:
    routes = []
    for template in _spec()["paths"]:
        if not template.startswith("/rest/api/3/"):
            continue
        rest = template.removeprefix("/rest/api/3/")
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(rest))
        routes.append((re.compile(f"^{pattern}$"), template, template.count("{")))
    # Literal segments win over parameters (issue/bulkfetch before issue/{id}).
    return sorted(routes, key=lambda route: route[2])


def template_for(method: str, path: str) -> str | None:
    """The spec's path template for an actual request path, or None."""
    rest = re.sub(r"^/rest/api/(2|3|latest)/", "", path)
    for pattern, template, _ in _routes():
        if pattern.match(rest) and method.lower() in _spec()["paths"][template]:
            return template
    return None


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    operation = _spec()["paths"][template][method.lower()]
    response = operation.get("responses", {}).get(str(status))
    if not response:
        return None
    content = response.get("content") or {}
    for media in content.values():
        schema = media.get("schema")
        if schema:
            return dict(schema)
    return None


def problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with one Cloud response, per the document (empty: nothing)."""
    template = template_for(method, path)
    if template is None:
        return (
            [f"{method} {path}: not an endpoint of the Jira Cloud v3 API"] if status < 300 else []
        )
    schema = response_schema(method, template, status)
    if schema is None:
        if 200 <= status < 300 and body not in (None, {}, []):
            return [f"{method} {template} {status}: no documented body, yet one was sent"]
        return []
    schema = _absolute(schema)
    validator = Draft4Validator(schema, registry=_registry())
    return [
        f"{method} {template} {status}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(body)
    ][:5]


def _absolute(node: Any) -> Any:
    """Local refs (#/components/...) made to point into the registered document."""
    if isinstance(node, dict):
        return {
            key: (
                f"{_URN}{value}"
                if key == "$ref" and str(value).startswith("#")
                else _absolute(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute(item) for item in node]
    return node


def recorded_problems(recorded: list[Any]) -> list[str]:
    """Problems of every response a fake recorded (``fake.record = True``)."""
    return [
        problem
        for seen in recorded
        for problem in problems(seen.method, seen.path, seen.status, seen.body)
    ]
