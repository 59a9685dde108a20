"""The multipart upload form, read by hand after authorization (see upload.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from flask import Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from werkzeug.datastructures import FileStorage

from meetings.errors import AppError
from meetings.models import MeetingRole
from meetings.models.documents import Sensitivity
from meetings.services.documents.ingest import UploadSpec


class UploadFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    agenda_item_id: int | None = None
    sensitivity: Sensitivity | None = None
    replaces_id: int | None = None
    restricted: bool | None = None
    user_ids: Annotated[list[int], Field(max_length=500)] = Field(default_factory=list)
    roles: Annotated[list[MeetingRole], Field(max_length=10)] = Field(default_factory=list)

    @field_validator("agenda_item_id", "replaces_id", "sensitivity", "restricted", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @field_validator("user_ids", "roles", mode="before")
    @classmethod
    def _comma_list(cls, v: object) -> object:
        if isinstance(v, str):
            return [p.strip() for p in v.split(",") if p.strip()]
        return v


@dataclass
class UploadForm:
    file: FileStorage
    spec: UploadSpec


def parse_upload_form(request: Request) -> UploadForm:
    """Parse the body (this is where a cut-off or oversized upload raises) and validate."""
    form, files = request.form, request.files
    file = files.get("file")
    if file is None:
        raise AppError("missing_file", "Chưa chọn tệp để tải lên.")
    fields = UploadFields.model_validate({k: v for k, v in form.items() if k != "csrf_token"})
    # The form's fields are the spec's; an empty title means "take it from the PDF".
    given = {**dict(fields), "title": fields.title or None}
    return UploadForm(file, UploadSpec(filename=file.filename or "", **given))
