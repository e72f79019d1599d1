"""What each endpoint answers: search, articles with related ones, suggest, facet values, health."""

from __future__ import annotations

import pytest

from webui import create_app

SUMMARY = {"id", "title", "date", "source", "url", "author", "category", "ministries", "persons"}


def get(client, path, **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def values(items, key="value"):
    return [item[key] for item in items]


# -- /api/search ----------------------------------------------------------------------------


def test_search_answers_exactly_the_documented_fields(client):
    found = get(client, "/api/search", q="  thi   đua ", ministry="Bộ Y tế", date="2017",
                **{"from": "2017-01-01"})
    assert list(found) == ["query", "total", "page", "per_page", "pages", "sort", "facet_size",
                           "relaxed", "suggestion", "took_ms", "filters", "results", "facets",
                           "facets_truncated"]
    assert found["query"] == "thi   đua"
    assert found["suggestion"] is None or isinstance(found["suggestion"], str)
    assert isinstance(found["took_ms"], float) and found["took_ms"] >= 0
    assert found["filters"] == {"ministry": ["Bộ Y tế"], "predecessors": False,
                                "ministries_included": ["Bộ Y tế"], "person": [],
                                "category": [], "source": [], "date": ["2017"],
                                "from": "2017-01-01", "to": None}
    assert list(found["facets"]) == ["ministry", "person", "category", "source", "date", "year"]
    assert list(found["facets_truncated"]) == ["ministry", "person", "category", "source"]
    for hit in get(client, "/api/search", q="thi đua")["results"]:
        assert set(hit) == SUMMARY | {"title_html", "snippet"}


def test_facet_size_and_multi_select(client):
    found = get(client, "/api/search", facet_size=1, ministry=["Bộ Y tế", "Bộ Công an"])
    ministries = found["facets"]["ministry"]
    # the most frequent value, and both selected values even when beyond the size
    assert {"Bộ Y tế", "Bộ Công an"} <= set(values(ministries))
    assert len(ministries) <= 3
    assert all(m["selected"] == (m["value"] in ("Bộ Y tế", "Bộ Công an")) for m in ministries)
    assert len(found["facets"]["person"]) == 1
    assert found["facets_truncated"] == {"ministry": True, "person": True, "category": False,
                                         "source": True}
    everything = get(client, "/api/search", facet_size=100)
    assert not any(everything["facets_truncated"].values())
    exact = len(everything["facets"]["person"])
    assert not get(client, "/api/search", facet_size=exact)["facets_truncated"]["person"]
    assert get(client, "/api/search", facet_size=exact - 1)["facets_truncated"]["person"]
    one = get(client, "/api/search", ministry="Bộ Y tế")["total"]
    assert found["total"] > one  # values of one facet are either one


# -- /api/articles/<id> ---------------------------------------------------------------------


def test_an_article_with_its_related_articles(client):
    article = get(client, "/api/articles/mic-2017-03-23")
    assert set(article) == SUMMARY | {"summary", "body", "captions", "images", "related"}
    assert article["author"] == "Xuân Lộc" and len(article["captions"]) == 3
    related = article["related"]
    assert 1 <= len(related) <= 5 and all(set(r) == SUMMARY for r in related)
    assert "mic-2017-03-23" not in values(related, "id")
    # the other articles of the emulation bloc are the closest
    assert "sample-2017-03-28-phat-dong-thi-dua-bo-tttt" in values(related, "id")


@pytest.mark.parametrize("count", [0, 1, 3])
def test_related_count(client, count):
    assert len(get(client, "/api/articles/mic-2017-03-23", related=count)["related"]) <= count
    if count:
        assert get(client, "/api/articles/mic-2017-03-23", related=count)["related"]


# -- /api/suggest ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed, expected, kind", [
    ("ngh", "Nghiêm Thị Hồng Nhung", "person"),
    ("Nghiem", "Nghiêm Thị Hồng Nhung", "person"),
    ("nghiêm", "Nghiêm Thị Hồng Nhung", "person"),
    ("NGHIÊM", "Nghiêm Thị Hồng Nhung", "person"),
    ("nhung nghiem", "Nghiêm Thị Hồng Nhung", "person"),
    ("tam", "Phan Tâm", "person"),
    ("phan tâm", "Phan Tâm", "person"),
    ("dang thi", "Đặng Thị Ngọc Thịnh", "person"),
    ("gtvt", "Bộ Giao thông vận tải", "ministry"),
    ("y te", "Bộ Y tế", "ministry"),
    ("Bộ Y", "Bộ Y tế", "ministry"),
    ("bo cong", "Bộ Công an", "ministry"),
    ("tiem chung", "tiêm chủng", "term"),
    ("thi d", "thi đua", "term"),
    ("tiêm chủng mở", "tiêm chủng mở rộng", "term"),
])
def test_suggest_completes_names_and_words_with_or_without_accents(client, typed, expected, kind):
    found = get(client, "/api/suggest", q=typed, limit=20)
    assert found["query"] == typed.strip()
    matches = [s for s in found["suggestions"] if s["text"] == expected]
    assert matches and matches[0]["kind"] == kind and matches[0]["count"] >= 1, found


def test_suggest_prefers_the_accents_typed(client):
    first = get(client, "/api/suggest", q="bảo")["suggestions"][0]["text"]
    assert first.lower().startswith("bảo")


def test_suggest_limit_and_nothing_found(client):
    assert len(get(client, "/api/suggest", q="b", limit=3)["suggestions"]) == 3
    assert get(client, "/api/suggest", q="zzzxq")["suggestions"] == []


# -- /api/facets/<name> ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["ngh", "NGH", "Nghiêm", "nghiem", "nhung", "nhung nghiem"])
def test_facet_values_by_prefix_accented_or_not(client, prefix):
    found = get(client, "/api/facets/person", prefix=prefix)
    assert found["facet"] == "person" and found["prefix"] == prefix
    assert "Nghiêm Thị Hồng Nhung" in values(found["values"])


@pytest.mark.parametrize("prefix, ministry", [
    ("gtvt", "Bộ Giao thông vận tải"), ("GTVT", "Bộ Giao thông vận tải"),
    ("tt&tt", "Bộ Thông tin và Truyền thông"), ("TT&TT", "Bộ Thông tin và Truyền thông"),
    ("nhnn", "Ngân hàng Nhà nước Việt Nam"), ("bộ gtvt", "Bộ Giao thông vận tải"),
])
def test_a_ministry_is_found_by_its_abbreviation(client, prefix, ministry):
    found = get(client, "/api/facets/ministry", prefix=prefix)
    assert values(found["values"]) == [ministry]


def test_facet_values_start_a_word(client):
    found = values(get(client, "/api/facets/person", prefix="ngh")["values"])
    assert found == ["Nghiêm Thị Hồng Nhung", "Trương Quang Nghĩa"]  # first word first
    assert get(client, "/api/facets/person", prefix="ghiem")["values"] == []


def test_facet_counts_are_the_search_counts(client):
    everything = get(client, "/api/search", facet_size=100)["facets"]
    for name in ("ministry", "person", "category", "source", "date", "year"):
        listed = get(client, f"/api/facets/{name}", limit=100)
        assert listed["total"] == len(everything[name])
        assert {v["value"]: v["count"] for v in listed["values"]} == {
            v["value"]: v["count"] for v in everything[name]}


def test_facet_values_most_frequent_first_with_limit_and_total(client):
    found = get(client, "/api/facets/ministry", limit=2)
    assert len(found["values"]) == 2 and found["total"] > 2
    counts = values(found["values"], "count")
    assert counts == sorted(counts, reverse=True)
    assert values(get(client, "/api/facets/ministry", prefix="y tế")["values"]) == ["Bộ Y tế"]


def test_date_facets_match_from_the_start_newest_first(client):
    months = values(get(client, "/api/facets/date", prefix="2017", limit=100)["values"])
    assert months and all(m.startswith("2017-") for m in months)
    assert months == sorted(months, reverse=True)
    assert values(get(client, "/api/facets/year", prefix="201", limit=100)["values"]) == [
        str(y) for y in range(2019, 2016, -1)]
    assert values(get(client, "/api/facets/date", prefix="none")["values"]) == ["none"]


# -- /healthz -------------------------------------------------------------------------------


def test_health_names_the_live_index(client, data_index):
    health = get(client, "/healthz")
    assert health["status"] == "ok" and health["articles"] >= 38
    assert health["generation"] == (data_index / "current").resolve().name
    assert health["built_at"].endswith("+00:00") and health["api_version"]


def test_health_is_503_without_an_index(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True, "WARM_UP": False})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "no_index"
