"""The OpenAPI document describes every answer: each 2xx body of a typed area is a schema with
named, typed fields, down to nested lists, so a client (or schemathesis) can rely on it.

An area is the controller module that serves an operation. Areas converted to msgspec Structs
are in TYPED_AREAS; PENDING_AREAS are still answered with dicts and are converted separately.
A new controller module has to be put in one of the two."""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute

TYPED_AREAS = {
    "appraisal.api.accountability", "appraisal.api.audit", "appraisal.api.calendar", "appraisal.api.commitments",
    "appraisal.api.dashboard", "appraisal.api.health", "appraisal.api.inbox", "appraisal.api.matters",
    "appraisal.api.org", "appraisal.api.roster", "appraisal.api.supervision", "appraisal.api.targets",
    "appraisal.api.auth", "appraisal.api.reports",
}
# Not yet typed: moving them to Structs is converted separately (their own change). When one is
# done, move it to TYPED_AREAS.
PENDING_AREAS = {
    "appraisal.api.appraisal": "converted separately",
}
# Fields that are free-form objects by nature, with why.
FREE_FORM_FIELDS = {
    "AuditOut.old_values": "a snapshot of the row of whichever table the entry is about",
    "AuditOut.new_values": "a snapshot of the row of whichever table the entry is about",
}
METHODS = {"get", "post", "put", "patch", "delete"}
# Downloads are answered as files of these types, not JSON.
FILE_TYPES = {"application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _areas(app: Any) -> dict[tuple[str, str], str]:
    """(METHOD, OpenAPI path) → the module of the handler serving it."""
    areas = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method != "OPTIONS":
                        areas[(method, route.path_format)] = handler.fn.__module__
    return areas


def _untyped(schema: dict, components: dict, where: str, seen: set[str]) -> list[str]:
    """The places in `schema` that are not described field by field."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _untyped(components[name], components, name, seen)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            return [p for part in schema[key] for p in _untyped(part, components, where, seen)]
    kind = schema.get("type")
    if kind == "array":
        return _untyped(schema.get("items", {}), components, f"{where}[]", seen)
    if kind == "object" or "properties" in schema or not kind:
        if not schema.get("properties"):
            return [] if where in FREE_FORM_FIELDS else [f"{where} is an untyped object"]
        return [p for name, prop in schema["properties"].items()
                for p in _untyped(prop, components, f"{schema.get('title', where)}.{name}", seen)]
    return []


async def test_every_answer_of_the_typed_areas_is_documented_field_by_field(client):
    document = (await client.get("/schema/openapi.json")).json()
    components = document["components"]["schemas"]
    areas = _areas(client.app)
    problems: list[str] = []
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS or areas[(method.upper(), path)] not in TYPED_AREAS:
                continue
            label = f"{method.upper()} {path}"
            answers = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            if not answers:
                problems.append(f"{label}: no 2xx answer documented")
            for code, answer in answers.items():
                if code == "204":
                    assert "content" not in answer, f"{label}: 204 with a body"
                    continue
                content = answer.get("content", {})
                files = [kind for kind in content if kind in FILE_TYPES]
                if files:  # a download: documented as its file type, a string of bytes
                    assert all(content[kind].get("schema", {}).get("type") == "string" for kind in files), label
                    checked += 1
                    continue
                schema = content.get("application/json", {}).get("schema")
                if schema is None:
                    problems.append(f"{label}: {code} has no JSON schema")
                    continue
                checked += 1
                problems += [f"{label}: {code} {p}" for p in _untyped(schema, components, "body", set())]
    assert checked >= 50, f"only {checked} answers checked: the areas' operations were not found"
    assert not problems, f"{len(problems)} answers not typed:\n" + "\n".join(problems)


async def test_every_api_operation_belongs_to_a_typed_or_an_explicitly_pending_area(client):
    areas = _areas(client.app)
    unknown = sorted(f"{m} {p} ({module})" for (m, p), module in areas.items()
                     if p.startswith("/api/v1") and module not in TYPED_AREAS | PENDING_AREAS.keys())
    assert not unknown, "operations of areas in neither list:\n" + "\n".join(unknown)
