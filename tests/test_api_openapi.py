"""The OpenAPI description covers the API as it is, and its page is readable."""

from __future__ import annotations

import re

import pytest

from webui.api.openapi import ERROR_CODES, spec

# Routes of the API outside /api/: for machines, in JSON or the Prometheus format.
SERVICE = {"/healthz", "/metrics"}


def test_the_served_description_is_the_spec(client):
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    assert served.get_json() == spec()
    assert spec()["openapi"].startswith("3.")


def test_the_description_is_valid_openapi_3_0():
    # the OpenAPI 3.0 meta-schema as Schemathesis ships it (the version is pinned)
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    assert [str(e) for e in OPENAPI_30_VALIDATOR.iter_errors(spec())] == []


def test_every_route_of_the_app_is_described(app):
    routes = {re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") or rule.rule in SERVICE}
    described = {path.replace("{id}", "{article_id}") for path in spec()["paths"]}
    assert routes == described


def test_every_operation_describes_its_errors_in_the_one_shape():
    for path, methods in spec()["paths"].items():
        responses = methods["get"]["responses"]
        assert "200" in responses and "500" in responses, path
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                name = response["$ref"].rsplit("/", 1)[1]
                body = spec()["components"]["responses"][name]["content"]["application/json"]
                assert body["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_operation_lists_the_servers_414():
    # a request line longer than gunicorn takes is refused before the app sees it
    for path, methods in spec()["paths"].items():
        assert methods["get"]["responses"]["414"] == {
            "$ref": "#/components/responses/URITooLong"}, path


@pytest.mark.parametrize("utm", [{}, {"utm_source": "newsletter"}])
def test_the_docs_page_lists_every_operation_and_parameter(client, utm):
    response = client.get("/api/docs", query_string=utm)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html and 'class="site"' in html  # the site's own layout
    for path, methods in spec()["paths"].items():
        assert f"GET {path}" in html
        for parameter in methods["get"]["parameters"]:
            if "name" in parameter:
                assert f"<code>{parameter['name']}</code>" in html
    for code in ERROR_CODES:
        assert f"<code>{code}</code>" in html
    # the site's Content-Security-Policy allows no inline style or script
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_the_docs_page_escapes_the_description(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "&lt;mark&gt;" in html  # "các từ ... trong `<mark>`" stays text
    assert ("<code>&#34;cụm từ chính xác&#34;</code>" in html
            or "<code>&quot;cụm từ chính xác&quot;</code>" in html)


ENGLISH = ["Parameters", "Responses", "Schemas", "Endpoints", "(required)", 'col">meaning<',
           'col">status<', "No parameters", "Search articles", "Get an article", "at most",
           "default ", "one of ", " or null", "array of", "The article", "for people"]


def test_the_docs_page_speaks_vietnamese(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert [word for word in ENGLISH if word in html] == []
    assert "Tham số" in html and "trạng thái" in html and "mặc định 10" in html
