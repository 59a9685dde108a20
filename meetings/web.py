"""The browser client: index page, its static files, vendored npm packages, and /healthz."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, send_from_directory
from sqlalchemy import text
from werkzeug.exceptions import NotFound

from meetings import __version__
from meetings.config import ROOT
from meetings.db import db

WEBCLIENT = ROOT / "webclient"
VENDOR = WEBCLIENT / "node_modules"
VENDOR_SUFFIXES = (".js", ".mjs", ".css", ".map", ".json", ".wasm")


def register_web(app: Flask) -> None:
    def index() -> Response:
        response = send_from_directory(WEBCLIENT, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def static_file(file: str) -> Response:
        if file.startswith("node_modules/"):
            raise NotFound()
        response = send_from_directory(WEBCLIENT, file, max_age=0)
        response.headers["Cache-Control"] = "no-cache"  # revalidate by ETag
        return response

    def vendor_file(file: str) -> Response:
        if not file.endswith(VENDOR_SUFFIXES):
            raise NotFound()
        return send_from_directory(VENDOR, file, max_age=3600)

    def healthz() -> tuple[Response, int]:
        body: dict[str, Any] = {"version": __version__, "database": "ok"}
        try:
            db.execute(text("SELECT 1"))
        except Exception as exc:  # report, don't crash: this is what monitors read
            body["database"] = f"error: {type(exc).__name__}"
            return jsonify(body), 503
        return jsonify(body), 200

    # Plain Flask routes: these are pages and files, not part of the OpenAPI document.
    app.add_url_rule("/", "index", index)
    app.add_url_rule("/static/<path:file>", "static_file", static_file)
    app.add_url_rule("/vendor/<path:file>", "vendor_file", vendor_file)
    app.add_url_rule("/healthz", "healthz", healthz)
