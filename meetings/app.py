"""create_app(config): the one place that wires settings, database, extensions and routes."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from flask import Response, g, jsonify, request
from flask_openapi3 import Info, OpenAPI
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from meetings import __version__
from meetings.config import Config
from meetings.db import bind, db, make_engine
from meetings.errors import AppError, invalid_payload
from meetings.extensions import csrf, socketio
from meetings.outages import outage_error
from meetings.services.accounts.login import use_hashing

log = logging.getLogger("meetings.http")

_HTTP_CODES = {
    400: "invalid_payload",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}
# Werkzeug's descriptions are English; users see these instead.
_HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy địa chỉ này.",
    405: "Địa chỉ này không nhận phương thức yêu cầu đó.",
    413: "Dữ liệu gửi lên quá lớn.",
}


def _validation_error(exc: ValidationError) -> Response:
    return _error_response(invalid_payload(exc))


def _error_response(err: AppError) -> Response:
    response = jsonify(err.body())
    response.status_code = err.status
    return response


def create_app(config: Config | None = None) -> OpenAPI:
    config = config or Config.from_env()
    app = OpenAPI(
        __name__,
        info=Info(title="Phòng họp số API", version=__version__),
        doc_ui=False,
        security_schemes={
            "session": {"type": "apiKey", "in": "cookie", "name": "phs_session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        },
        validation_error_status=400,
        validation_error_callback=_validation_error,
        static_folder=None,
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        APP_CONFIG=config,
        TESTING=config.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.behind_tls,
        SESSION_COOKIE_NAME="phs_session",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        MAX_CONTENT_LENGTH=110 * 1024 * 1024,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable
    if config.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    engine = make_engine(config.database_url)
    bind(engine)
    app.extensions["engine"] = engine
    use_hashing(config.password_hashing)

    from meetings.events.outbox import set_emitter
    from meetings.realtime import load_commands
    from meetings.realtime.events import emit_event
    from meetings.realtime.message_queue import client_manager

    # Handlers must be declared before init_app: Flask-SocketIO replays its handler
    # list into each new server, but handlers added later reach only the current one.
    load_commands()
    csrf.init_app(app)
    socketio.init_app(
        app,
        async_mode="gevent",
        client_manager=client_manager(config.redis_url),  # Redis when several workers
        cors_allowed_origins=None,  # same origin only
        ping_interval=10,
        ping_timeout=20,
        max_http_buffer_size=2 * 1024 * 1024,
    )
    set_emitter(emit_event)  # services queue events; Socket.IO delivers them

    _register_error_handlers(app)
    _register_request_log(app)

    from meetings.api import register_api
    from meetings.web import register_web

    register_api(app)
    register_web(app)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        db.remove()

    return app


def _register_error_handlers(app: OpenAPI) -> None:
    @app.errorhandler(AppError)
    def _app_error(err: AppError) -> Response:
        return _error_response(err)

    @app.errorhandler(CSRFError)
    def _csrf_error(_err: CSRFError) -> Response:
        return _error_response(
            AppError("csrf_failed", "Phiên làm việc đã hết hạn, hãy tải lại trang và thử lại.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if exc.response is not None:  # flask-openapi3 aborts with a ready response
            return exc.response
        code = _HTTP_CODES.get(exc.code or 500, "http_error")
        err = AppError(code, _HTTP_MESSAGES.get(exc.code or 500, "Yêu cầu không thực hiện được."))
        response = _error_response(err)
        response.status_code = exc.code or 500
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        with contextlib.suppress(Exception):  # a dead connection must not cost the answer
            db.rollback()
        known = outage_error(exc)
        if known is not None:
            log.warning("%s: %s", known.code, type(exc).__name__, extra={"path": request.path})
            return _error_response(known)
        log.exception("unhandled error", extra={"path": request.path})
        return _error_response(AppError("internal_error", "Lỗi hệ thống, vui lòng thử lại."))


def _register_request_log(app: OpenAPI) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        if request.path.startswith(("/static/", "/vendor/", "/socket.io")):
            return response
        started = g.get("request_started")
        elapsed = (time.perf_counter() - started) * 1000 if started else None
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round(elapsed, 1) if elapsed is not None else None,
                "remote": request.remote_addr,
            },
        )
        return response
