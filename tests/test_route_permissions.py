"""Every API route names its permission, and nothing but the public ones serves anonymously."""

from __future__ import annotations

import re
from typing import Any

from meetings.api.guard import PUBLIC
from meetings.permissions import Perm
from tests.conftest import csrf_token

# Routes served outside the permission mechanism on purpose.
UNGUARDED = {"index", "static_file", "vendor_file", "healthz", "api_not_found", "openapi_document"}


def api_rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint not in UNGUARDED]


def test_every_route_declares_a_permission(app: Any) -> None:
    rules = api_rules(app)
    assert rules
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        perm = getattr(view, "__permission__", None)
        assert perm == PUBLIC or isinstance(perm, Perm), f"{rule.rule} has no permission"


def test_anonymous_requests_are_refused(app: Any) -> None:
    client = app.test_client()
    token = csrf_token(client)
    for rule in api_rules(app):
        if getattr(app.view_functions[rule.endpoint], "__permission__", None) == PUBLIC:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, json={}, headers={"X-CSRFToken": token})
            assert response.status_code in (400, 401, 404), (method, url, response.status_code)
            if response.status_code != 400:  # 400: payload rejected before anything else
                assert response.get_json()["error"]["code"] in ("not_authenticated", "not_found")
