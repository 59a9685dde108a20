"""REST API under /api, described by the OpenAPI document at /api/openapi.json.

Every route is declared in registry.py (`ApiBlueprint.declare`) with its permission; it
authorizes before flask-openapi3 validates, so a caller who may not use a route gets
401/403/404 and never the 400 that would describe its schema.
"""

from __future__ import annotations

import importlib

from flask import Response, jsonify
from flask_openapi3 import OpenAPI

from meetings.errors import AppError
from meetings.extensions import csrf


def register_api(app: OpenAPI) -> None:
    from meetings.api import auth, units, users
    from meetings.api import conference as conference_api
    from meetings.api import documents as documents_api
    from meetings.api import meetings as meetings_api
    from meetings.api import polls as polls_api

    # By name: in this package `annotations` is the __future__ feature, not the submodule.
    annotations_api = importlib.import_module("meetings.api.annotations")
    modules = (auth, units, users, meetings_api, polls_api, conference_api, annotations_api)
    for module in modules:
        app.register_api(module.bp)
    app.register_api(meetings_api.calendar_bp)
    documents_api.register(app)  # two blueprints: a meeting's documents, one document

    @app.get("/api/openapi.json", doc_ui=False)
    def openapi_document() -> Response:
        return jsonify(app.api_doc)

    def api_not_found(rest: str) -> Response:
        raise AppError("not_found", "Không có đường dẫn API này.")

    csrf.exempt(api_not_found)  # it changes nothing, and must answer 404, not 403
    app.add_url_rule(
        "/api/<path:rest>",
        "api_not_found",
        api_not_found,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    )
