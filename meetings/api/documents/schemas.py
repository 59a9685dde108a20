"""What document routes take and answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from meetings.api.schemas import CONFLICT, ErrorBody, Responses, Strict
from meetings.models import MeetingRole
from meetings.models.documents import Sensitivity

UPLOAD_ERRORS: Responses = {
    **CONFLICT,
    413: ErrorBody,
    422: ErrorBody,
    503: ErrorBody,
    507: ErrorBody,  # storage_full
}


class DocPath(BaseModel):
    document_id: int


class PagePath(DocPath):
    index: Annotated[int, Field(ge=0)]


class ListQuery(Strict):
    history: bool = False


class SearchQuery(Strict):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ImageQuery(Strict):
    # Client asks element width x devicePixelRatio; the server snaps to its 100 px step.
    w: Annotated[int, Field(ge=1, le=10000)] = 1200
    # The room's projector: marked with the room and meeting, not the person (meeting.edit).
    screen: Literal["projector"] | None = None


class WordsQuery(Strict):
    q: Annotated[str, Field(max_length=200)] = ""


class UploadQuery(Strict):
    upload_id: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = ""


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class DocPatch(Strict):
    title: Title | None = None
    sensitivity: Sensitivity | None = None
    agenda_item_id: int | None | Literal["keep"] = "keep"
    restricted: bool | None = None
    user_ids: Annotated[list[int], Field(max_length=500)] | None = None
    roles: Annotated[list[MeetingRole], Field(max_length=10)] | None = None


class DocOut(BaseModel):
    document: dict[str, Any]


class DocList(BaseModel):
    documents: list[dict[str, Any]]
    can_manage: bool
    can_present: bool
    max_mb: int
    max_pages: int
