"""One error shape for the API, one error page for people; no traceback ever reaches either."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.store import NoIndex

from .params import BadParameter

MESSAGES = {
    400: "Yêu cầu không hợp lệ",
    404: "Không tìm thấy trang",
    405: "Phương thức không được hỗ trợ",
    500: "Lỗi máy chủ",
    503: "Chỉ mục tìm kiếm chưa sẵn sàng",
}


def error_body(code: str, message: str, param: str | None = None) -> dict:
    """The JSON body of every API error."""
    error = {"code": code, "message": message}
    if param:
        error["param"] = param
    return {"error": error}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def respond(status: int, code: str, message: str, param: str | None = None):
    if _wants_json():
        return jsonify(error_body(code, message, param)), status
    return render_template(
        "error.html", status=status, title=MESSAGES.get(status, "Lỗi"), message=message,
    ), status


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
        code = (exc.name or "error").lower().replace(" ", "_")
        return respond(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.full_path)
        return respond(500, "internal_error", "an unexpected error occurred; it has been logged")
