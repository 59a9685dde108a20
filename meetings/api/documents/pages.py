"""One document's pages: images, thumbnails, the text layer, and the marked download."""

from __future__ import annotations

from flask import Response, jsonify

from meetings.api.documents.blueprints import doc_bp
from meetings.api.documents.caching import NO_STORE, WORDS_CACHE, image_response, not_modified
from meetings.api.documents.schemas import DocPath, ImageQuery, PagePath, WordsQuery
from meetings.api.registry import Ctx
from meetings.api.responses import attachment, document_files
from meetings.permissions import Perm
from meetings.services.documents import pages as doc_pages


def start_page_workers() -> None:
    # On the first request the server serves, not at import (CLI commands build the app
    # too): page workers take ~0.5 s to start, which no page request should wait for.
    doc_pages.warm_up()


@doc_bp.declare(
    "get", "/<int:document_id>/pages/<int:index>.png", Perm.DOCUMENT_VIEW, responses={200: None}
)
def page_image(ctx: Ctx, path: PagePath, query: ImageQuery) -> Response:
    """Page `index` (0-based) as PNG, `w` px wide (snapped to 100 px, 200..3000), marked."""
    me, doc = ctx.me, ctx.document
    cached = not_modified(doc_pages.page_etag(doc, me, path.index, query.w, query.screen))
    if cached is not None:
        return cached
    image = doc_pages.page_image(document_files(), doc, me, path.index, query.w, query.screen)
    doc_pages.log_access(doc.id, me.id, path.index, "view")
    return image_response(image)


@doc_bp.declare(
    "get",
    "/<int:document_id>/pages/<int:index>/thumb.png",
    Perm.DOCUMENT_VIEW,
    responses={200: None},
)
def page_thumbnail(ctx: Ctx, path: PagePath) -> Response:
    """160 px thumbnail of a page (marked like every page image)."""
    image = doc_pages.thumbnail(document_files(), ctx.document, ctx.me, path.index)
    return not_modified(image.etag) or image_response(image)


@doc_bp.declare(
    "get", "/<int:document_id>/pages/<int:index>/words", Perm.DOCUMENT_VIEW, responses={200: None}
)
def page_words(ctx: Ctx, path: PagePath, query: WordsQuery) -> Response:
    """Word boxes [x0, y0, x1, y1, text] as fractions of the page; `hits` of query `q`
    as lists of word indices (for highlighting search results)."""
    data = doc_pages.words(document_files(), ctx.document, path.index, query.q or None)
    response: Response = jsonify(data)
    response.headers["Cache-Control"] = WORDS_CACHE
    return response


@doc_bp.declare("get", "/<int:document_id>/download", Perm.DOCUMENT_VIEW, responses={200: None})
def download_document(ctx: Ctx, path: DocPath) -> Response:
    """The PDF, marked with my name on every page; confidential: 403 download_forbidden."""
    me, doc = ctx.me, ctx.document
    data = doc_pages.download(document_files(), doc, me)
    doc_pages.log_access(doc.id, me.id, -1, "download")
    name = f"tai-lieu-{doc.id}-v{doc.version}.pdf"
    return attachment(data, "application/pdf", name, NO_STORE)
