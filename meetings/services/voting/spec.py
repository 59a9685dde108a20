"""What a chair or secretary may set on a poll, validated as a whole."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from meetings.errors import invalid_payload
from meetings.models.polls import Eligibility, MajorityRule, PercentBase, PollKind
from meetings.schemas.polls import MAX_OPTIONS


class PollSettings(BaseModel):
    """Every setting of a poll, with defaults; checked again after each update."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    agenda_item_id: int | None = None
    kind: PollKind = PollKind.YES_NO
    secret: bool = False
    options: list[str] = Field(default_factory=list, max_length=MAX_OPTIONS)
    min_choices: int = Field(default=1, ge=0, le=MAX_OPTIONS)
    max_choices: int = Field(default=1, ge=1, le=MAX_OPTIONS)
    eligibility: Eligibility = Eligibility.DELEGATES
    rule: MajorityRule = MajorityRule.ABSOLUTE
    percent_base: PercentBase = PercentBase.ENTITLED
    duration_seconds: int | None = Field(default=None, ge=10, le=24 * 3600)
    allow_change: bool = False
    show_running_tally: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        labels = [o.strip() for o in self.options]
        if any(not label or len(label) > 300 for label in labels):
            raise ValueError("mỗi phương án cần 1-300 ký tự")
        if len(set(labels)) != len(labels):
            raise ValueError("các phương án không được trùng nhau")
        self.options = labels
        if self.secret and self.show_running_tally:
            raise ValueError("biểu quyết kín không hiện kết quả tạm thời")
        if self.kind is PollKind.YES_NO:
            # The three answers are fixed; "Không biểu quyết" is an answer, not a blank.
            if labels:
                raise ValueError("biểu quyết tán thành/không tán thành không nhận phương án")
            self.min_choices = self.max_choices = 1
            return self
        if len(labels) < 2:
            raise ValueError("cần ít nhất 2 phương án")
        if self.kind is PollKind.SINGLE:
            self.max_choices = 1
            self.min_choices = min(self.min_choices, 1)  # 0 allows a blank ballot
        if self.max_choices > len(labels) or self.min_choices > self.max_choices:
            raise ValueError("số lựa chọn tối thiểu/tối đa không hợp lệ")
        return self


def parse_settings(values: dict[str, Any]) -> PollSettings:
    """Validate inside a command: a bad combination is invalid_payload, not a crash."""
    try:
        return PollSettings.model_validate(values)
    except ValidationError as exc:
        raise invalid_payload(exc) from exc


class PollPatch(BaseModel):
    """poll.update: any subset of the settings (draft polls only)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    agenda_item_id: int | None = None
    kind: PollKind | None = None
    secret: bool | None = None
    options: list[str] | None = Field(default=None, max_length=MAX_OPTIONS)
    min_choices: int | None = Field(default=None, ge=0, le=MAX_OPTIONS)
    max_choices: int | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    eligibility: Eligibility | None = None
    rule: MajorityRule | None = None
    percent_base: PercentBase | None = None
    duration_seconds: int | None = Field(default=None, ge=10, le=24 * 3600)
    allow_change: bool | None = None
    show_running_tally: bool | None = None
