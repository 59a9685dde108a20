"""Payloads checked against their declared schemas at the moment they are sent.

Like Zulip's event checks: with CHECK_PAYLOADS on (the test suite turns it on, see
tests/conftest.py), every event emitted and every ack's `data` is validated against the
schema `docs/protocol.md` publishes. A violation is logged at ERROR and kept in
`VIOLATIONS`; the test during which it happened fails. Off in production: a schema slip
must not take a meeting down, and validating every broadcast costs time.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from typing import Any

from pydantic import TypeAdapter, ValidationError

log = logging.getLogger(__name__)

ENABLED = os.environ.get("CHECK_PAYLOADS", "").strip().lower() in {"1", "true", "yes", "on"}
# The latest violations (bounded: a development server may run with the checks on for days).
VIOLATIONS: deque[str] = deque(maxlen=1000)

_adapters: dict[Any, TypeAdapter[Any]] = {}


def violation(where: str, detail: str) -> None:
    message = f"{where}: payload does not match its declared schema: {detail}"
    log.error(message)
    VIOLATIONS.append(message)


def check(schema: Any, value: Any, where: str) -> None:
    """Validate `value` against `schema` (a model or any type pydantic knows; None means
    "no data": the value must be None)."""
    if not ENABLED:
        return
    if schema is None:
        if value is not None:
            violation(where, f"declared without data, sent {type(value).__name__}")
        return
    adapter = _adapters.get(schema)
    if adapter is None:
        adapter = _adapters[schema] = TypeAdapter(schema)
    try:
        wire = json.dumps(value)
    except (TypeError, ValueError) as exc:
        violation(where, f"not JSON: {exc}")
        return
    try:  # as a client parses it, with no coercion ("yes" is not a bool, "7" not an int)
        adapter.validate_json(wire, strict=True)
    except ValidationError as exc:
        violation(where, str(exc))


def take_violations() -> list[str]:
    """The violations recorded so far, forgetting them."""
    found = list(VIOLATIONS)
    VIOLATIONS.clear()
    return found
