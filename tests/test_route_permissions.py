"""Every API route is declared in the route table, and nothing but the public ones serves
anonymously: not even a 400 that would tell an anonymous caller the schema."""

from __future__ import annotations

import re
from typing import Any

from meetings.api.registry import PUBLIC, ROUTES
from tests.conftest import csrf_token

# Routes served outside the route table on purpose.
UNGUARDED = {"index", "static_file", "vendor_file", "healthz", "api_not_found", "openapi_document"}


def api_rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint not in UNGUARDED]


def test_every_route_is_in_the_route_table(app: Any) -> None:
    rules = api_rules(app)
    assert rules
    for rule in rules:
        route = ROUTES.get(rule.endpoint)
        assert route is not None, f"{rule.rule} is not declared through ApiBlueprint.declare"
        assert route.rule == rule.rule and {route.method} == rule.methods - {"HEAD", "OPTIONS"}
    assert len(ROUTES) == len(rules)


def test_anonymous_requests_are_refused_before_validation(app: Any) -> None:
    client = app.test_client()
    token = csrf_token(client)
    for rule in api_rules(app):
        if ROUTES[rule.endpoint].permission is PUBLIC:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule) + "?unknown=1"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(
                url, method=method, json={"unknown": 1}, headers={"X-CSRFToken": token}
            )
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.get_json()["error"]["code"] == "not_authenticated"
