"""Sections (``category``) and sources as filters and facets, in the core and the API."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from webui import create_app
from webui.api.params import parse_search
from webui.core import LiveIndex, SearchRequest, search

ARTICLES = [
    ("a1", "Thời sự", "vnexpress.net", "2021-03-01", "Họp bàn tiêm chủng vắc xin"),
    ("a2", "Thời sự", "dantri.com.vn", "2021-04-02", "Tiêm chủng mở rộng ở miền núi"),
    ("a3", "Sức khỏe", "dantri.com.vn", "2021-05-03", "Tiêm chủng cho trẻ em"),
    ("a4", "Giáo dục", "mic.gov.vn", "2021-06-04", "Kỳ thi tốt nghiệp năm nay"),
    ("a5", None, None, "2021-07-05", "Tiêm chủng mùa hè, không rõ chuyên mục"),
]


@pytest.fixture()
def sections(make_index):
    lines = [json.dumps({"id": id_, "title": title, "date": date, "source": source,
                         "category": category, "summary": title + ".", "body": title + "."},
                        ensure_ascii=False)
             for id_, category, source, date, title in ARTICLES]
    root, report = make_index({"news.jsonl": "\n".join(lines)})
    assert report.indexed == len(ARTICLES) and not report.skipped
    return root


@pytest.fixture()
def client(sections):
    return create_app({"INDEX_DIR": str(sections), "TESTING": True,
                       "WARM_UP": False}).test_client()


def get(client, path, **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def facet(found, name):
    return [(v["value"], v["count"], v["selected"]) for v in found["facets"][name]]


def test_the_core_filters_and_counts_sections_and_sources(sections):
    gen = LiveIndex(sections).generation()
    result = search(SearchRequest(q="tiêm chủng", categories=("Thời sự",)), gen)
    assert sorted(h["id"] for h in result.hits) == ["a1", "a2"]
    # a facet's own selection does not narrow its counts; the other facets' do
    assert [(v["value"], v["count"], v["selected"]) for v in result.facets["category"]] == [
        ("Thời sự", 2, True), ("Sức khỏe", 1, False)]
    assert [(v["value"], v["count"]) for v in result.facets["source"]] == [
        ("dantri.com.vn", 1), ("vnexpress.net", 1)]
    by_source = search(SearchRequest(sources=("dantri.com.vn", "mic.gov.vn")), gen)
    assert sorted(h["id"] for h in by_source.hits) == ["a2", "a3", "a4"]


def test_search_filters_by_section_and_source(client):
    found = get(client, "/api/search", q="tiêm chủng", category="Thời sự",
                source="dantri.com.vn")
    assert [hit["id"] for hit in found["results"]] == ["a2"]
    assert found["filters"]["category"] == ["Thời sự"]
    assert found["filters"]["source"] == ["dantri.com.vn"]
    assert facet(found, "category") == [("Sức khỏe", 1, False), ("Thời sự", 1, True)]
    assert facet(found, "source") == [("dantri.com.vn", 1, True), ("vnexpress.net", 1, False)]


def test_an_article_without_a_section_is_in_no_section(client):
    everything = get(client, "/api/search", facet_size=100)
    assert sum(count for _, count, _ in facet(everything, "category")) == 4
    assert "" not in [value for value, _, _ in facet(everything, "category")]
    assert get(client, "/api/facets/category", prefix="")["total"] == 3


def test_selected_sections_stay_listed_and_truncation_is_told(client):
    found = get(client, "/api/search", facet_size=1, category=["Giáo dục", "Sức khỏe"])
    assert facet(found, "category") == [("Thời sự", 2, False), ("Giáo dục", 1, True),
                                        ("Sức khỏe", 1, True)]
    assert found["facets_truncated"]["category"] is False  # all the others are listed
    assert get(client, "/api/search", facet_size=1)["facets_truncated"]["category"] is True
    assert get(client, "/api/search", facet_size=3)["facets_truncated"]["category"] is False


@pytest.mark.parametrize("name, prefix, expected", [
    ("category", "thoi", ["Thời sự"]),
    ("category", "SỨC", ["Sức khỏe"]),
    ("category", "su", ["Sức khỏe", "Thời sự"]),
    ("source", "dan", ["dantri.com.vn"]),
    ("source", "", ["dantri.com.vn", "mic.gov.vn", "vnexpress.net"]),
])
def test_section_and_source_values_by_prefix(client, name, prefix, expected):
    found = get(client, f"/api/facets/{name}", prefix=prefix)
    assert [v["value"] for v in found["values"]] == expected


def test_a_search_of_sections_and_sources_is_its_url():
    args = MultiDict([("category", "Thời sự"), ("category", "Giáo dục"),
                      ("source", "mic.gov.vn")])
    req = parse_search(args, strict=True)
    assert req.categories == ("Thời sự", "Giáo dục") and req.sources == ("mic.gov.vn",)
    assert req.query_args() == {"category": ["Thời sự", "Giáo dục"], "source": ["mic.gov.vn"]}
    assert parse_search(MultiDict(list(_pairs(req.query_args()))), strict=True) == req


def _pairs(args: dict):
    for name, value in args.items():
        for one in value if isinstance(value, list) else [value]:
            yield name, str(one)
