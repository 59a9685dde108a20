"""The two document blueprints: a meeting's documents, and one document by id."""

from __future__ import annotations

from flask_openapi3 import Tag

from meetings.api.registry import ApiBlueprint

TAGS = [Tag(name="documents")]
meeting_bp = ApiBlueprint("meeting_documents", __name__, url_prefix="/api/meetings", abp_tags=TAGS)
doc_bp = ApiBlueprint("documents", __name__, url_prefix="/api/documents", abp_tags=TAGS)
