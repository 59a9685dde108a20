"""Responses that are files, and the app's settings routes read."""

from __future__ import annotations

from flask import Response, current_app

from meetings.config import Config
from meetings.services.documents.files import DocFiles, files_for


def attachment(
    data: bytes | str, mimetype: str, filename: str, cache: str | None = None
) -> Response:
    """A download named `filename` (ASCII); `cache` is its Cache-Control, if any."""
    response = Response(data, mimetype=mimetype)  # Flask adds "; charset=utf-8" to text types
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if cache is not None:
        response.headers["Cache-Control"] = cache
    return response


def app_config() -> Config:
    config: Config = current_app.config["APP_CONFIG"]
    return config


def document_files() -> DocFiles:
    return files_for(app_config().documents_dir)
