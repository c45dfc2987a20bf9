"""OpenAPI 3.1 documents generated from pydantic models, and Swagger UI served from the bundled assets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, json, send_from_directory
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

PROBLEM = {"description": "Problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "field": {"type": "string"}},
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    query: tuple[tuple[str, str], ...] = ()  # (name, description)
    problems: tuple[int, ...] = (422,)
    tag: str | None = None


def build_openapi(title: str, version: str, description: str, operations: list[Operation]) -> dict[str, Any]:
    models = {op.body for op in operations if op.body} | {m for op in operations for m in op.responses.values() if m}
    keyed, schemas = models_json_schema([(m, "validation") for m in models],
                                        ref_template="#/components/schemas/{model}")
    components = dict(schemas.get("$defs", {}))
    components["Problem"] = _PROBLEM_SCHEMA
    paths: dict[str, dict] = {}
    for op in operations:
        spec: dict[str, Any] = {"summary": op.summary, "responses": {}}
        if op.tag:
            spec["tags"] = [op.tag]
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in _path_params(op.path)]
        params += [{"name": n, "in": "query", "required": False, "description": d, "schema": {"type": "string"}}
                   for n, d in op.query]
        if params:
            spec["parameters"] = params
        if op.body:
            spec["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": keyed[(op.body, "validation")]}}}
        for status, model in op.responses.items():
            response: dict[str, Any] = {"description": str(status)}
            if model:
                response["content"] = {"application/json": {"schema": keyed[(model, "validation")]}}
            spec["responses"][str(status)] = response
        for status in op.problems:
            spec["responses"][str(status)] = PROBLEM
        paths.setdefault(op.path, {})[op.method.lower()] = spec
    return {"openapi": "3.1.0", "info": {"title": title, "version": version, "description": description},
            "paths": paths, "components": {"schemas": components}}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


_SWAGGER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: "/openapi.json", dom_id: "#ui"}});</script>
</body></html>"""


def docs_blueprint(document: dict[str, Any]) -> Blueprint:
    """/openapi.json and Swagger UI at /docs, from assets shipped in the swagger-ui-bundle wheel."""
    from swagger_ui_bundle import swagger_ui_path

    bp = Blueprint("docs", __name__)
    body = json.dumps(document)
    page = _SWAGGER_PAGE.format(title=document["info"]["title"])

    @bp.get("/openapi.json")
    def openapi():
        return Response(body, mimetype="application/json")

    @bp.get("/docs")
    def docs():
        return Response(page, mimetype="text/html")

    @bp.get("/docs/assets/<path:name>")
    def assets(name: str):
        return send_from_directory(swagger_ui_path, name)

    return bp
