"""One error shape for the API, one error page for people; no traceback ever reaches either.

Every JSON error is ``{"error": {"code", "message", "param"}}`` with the real HTTP status;
``param`` names the request parameter at fault, or is null.
"""

from __future__ import annotations

from flask import g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.store import NoIndex

from ..api.params import BadParameter

MESSAGES = {
    400: "Yêu cầu không hợp lệ",
    404: "Không tìm thấy trang",
    405: "Phương thức không được hỗ trợ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi máy chủ",
    503: "Chỉ mục tìm kiếm chưa sẵn sàng",
}

# Headers an HTTP error carries that a client needs to act on (405: Allow; 429, 503: Retry-After).
_KEPT_HEADERS = ("Allow", "Retry-After")


def error_body(code: str, message: str, param: str | None = None) -> dict:
    """The JSON body of every API error."""
    return {"error": {"code": code, "message": message, "param": param}}


def wants_json() -> bool:
    """Whether this request is answered in JSON (the API and the machine endpoints)."""
    return request.path.startswith("/api/") or request.path in ("/healthz", "/metrics")


def respond(status: int, code: str, message: str, param: str | None = None, headers=()):
    g.error_code = code  # for the request log and the error counters
    if wants_json():
        response = jsonify(error_body(code, message, param))
        response.cache_control.no_store = True
    else:
        response = render_template(
            "error.html", status=status, title=MESSAGES.get(status, "Lỗi"), message=message,
        )
    return response, status, list(headers)


def init_app(app):
    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        return respond(400, exc.code, exc.message, exc.param)

    @app.errorhandler(NoIndex)
    def no_index(exc: NoIndex):
        app.logger.error("%s", exc)
        return respond(503, "no_index", "the search index has not been built yet")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_").replace("'", "")
        kept = [(k, v) for k, v in exc.get_headers() if k in _KEPT_HEADERS]
        return respond(exc.code or 500, code, exc.description or exc.name, headers=kept)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.full_path)
        return respond(500, "internal_error", "an unexpected error occurred; it has been logged")
