"""Meeting documents over REST: upload, list, search, pages, text layer, download.

Two blueprints (blueprints.py): /api/meetings/<id>/documents for what belongs to a
meeting, /api/documents/<id> for one document. Routes under /api/documents authorize
through the document (api/registry.py: visible to the caller, then the permission in its
meeting; anyone else gets 404 as for a missing id).
"""

from __future__ import annotations

from flask_openapi3 import OpenAPI


def register(app: OpenAPI) -> None:
    """Called from api/__init__.py: both blueprints, with every route of this package."""
    from meetings.api.documents import library, pages, upload  # noqa: F401 (their routes)
    from meetings.api.documents.blueprints import doc_bp, meeting_bp

    app.register_api(meeting_bp)
    app.register_api(doc_bp)
    app.before_request(pages.start_page_workers)
