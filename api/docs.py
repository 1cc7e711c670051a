"""The OpenAPI document and a docs page served from an installed package (no CDN)."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Response, current_app, jsonify, send_from_directory

blp = Blueprint("docs", __name__)
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>collab API</title>
<link rel="stylesheet" href="/v1/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/v1/docs/assets/collab-start.js"></script>
</body></html>
"""
# A file, not an inline script: the page's Content-Security-Policy forbids inline ones.
START = 'SwaggerUIBundle({url: "/v1/openapi.json", dom_id: "#ui"});\n'


def document() -> dict[str, object]:
    """flask-smorest's spec, with every error response documented as problem+json."""
    spec: dict[str, Any] = current_app.extensions["flask-smorest"]["apis"][""][
        "ext_obj"
    ].spec.to_dict()
    for response in spec.get("components", {}).get("responses", {}).values():
        _as_problem(response)
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if status == "default" or str(status)[0] in "45":
                    _as_problem(response)
    return spec


def _as_problem(response: dict[str, Any]) -> None:
    if "$ref" in response:
        return
    response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}


@blp.route("/v1/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())


@blp.route("/v1/docs")
def docs_page() -> Response:
    return Response(PAGE, mimetype="text/html")


@blp.route("/v1/docs/assets/collab-start.js")  # ours, before the package's files
def docs_start() -> Response:
    return Response(START, mimetype="text/javascript")


@blp.route("/v1/docs/assets/<path:name>")
def docs_asset(name: str) -> Response:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)
