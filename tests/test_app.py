from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from meetings.app import create_app
from meetings.config import Config
from tests.conftest import csrf_token, login, post


def test_config_defaults_and_generated_secret_key(tmp_path: Path) -> None:
    config = Config.from_env({"INSTANCE_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'meetings.db'}"
    assert config.port == 5000 and config.redis_url is None
    assert len(config.secret_key) == 64
    # Kept on disk, so a restart keeps sessions valid.
    assert Config.from_env({"INSTANCE_DIR": str(tmp_path)}).secret_key == config.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_config_from_environment(tmp_path: Path) -> None:
    config = Config.from_env(
        {
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://x@h/db",
            "SECRET_KEY": "k",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "PORT": "8080",
            "HOST": "0.0.0.0",
            "DOCUMENTS_DIR": "/srv/docs",
        }
    )
    assert (config.database_url, config.secret_key, config.port) == (
        "postgresql+psycopg://x@h/db",
        "k",
        8080,
    )
    assert config.redis_url == "redis://127.0.0.1:6379/0" and config.host == "0.0.0.0"
    assert str(config.documents_dir) == "/srv/docs"


def test_factory_builds_independent_apps(seeded_url: str, tmp_path: Path) -> None:
    from tests.conftest import make_config

    a = create_app(make_config(tmp_path / "a", seeded_url))
    b = create_app(make_config(tmp_path / "b", seeded_url, login_lock_minutes=1))
    assert a is not b
    assert b.config["APP_CONFIG"].login_lock_minutes == 1


def test_healthz_reports_version_and_database(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"version": "0.1.0", "database": "ok"}


def test_unknown_api_route_is_json_404(client: Any) -> None:
    for method in ("get", "post", "delete"):
        response = getattr(client, method)("/api/no/such/thing")
        assert response.status_code == 404
        assert response.is_json
        assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_is_valid_and_generated(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert "/api/auth/login" in spec["paths"]
    body = spec["paths"]["/api/auth/login"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("LoginIn")
    assert spec["components"]["schemas"]["LoginIn"]["additionalProperties"] is False


def test_malformed_json_is_invalid_payload(client: Any) -> None:
    response = client.post(
        "/api/auth/login",
        data="{not json",
        headers={"X-CSRFToken": csrf_token(client), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_payload"


def test_wrong_types_and_extra_fields_are_invalid_payload(client: Any) -> None:
    for body in ({"username": 5, "password": "x"}, {"username": "a", "password": "b", "x": 1}):
        response = post(client, "/api/auth/login", body)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_payload"


def test_missing_csrf_token_is_403(client: Any) -> None:
    response = client.post("/api/auth/login", json={"username": "chair", "password": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_csrf_required_on_logout_too(client: Any) -> None:
    login(client, "chair")
    assert client.post("/api/auth/logout").status_code == 403
    assert client.get("/api/session").get_json()["authenticated"] is True
