"""Caching headers for page images.

Page images and thumbnails are marked per person; their URLs name an immutable document
version (a new version is a new id), so they are cached privately for a year.
"""

from __future__ import annotations

from flask import Response, request

from meetings.services.documents.pages import Image

IMMUTABLE = "private, max-age=31536000, immutable"
WORDS_CACHE = "private, max-age=3600"
NO_STORE = "private, no-store"  # marked downloads: never kept by a shared machine


def _cached_forever(response: Response, etag: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def image_response(image: Image) -> Response:
    return _cached_forever(Response(image.data, mimetype=image.content_type), image.etag)


def not_modified(etag: str) -> Response | None:
    """304 when the browser already holds this image."""
    if etag.strip('"') in request.if_none_match:
        return _cached_forever(Response(status=304), etag)
    return None
