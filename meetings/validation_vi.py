"""Vietnamese wording of pydantic validation errors, for the messages users see.

Pydantic's own `msg` is English ("String should have at least 1 character"); appended to
"Dữ liệu không hợp lệ:" it made a mixed-language message. The error `type` and `ctx`
are stable, so the sentence is built from them; an unlisted type gets a general phrase.
"""

from __future__ import annotations

from typing import Any

# error type -> phrase; {name} fields come from the error's ctx.
PHRASES = {
    "missing": "bắt buộc phải có",
    "extra_forbidden": "không được phép gửi trường này",
    "string_too_short": "cần ít nhất {min_length} ký tự",
    "string_too_long": "tối đa {max_length} ký tự",
    "too_short": "cần ít nhất {min_length} phần tử",
    "too_long": "tối đa {max_length} phần tử",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "tối đa là {le}",
    "literal_error": "phải là một trong: {expected}",
    "enum": "phải là một trong: {expected}",
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "float_type": "phải là số",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là danh sách",
    "dict_type": "phải là đối tượng",
    "model_type": "phải là đối tượng",
    "is_instance_of": "sai kiểu dữ liệu",
    "uuid_type": "phải là UUID",
    "uuid_parsing": "phải là UUID",
    "datetime_type": "phải là thời điểm (ISO 8601)",
    "datetime_parsing": "phải là thời điểm (ISO 8601)",
    "timezone_aware": "thời điểm phải có múi giờ",
    "string_pattern_mismatch": "không đúng định dạng",
    "json_invalid": "không phải JSON hợp lệ",
}
GENERAL = "giá trị không hợp lệ"


def phrase(error: Any) -> str:
    """One pydantic error (an ErrorDetails dict) in Vietnamese."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators already speak Vietnamese
    template = PHRASES.get(kind)
    if template is None:
        return GENERAL
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return GENERAL
