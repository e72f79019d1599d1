"""The OpenAPI 3 description of the JSON API: the contract, served at /api/openapi.json.

The parameters and their limits come from their one declaration in params.py, so the
description cannot drift from the code; tests/test_schemathesis.py holds the app to it with
generated requests. The texts are for people reading /api/docs: in Vietnamese, like the site.
"""

from __future__ import annotations

from functools import lru_cache

from ..core.facets import FIELDS as FACETS
from ..core.facets import NAME_FACETS
from ..core.request import MAX_PAGE, MAX_PER_PAGE, MAX_RESULTS_DEPTH, SORTS
from .params import ARTICLE, FACET_VALUES, MAX_FILTER_VALUES, SEARCH, SUGGEST, Param

API_VERSION = "1.2.0"

# Every error code the API gives, with its status and what a client should do.
ERROR_CODES = {
    "invalid_parameter": (400, "tham số sai kiểu, ngoài giới hạn, rỗng, hoặc lặp lại khi chỉ "
                               "được có một"),
    "unknown_parameter": (400, "điểm cuối không nhận tham số này: kiểm tra chính tả"),
    "missing_parameter": (400, "thiếu tham số bắt buộc, hoặc tham số chỉ có khoảng trắng"),
    "not_found": (404, "không có bài viết, nhóm lọc hoặc đường dẫn này"),
    "method_not_allowed": (405, "chỉ phục vụ GET (và HEAD, OPTIONS); xem tiêu đề Allow"),
    "too_many_requests": (429, "máy khách đã hết lượt: chờ số giây trong Retry-After"),
    "internal_error": (500, "lỗi phía máy chủ; đã được ghi lại, không hiện chi tiết"),
    "no_index": (503, "chỉ mục tìm kiếm chưa được xây dựng: thử lại sau"),
}

DESCRIPTION = f"""\
Tìm bài báo tiếng Việt theo từ, ngày, bộ ngành, nhân vật, chuyên mục và nguồn.

**Cam kết.** Mọi câu trả lời là JSON UTF-8 (chữ Việt để nguyên, không thoát `\\u`), trừ trang
tài liệu và `/metrics`. Một phiên bản phụ chỉ thêm trường; không trường nào bị bỏ hay đổi nghĩa
nếu không lên phiên bản chính.

**Tham số chặt chẽ.** Tham số điểm cuối không nhận, sai kiểu, ngoài giới hạn hoặc rỗng, tham
số chỉ được có một mà lặp lại: đều là **400** (không bao giờ bị bỏ qua im lặng). Giới hạn của
từng tham số ghi ở tham số đó; `page` tối đa {MAX_PAGE} và `per_page` tối đa {MAX_PER_PAGE},
nên trang chỉ đi đến {MAX_RESULTS_DEPTH:,} kết quả đầu (sâu hơn thì thu hẹp bằng bộ lọc); một
bộ lọc lặp lại nhận tối đa {MAX_FILTER_VALUES} giá trị. Chữ ngoài ASCII trong địa chỉ phải được
mã hoá phần trăm (`curl -G --data-urlencode 'q=thi đua'`): máy chủ từ chối địa chỉ có byte
UTF-8 thô, cũng như địa chỉ quá dài (**414**), trước khi ứng dụng đọc nó.

**Lỗi** có một dạng duy nhất, với mã trạng thái HTTP thật:
`{{"error": {{"code": "...", "message": "...", "param": "per_page" hoặc null}}}}`.
`message` để người đọc; chương trình dựa vào `code`:

| mã | trạng thái | nghĩa |
|---|---|---|
""" + "".join(f"| `{code}` | {status} | {meaning} |\n"
              for code, (status, meaning) in ERROR_CODES.items()) + """
**Bộ nhớ đệm.** Câu trả lời chỉ đổi khi chỉ mục được xây lại. Chúng mang `ETag` yếu (thế hệ
chỉ mục và phiên bản API) và `Last-Modified` (lúc chỉ mục đó bắt đầu phục vụ); gửi lại trong
`If-None-Match` / `If-Modified-Since` để nhận `304 Not Modified` không có thân.
`Cache-Control: public, max-age=N` cho phép bộ đệm dùng chung giữ chúng. Lỗi là `no-store`.

**CORS.** Mọi nguồn gốc đều được GET: `Access-Control-Allow-Origin: *`; script đọc được ETag,
Last-Modified và Retry-After.

**Giới hạn lượt.** Mỗi máy khách có số yêu cầu giới hạn (mặc định 120 mỗi phút); quá mức thì
nhận 429 với `Retry-After` tính bằng giây. `/healthz` và `/metrics` không bị giới hạn.
"""


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _parameters(params: dict[str, Param]) -> list[dict]:
    return [p.openapi() for p in params.values()] + _CONDITIONAL


_NULLABLE_STRING = {"type": "string", "nullable": True}
_DAY = {"type": "string", "format": "date", "nullable": True}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_CONDITIONAL = [_ref("parameters", "IfNoneMatch"), _ref("parameters", "IfModifiedSince")]


def _answer(schema: str | dict, text: str, validators: bool = True) -> dict:
    headers = {"ETag": _ref("headers", "ETag"), "Cache-Control": _ref("headers", "CacheControl"),
               "Access-Control-Allow-Origin": _ref("headers", "AllowOrigin")}
    if validators:
        headers["Last-Modified"] = _ref("headers", "LastModified")
    return {"description": text, "headers": headers,
            "content": {"application/json": {
                "schema": _ref("schemas", schema) if isinstance(schema, str) else schema}}}


def _errors(*statuses: int) -> dict:
    names = {304: "NotModified", 400: "BadRequest", 404: "NotFound", 414: "URITooLong",
             429: "TooManyRequests", 500: "InternalError", 503: "NoIndex"}
    # every request goes through the server, which refuses a request line it finds too long
    return {str(status): _ref("responses", names[status]) for status in sorted({*statuses, 414})}


def _get(operation_id: str, summary: str, description: str, parameters: list, responses: dict,
         tag: str) -> dict:
    return {"get": {"summary": summary, "description": description, "tags": [tag],
                    "operationId": operation_id, "parameters": parameters,
                    "responses": responses}}


_SUMMARY_FIELDS = {
    "id": {"type": "string", "description": "Mã bài viết, dùng được trong đường dẫn: tên tệp "
           "nguồn không có phần mở rộng, hoặc mã của nguồn (URL của một mục tin) đã làm an toàn."},
    "title": {"type": "string"},
    "date": {**_DAY, "description": "Ngày đăng, null khi không rõ."},
    "source": {**_NULLABLE_STRING, "description": "Trang nguồn của bài (nhóm lọc `source`)."},
    "url": _NULLABLE_STRING,
    "author": _NULLABLE_STRING,
    "category": {**_NULLABLE_STRING, "description": "Chuyên mục (nhóm lọc `category`)."},
    "ministries": {**_STRINGS, "description": "Tên chuẩn của các bộ, ngành bài nhắc đến."},
    "persons": {**_STRINGS, "description": "Các nhân vật bài nhắc đến."},
}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "additionalProperties": False,
              "properties": properties}
    if description:
        schema["description"] = description
    return schema


_COUNT = {"type": "integer", "minimum": 0}

SCHEMAS = {
    "ArticleSummary": _object(_SUMMARY_FIELDS, "Thông tin của một bài viết."),
    "Hit": _object({
        **_SUMMARY_FIELDS,
        "title_html": {"type": "string", "description": "Tiêu đề dạng HTML: chữ đã thoát, các "
                                                        "từ của truy vấn trong `<mark>`."},
        "snippet": {"type": "string", "description": "Đoạn trích HTML quanh các từ của truy "
                                                     "vấn, chữ đã thoát, các từ trong `<mark>`."},
    }, "Một kết quả tìm kiếm."),
    "Article": _object({
        **_SUMMARY_FIELDS,
        "summary": {"type": "string"},
        "body": {"type": "string", "description": "Các đoạn, cách nhau bằng dấu xuống dòng."},
        "captions": _STRINGS,
        "images": _STRINGS,
        "related": {"type": "array", "items": _ref("schemas", "ArticleSummary"),
                    "description": "Các bài cùng chủ đề, giống nhất trước."},
    }, "Một bài viết với toàn văn."),
    "FacetValue": _object({
        "value": {"type": "string"},
        "count": _COUNT,
        "selected": {"type": "boolean", "description": "Tìm kiếm có đang lọc theo giá trị này."},
    }),
    "SearchResults": _object({
        "query": {"type": "string", "description": "Nội dung tìm, đã bỏ khoảng trắng hai đầu."},
        "total": {**_COUNT, "description": "Số bài khớp."},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "sort": {"type": "string", "enum": list(SORTS)},
        "facet_size": {"type": "integer", "minimum": 1},
        "relaxed": {"type": "boolean", "description": "Không bài nào có đủ phần lớn truy vấn: "
                                                      "kết quả là các bài có một phần."},
        "suggestion": {**_NULLABLE_STRING, "description": "Cách viết đúng hơn của truy vấn, "
                                                          "đáng gợi ý (\"có phải bạn muốn "
                                                          "tìm\"), hoặc null."},
        "took_ms": {"type": "number", "minimum": 0, "description": "Thời gian tìm (ms)."},
        "filters": _object({
            "ministry": _STRINGS,
            "predecessors": {"type": "boolean"},
            "ministries_included": {**_STRINGS, "description": "Các bộ bộ lọc nhận: các bộ đã "
                                                               "chọn, với `predecessors` thêm "
                                                               "các bộ đã hợp nhất vào đó."},
            "person": _STRINGS,
            "category": _STRINGS,
            "source": _STRINGS,
            "date": _STRINGS,
            "from": _DAY,
            "to": _DAY,
        }, "Các bộ lọc đã áp dụng, như máy chủ hiểu."),
        "results": {"type": "array", "items": _ref("schemas", "Hit")},
        "facets": _object(
            {name: {"type": "array", "items": _ref("schemas", "FacetValue")} for name in FACETS},
            "Số đếm trên mọi bài khớp, không chỉ trang này. Giá trị đã chọn của một nhóm không "
            "thu hẹp số đếm của chính nhóm đó (chọn nhiều giá trị: bài có một trong số đó là "
            "khớp); các nhóm khác thì có. `date` gồm các tháng (`2017-03`) và `none`, mới nhất "
            "trước; `year` cộng theo năm.",
        ),
        "facets_truncated": _object(
            {name: {"type": "boolean"} for name in NAME_FACETS},
            "Nhóm lọc theo tên còn giá trị chưa liệt kê hay không: tìm chúng bằng "
            "`/api/facets/{name}?prefix=` hoặc `facet_size` lớn hơn.",
        ),
    }, "Một trang kết quả cùng các nhóm lọc của cả lượt tìm."),
    "Suggestions": _object({
        "query": {"type": "string"},
        "suggestions": {"type": "array", "items": _object({
            "text": {"type": "string", "description": "Chữ đưa vào ô tìm kiếm."},
            "kind": {"type": "string", "enum": ["term", "ministry", "person"],
                     "description": "`term`: từ trong tiêu đề; `ministry`, `person`: một giá "
                                    "trị của nhóm lọc (lọc bằng tham số cùng tên)."},
            "count": {**_COUNT, "description": "Số tiêu đề có các từ, hoặc số bài nhắc tên."},
        })},
    }, "Các cách hoàn thành chữ đã gõ, tốt nhất trước."),
    "FacetSearch": _object({
        "facet": {"type": "string", "enum": list(FACETS)},
        "prefix": {"type": "string"},
        "total": {**_COUNT, "description": "Số giá trị khớp; `values` có `limit` giá trị đầu."},
        "values": {"type": "array", "items": _object({
            "value": {"type": "string"},
            "count": {**_COUNT, "description": "Số bài có giá trị này."},
        })},
    }, "Các giá trị của một nhóm lọc khớp với phần đầu, tốt nhất trước."),
    "Health": _object({
        "status": {"type": "string", "enum": ["ok"]},
        "articles": _COUNT,
        "generation": {"type": "string", "description": "Tên thế hệ chỉ mục đang phục vụ."},
        "built_at": {"type": "string", "format": "date-time"},
        "api_version": {"type": "string"},
    }, "Dịch vụ và chỉ mục đang phục vụ."),
    "Error": _object({"error": _object({
        "code": {"type": "string", "pattern": "^[a-z_]+$",
                 "description": "Lỗi gì, cho chương trình: " + ", ".join(
                     f"`{c}`" for c in ERROR_CODES) + "."},
        "message": {"type": "string", "description": "Lỗi gì, cho người đọc."},
        "param": {**_NULLABLE_STRING, "description": "Tham số gây lỗi, hoặc null."},
    })}, "Dạng duy nhất của mọi lỗi."),
}


def _error(text: str, retry_after: bool = False) -> dict:
    headers = {"Cache-Control": _ref("headers", "CacheControl"),
               "Access-Control-Allow-Origin": _ref("headers", "AllowOrigin")}
    if retry_after:
        headers["Retry-After"] = _ref("headers", "RetryAfter")
    return {"description": text, "headers": headers,
            "content": {"application/json": {"schema": _ref("schemas", "Error")}}}


def _header(text: str, schema: dict | None = None) -> dict:
    return {"description": text, "required": True, "schema": schema or {"type": "string"}}


COMPONENTS = {
    "schemas": SCHEMAS,
    "parameters": {
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "Một ETag đã nhận: 304 khi nó vẫn đúng."},
        "IfModifiedSince": {"name": "If-Modified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": "Một ngày giờ HTTP: 304 khi chỉ mục không mới hơn."},
    },
    "headers": {
        "ETag": _header("Bộ kiểm tra yếu: thế hệ chỉ mục và phiên bản API."),
        "LastModified": _header("Lúc thế hệ chỉ mục đang trả lời bắt đầu phục vụ (sau một lần "
                                "xây, cập nhật hoặc quay lại)."),
        "CacheControl": _header("`public, max-age=N` cho câu trả lời, `no-store` cho lỗi."),
        "AllowOrigin": _header("`*`: mọi trang web đều đọc được câu trả lời.",
                               {"type": "string", "enum": ["*"]}),
        "RetryAfter": _header("Số giây cần chờ trước yêu cầu tiếp theo.",
                              {"type": "string", "pattern": "^[0-9]+$"}),
    },
    "responses": {
        "NotModified": {"description": "Bản của máy khách (If-None-Match / If-Modified-Since) "
                                       "vẫn đúng: không có thân.",
                        "headers": {"ETag": _ref("headers", "ETag")}},
        "BadRequest": _error("Tham số lạ, sai kiểu, ngoài giới hạn, rỗng hoặc lặp lại; "
                             "`param` nêu tên nó."),
        "NotFound": _error("Không có bài viết, nhóm lọc hoặc đường dẫn này."),
        "URITooLong": {"description": "Dòng yêu cầu dài hơn máy chủ HTTP nhận (gunicorn: "
                                      "`limit_request_line`, mặc định 4094 byte). Máy chủ trả "
                                      "lời trước ứng dụng: bằng trang HTML của nó, hoặc bằng "
                                      "dạng lỗi JSON nếu được cấu hình như vậy.",
                       "content": {"text/html": {"schema": {"type": "string"}},
                                   "application/json": {"schema": _ref("schemas", "Error")}}},
        "TooManyRequests": _error("Máy khách đã hết lượt.", retry_after=True),
        "InternalError": _error("Lỗi phía máy chủ; đã ghi lại, không hiện chi tiết."),
        "NoIndex": _error("Chỉ mục tìm kiếm chưa được xây dựng."),
    },
}

PATHS = {
    "/api/search": _get(
        "search_articles", "Tìm bài viết",
        "Lượt tìm của trang tìm kiếm: từ, bộ lọc, nhóm lọc, sắp xếp và phân trang.",
        _parameters(SEARCH),
        {"200": _answer("SearchResults", "Một trang kết quả và các nhóm lọc của lượt tìm."),
         **_errors(304, 400, 429, 500, 503)}, "search"),
    "/api/articles/{id}": _get(
        "get_an_article", "Lấy một bài viết",
        "Một bài viết với mọi trường của nó và các bài giống nó nhất.",
        _parameters(ARTICLE),
        {"200": _answer("Article", "Bài viết."), **_errors(304, 400, 404, 429, 500, 503)},
        "articles"),
    "/api/suggest": _get(
        "suggest_completions", "Gợi ý khi gõ",
        "Tự hoàn thành cho ô tìm kiếm: từ trong tiêu đề, bộ ngành và nhân vật hoàn thành chữ "
        "đã gõ, có dấu hay không (`ngu` tìm được \"Nguyễn\", `gtvt` tìm được \"Bộ Giao thông "
        "vận tải\"). Khi cả cụm không khớp, từ cuối được hoàn thành riêng (`tiêm chủng mở` → "
        "`tiêm chủng mở rộng`).",
        _parameters(SUGGEST),
        {"200": _answer("Suggestions", "Các gợi ý, tốt nhất trước."),
         **_errors(304, 400, 429, 500, 503)}, "search"),
    "/api/facets/{name}": _get(
        "search_facet_values", "Tìm giá trị của nhóm lọc",
        "Các giá trị của một nhóm lọc bắt đầu bằng một phần đầu, với số bài trong cả chỉ mục, "
        "cho ô \"thêm…\": `ministry`, `person`, `category` và `source` khớp ở đầu bất kỳ từ "
        "nào, có dấu hay không (`ngu`, `Ngũ` → \"Nguyễn …\"; bộ ngành cả theo tên viết tắt: "
        "`gtvt`, `tt&tt`, `nhnn`), nhiều bài nhất trước; `date` (tháng) và `year` khớp từ "
        "đầu, mới nhất trước. Không có phần đầu: mọi giá trị.",
        _parameters(FACET_VALUES),
        {"200": _answer("FacetSearch", "Các giá trị khớp."),
         **_errors(304, 400, 404, 429, 500, 503)}, "search"),
    "/healthz": _get(
        "health", "Tình trạng",
        "Dịch vụ có trả lời được không, và trả lời từ chỉ mục nào: cho bộ cân bằng tải và "
        "giám sát. 503 khi chưa có chỉ mục. Không bao giờ được lưu đệm hay giới hạn lượt.",
        [],
        {"200": {"description": "Sẵn sàng.", "content": {"application/json": {
            "schema": _ref("schemas", "Health")}}},
         **_errors(400, 500, 503)}, "service"),
    "/metrics": _get(
        "metrics", "Số đo",
        "Các bộ đếm theo định dạng văn bản của Prometheus: yêu cầu theo điểm cuối và trạng "
        "thái, lỗi theo mã, phân vị thời gian trả lời, lượt trúng bộ đệm HTTP, chỉ mục đang "
        "phục vụ.",
        [],
        {"200": {"description": "Định dạng văn bản Prometheus 0.0.4.",
                 "content": {"text/plain": {"schema": {"type": "string"}}}},
         **_errors(400, 500)}, "service"),
    "/api/openapi.json": _get(
        "openapi_description", "Mô tả OpenAPI", "Chính tài liệu này.", [_CONDITIONAL[0]],
        {"200": _answer({"type": "object"}, "Mô tả OpenAPI 3.", validators=False),
         **_errors(304, 400, 429, 500)}, "service"),
    "/api/docs": _get(
        "documentation", "Tài liệu", "Mô tả này dưới dạng trang cho người đọc.", [],
        {"200": {"description": "Một trang HTML.", "content": {"text/html": {
            "schema": {"type": "string"}}}},
         **_errors(429, 500)}, "service"),
}


@lru_cache(maxsize=1)
def spec() -> dict:
    """The OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tìm kiếm tin tức — API tìm kiếm tin tức tiếng Việt",
                 "version": API_VERSION, "description": DESCRIPTION},
        "tags": [{"name": "search", "description": "Tìm bài viết."},
                 {"name": "articles", "description": "Đọc một bài viết."},
                 {"name": "service", "description": "Bản thân dịch vụ."}],
        "paths": PATHS,
        "components": COMPONENTS,
    }


# -- the documentation page's view of the description ------------------------------------------


def _resolve(node: dict) -> dict:
    if "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        return COMPONENTS[kind][name]
    return node


def type_text(schema: dict) -> str:
    """A schema in words: "integer 1–100, mặc định 10", "mảng string, tối đa 20"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    if kind == "array":
        text = f"mảng {type_text(schema.get('items', {}))}"
        if "maxItems" in schema:
            text += f", tối đa {schema['maxItems']}"
        return text
    parts = [schema.get("format", kind)]
    if "enum" in schema:
        parts = ["một trong " + ", ".join(map(str, schema["enum"]))]
    if "minimum" in schema and "maximum" in schema:
        parts[0] += f" {schema['minimum']}–{schema['maximum']}"
    elif "minimum" in schema:
        parts[0] += f" ≥ {schema['minimum']}"
    if "maxLength" in schema:
        parts.append(f"{schema.get('minLength', 0)}–{schema['maxLength']} ký tự")
    if "pattern" in schema and "enum" not in schema and "\\s" not in schema["pattern"]:
        parts.append(f"khớp {schema['pattern']}")
    if schema.get("nullable"):
        parts.append("hoặc null")
    if schema.get("default", "") != "":
        parts.append(f"mặc định {schema['default']}")
    return ", ".join(parts)


def operations() -> list[dict]:
    """Every operation, ready to list: method, path, parameters and responses in words."""
    out = []
    for path, methods in PATHS.items():
        for method, op in methods.items():
            parameters = [_resolve(p) for p in op["parameters"]]
            responses = []
            for status, response in op["responses"].items():
                response = _resolve(response)
                content = response.get("content", {})
                media, body = next(iter(content.items()), (None, {}))
                schema = body.get("schema", {})
                responses.append({
                    "status": status, "description": response["description"], "media": media,
                    "schema": schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None,
                })
            out.append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "summary": op["summary"], "description": op["description"],
                "parameters": [{"name": p["name"], "in": p["in"], "required": p["required"],
                                "type": type_text(p["schema"]), "description": p["description"]}
                               for p in parameters],
                "responses": responses,
            })
    return out


def schemas() -> list[dict]:
    """Every schema with its fields in words; fields of inline objects as "filters.from"."""
    return [{"name": name, "description": schema.get("description", ""),
             "fields": _fields(schema, "")} for name, schema in SCHEMAS.items()]


def _fields(schema: dict, prefix: str) -> list[dict]:
    out = []
    for field, prop in schema.get("properties", {}).items():
        name = prefix + field
        target = prop.get("items", prop)
        out.append({
            "name": name, "type": type_text(prop), "description": prop.get("description", ""),
            "ref": target["$ref"].rsplit("/", 1)[-1] if "$ref" in target else None,
        })
        if "properties" in target:
            out += _fields(target, name + ("[]." if target is not prop else "."))
    return out
