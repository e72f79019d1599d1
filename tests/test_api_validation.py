"""Strict parameters and the one error shape, endpoint by endpoint and rule by rule."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from webui import create_app
from webui.api.params import parse_search

ERROR_KEYS = {"code", "message", "param"}


def error_of(response, status: int) -> dict:
    """The error of a response, after checking its status, shape and content type."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return body["error"]


@pytest.mark.parametrize("path, params, param", [
    # wrong types
    ("/api/search", {"page": "x"}, "page"),
    ("/api/search", {"page": "1.5"}, "page"),
    ("/api/search", {"page": "1_0"}, "page"),
    ("/api/search", {"page": " 2"}, "page"),
    ("/api/search", {"per_page": "١٠"}, "per_page"),  # digits of another script
    ("/api/search", {"facet_size": "many"}, "facet_size"),
    ("/api/search", {"from": "23/3/2017"}, "from"),
    ("/api/search", {"to": "2017-3-23"}, "to"),
    ("/api/search", {"from": " 2017-03-23"}, "from"),
    # out of range
    ("/api/search", {"page": "0"}, "page"),
    ("/api/search", {"page": "-1"}, "page"),
    ("/api/search", {"per_page": "0"}, "per_page"),
    ("/api/search", {"per_page": "1000"}, "per_page"),
    ("/api/search", {"facet_size": "0"}, "facet_size"),
    ("/api/search", {"facet_size": "101"}, "facet_size"),
    ("/api/search", {"page": "99999999999999999999"}, "page"),
    ("/api/search", {"per_page": "9" * 5000}, "per_page"),
    ("/api/search", {"from": "2024-13-01"}, "from"),
    ("/api/search", {"to": "2023-02-29"}, "to"),
    ("/api/search", {"date": "2017-13"}, "date"),
    ("/api/search", {"date": "17"}, "date"),
    ("/api/search", {"sort": "best"}, "sort"),
    ("/api/search", {"q": "x" * 501}, "q"),
    ("/api/search", {"ministry": "B" * 201}, "ministry"),
    ("/api/search", {"person": [f"P{n}" for n in range(21)]}, "person"),
    # paging depth: a limit of page's own
    ("/api/search", {"page": "1001", "per_page": "10"}, "page"),
    ("/api/search", {"page": "101", "per_page": "100"}, "page"),
    ("/api/search", {"page": "101", "per_page": "1"}, "page"),
    ("/api/search", {"category": ""}, "category"),
    ("/api/search", {"source": ["mic.gov.vn", "\x1e"]}, "source"),
    ("/api/search", {"category": "C" * 201}, "category"),
    ("/api/search", {"source": [f"s{n}" for n in range(21)]}, "source"),
    # empty values: the API does not guess what was meant
    ("/api/search", {"page": ""}, "page"),
    ("/api/search", {"sort": ""}, "sort"),
    ("/api/search", {"from": ""}, "from"),
    ("/api/search", {"ministry": ""}, "ministry"),
    ("/api/search", {"date": " "}, "date"),
    # single-valued parameters given twice
    ("/api/search", {"page": ["1", "2"]}, "page"),
    ("/api/search", {"q": ["a", "b"]}, "q"),
    ("/api/search", {"sort": ["newest", "newest"]}, "sort"),
    # the other endpoints
    ("/api/articles/mic-2017-03-23", {"related": "-1"}, "related"),
    ("/api/articles/mic-2017-03-23", {"related": "11"}, "related"),
    ("/api/articles/mic-2017-03-23", {"related": "some"}, "related"),
    ("/api/articles/mic-2017-03-23", {"related": ["1", "2"]}, "related"),
    ("/api/articles/mic-2017-03-23", {"related": ["3", "3"]}, "related"),
    ("/api/articles/" + "x" * 201, {}, "id"),
    ("/api/suggest", {"q": "ngu", "limit": "0"}, "limit"),
    ("/api/suggest", {"q": "ngu", "limit": "21"}, "limit"),
    ("/api/suggest", {"q": "n" * 101}, "q"),
    ("/api/facets/person", {"limit": "0"}, "limit"),
    ("/api/facets/person", {"limit": "101"}, "limit"),
    ("/api/facets/person", {"prefix": "p" * 201}, "prefix"),
    ("/api/facets/person", {"prefix": ["a", "b"]}, "prefix"),
])
def test_invalid_values_are_400_naming_the_parameter(client, path, params, param):
    error = error_of(client.get(path, query_string=params), 400)
    assert error["code"] == "invalid_parameter" and error["param"] == param
    assert param in error["message"] or param == "q" or param == "id"


@pytest.mark.parametrize("path", [
    "/api/search", "/api/articles/mic-2017-03-23", "/api/suggest?q=ngu", "/api/facets/person",
    "/api/openapi.json", "/healthz", "/metrics",
])
@pytest.mark.parametrize("unknown", ["utm_source", "pagee", "callback", "Q"])
def test_unknown_parameters_are_400(client, path, unknown):
    sep = "&" if "?" in path else "?"
    error = error_of(client.get(f"{path}{sep}{unknown}=1"), 400)
    assert error == {"code": "unknown_parameter", "param": unknown, "message": error["message"]}
    assert repr(unknown) in error["message"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "\x1e\x85"}])
def test_suggest_needs_text(client, params):
    error = error_of(client.get("/api/suggest", query_string=params), 400)
    assert error["code"] == "missing_parameter" and error["param"] == "q"


@pytest.mark.parametrize("params", [
    {"utm_source": "zalo", "q": "thi đua"}, {"page": ""}, {"from": "", "to": ""},
    {"fbclid": "x", "ministry": ""},
])
def test_the_search_page_stays_lenient(client, params):
    assert client.get("/", query_string=params).status_code == 200


@pytest.mark.parametrize("params", [
    {"q": "thi đua", "ministry": ["Bộ Y tế", "Bộ Công an"], "date": ["2017", "2017-03", "none"],
     "from": "2017-01-01", "to": "2026-12-31", "sort": "oldest", "page": "1", "per_page": "100",
     "facet_size": "100"},
    {"page": "100", "per_page": "100"},  # exactly as deep as paging goes
    {"q": "x" * 500},
    {"person": [f"P{n}" for n in range(20)]},
    {"category": "Thời sự", "source": ["mic.gov.vn", "dantri.com.vn"]},
])
def test_valid_edges_are_accepted(client, params):
    assert client.get("/api/search", query_string=params).status_code == 200


def limits(spec: dict):
    """(path, parameter, the last value allowed, the first refused) of every limit described."""
    for path, methods in spec["paths"].items():
        if "{" in path:
            path = path.replace("{id}", "mic-2017-03-23").replace("{name}", "person")
        required = {p["name"]: p.get("example", "x") for p in methods["get"]["parameters"]
                    if p.get("in") == "query" and p["required"]}
        for p in methods["get"]["parameters"]:
            schema = p.get("schema", {})
            if p.get("in") != "query":
                continue
            if "maximum" in schema:
                yield path, required, p["name"], schema["maximum"], schema["maximum"] + 1
                yield path, required, p["name"], schema["minimum"], schema["minimum"] - 1
            if "maxLength" in schema:
                yield (path, required, p["name"], "ố" * schema["maxLength"],
                       "ố" * (schema["maxLength"] + 1))
            if "maxItems" in schema:
                many = [f"{p['name']}{n}" if p["name"] != "date" else f"{2000 + n}"
                        for n in range(schema["maxItems"] + 1)]
                yield path, required, p["name"], many[:-1], many


def test_every_described_limit_is_the_limit_enforced(app):
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    checked = 0
    for path, required, name, allowed, refused in limits(spec):
        accepted = client.get(path, query_string={**required, name: allowed})
        assert accepted.status_code == 200, (path, name, accepted.get_json())
        error = error_of(client.get(path, query_string={**required, name: refused}), 400)
        assert error["param"] == name, (path, name, error)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("params, expected", [
    ({"from": "2024-05-01", "to": "2024-01-01"}, ("2024-01-01", "2024-05-01")),
    ({"from": "2024-01-01", "to": "2024-05-01"}, ("2024-01-01", "2024-05-01")),
])
@pytest.mark.parametrize("strict", [False, True])
def test_a_reversed_range_is_read_as_meant(client, params, expected, strict):
    req = parse_search(MultiDict(params), strict=strict)
    assert (req.date_from.isoformat(), req.date_to.isoformat()) == expected
    found = client.get("/api/search", query_string=params).get_json()
    assert (found["filters"]["from"], found["filters"]["to"]) == expected


@pytest.mark.parametrize("path, message", [
    ("/api/nothing", "not found"),
    ("/api/articles/no-such-article", "no-such-article"),
    ("/api/facets/colour", "colour"),
    ("/api/articles/", "not found"),
])
def test_not_found_is_404_in_the_error_shape(client, path, message):
    error = error_of(client.get(path), 404)
    assert error["code"] == "not_found" and error["param"] is None
    assert message in error["message"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/api/search", "/api/articles/mic-2017-03-23", "/healthz"])
def test_other_methods_are_405_with_allow(client, method, path):
    response = getattr(client, method)(path)
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed" and error["param"] is None
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD",
                                                                           "OPTIONS"}


def test_an_unexpected_failure_is_500_without_its_traceback(data_index, caplog):
    app = create_app({"INDEX_DIR": str(data_index), "TESTING": True, "WARM_UP": False})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret detail of /srv/news/index")

    response = app.test_client().get("/api/boom")
    error = error_of(response, 500)
    assert error == {"code": "internal_error", "param": None,
                     "message": "an unexpected error occurred; it has been logged"}
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret" not in text and "RuntimeError" not in text
    assert any("secret detail" in (r.exc_text or "") or r.exc_info for r in caplog.records)


@pytest.mark.parametrize("path", [
    "/api/search", "/api/articles/x", "/api/suggest?q=a", "/api/facets/person", "/healthz",
])
def test_no_index_is_503(tmp_path, path):
    app = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True, "WARM_UP": False})
    error = error_of(app.test_client().get(path), 503)
    assert error["code"] == "no_index" and error["param"] is None


def test_the_description_is_served_without_an_index(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True, "WARM_UP": False})
    client = app.test_client()
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert client.get("/metrics").status_code == 200
