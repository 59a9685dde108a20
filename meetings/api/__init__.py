"""REST API under /api, described by the OpenAPI document at /api/openapi.json."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import OpenAPI

from meetings.errors import AppError
from meetings.extensions import csrf


def register_api(app: OpenAPI) -> None:
    from meetings.api import auth, units, users

    for module in (auth, units, users):
        app.register_api(module.bp)

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
