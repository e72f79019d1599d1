"""Searching the index of data/ through the real app: the page and the JSON API."""

import re

import numpy as np
import pytest

from indexer import analysis
from webui.core.facets import table
from webui.core.generation import LiveIndex, live_mask


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(result):
    return [hit["id"] for hit in result["results"]]


def facet(result, name):
    return {item["value"]: item["count"] for item in result["facets"][name]}


def test_thi_dua_finds_the_seed_with_marks_and_facets(client):
    result = api(client, q="thi đua")
    assert "mic-2017-03-23" in ids(result)
    hit = next(h for h in result["results"] if h["id"] == "mic-2017-03-23")
    assert "<mark>thi đua</mark>" in hit["snippet"]
    assert {"Bộ Thông tin và Truyền thông", "Bộ Giao thông vận tải",
            "Bộ Tài nguyên và Môi trường"} <= set(facet(result, "ministry"))
    assert {"Đặng Thị Ngọc Thịnh", "Phan Tâm"} <= set(facet(result, "person"))
    assert facet(result, "date")["2017-03"] >= 1


def test_the_page_shows_the_same_search(client):
    html = client.get("/", query_string={"q": "thi đua"}).get_data(as_text=True)
    assert 'lang="vi"' in html
    assert "/articles/mic-2017-03-23" in html
    assert "<mark>thi đua</mark>" in html
    assert "Bộ Thông tin và Truyền thông" in html and "Tháng" not in html.split("Thời gian")[0]


@pytest.mark.parametrize("q", ["Hà Nội", "hà nội", "HÀ NỘI", "ha noi"])
def test_case_and_accents_do_not_matter(client, q):
    assert "mic-2017-03-23" in ids(api(client, q=q, per_page=100))


def test_articles_holding_every_word_rank_first(client):
    def holds_all(article_id, words):
        article = client.get(f"/api/articles/{article_id}").get_json()
        text = analysis.folded(" ".join([article["title"], article["summary"], article["body"]]))
        return all(w in text for w in words)

    words = analysis.folded("thi đua chuyển đổi số")
    found = ids(api(client, q="thi đua chuyển đổi số", per_page=100))
    full = [holds_all(article_id, words) for article_id in found]
    # those with most of the words are found too, but an article with all of them comes first,
    # and on average they rank well above the others
    assert full[0] and not all(full)
    ranks = [n for n, holds in enumerate(full) if holds]
    others = [n for n, holds in enumerate(full) if not holds]
    assert sum(ranks) / len(ranks) < sum(others) / len(others) / 2


def test_empty_query_lists_newest_first(client):
    result = api(client, per_page=100)
    assert result["total"] >= 38
    dated = [h["date"] for h in result["results"] if h["date"]]
    assert dated == sorted(dated, reverse=True)
    assert result["results"][-1]["date"] is None  # undated articles come last


def test_facet_counts_cover_every_match_not_only_the_page(client):
    small = api(client, per_page=1)
    large = api(client, per_page=100)
    assert small["facets"] == large["facets"]
    assert len(small["results"]) == 1
    assert sum(facet(small, "date").values()) == small["total"]


def test_a_facet_counts_its_first_values_and_the_kept_ones_as_all_of_them(data_index):
    """Counting only the values a page shows gives them in the order and with the counts of
    counting every value."""
    with LiveIndex(data_index) as live:
        gen = live.generation()
        everyone = live_mask(gen)
        for fieldname in ("persons", "ministries", "month"):
            values = table(gen, fieldname)
            for mask in (everyone, everyone & (np.arange(len(everyone)) % 3 == 0)):
                whole = values.count(mask)
                assert len(whole) > 3, fieldname
                # most articles first, then alphabetically
                assert whole == sorted(whole, key=lambda vc: (-vc[1], vc[0]))
                last = whole[-1]
                for limit in (1, 2, 3):
                    shown = values.count(mask, limit, {last[0]})
                    assert shown[:limit] == whole[:limit]
                    # ties with the last shown come too, and the kept value, in order
                    floor = whole[limit - 1][1]
                    assert shown == [p for p in whole if p[1] >= floor or p == last]


def test_facet_counts_and_filters_are_those_of_every_pair(data_index):
    """A few matches are counted from their own pairs, many from a look at every pair, and a
    filter takes its value's documents: each as counting (document, value) pairs by hand."""
    with LiveIndex(data_index) as live:
        gen = live.generation()
        size = len(live_mask(gen))
        rng = np.random.default_rng(7)
        for fieldname in ("persons", "ministries", "month", "source"):
            values = table(gen, fieldname)
            pairs = list(zip(values.doc_ids.tolist(), values.value_ids.tolist()))
            for share in (0.0, 0.02, 0.1, 0.5, 1.0):  # both paths: few matches, and many
                mask = rng.random(size) < share
                by_hand: dict[str, int] = {}
                for doc, vid in pairs:
                    if mask[doc]:
                        by_hand[values.values[vid]] = by_hand.get(values.values[vid], 0) + 1
                assert dict(values.count(mask)) == by_hand, (fieldname, share)
            for value in values.values[:5] + ["no such value"]:
                wanted = {value, values.values[-1]}
                expected = np.zeros(size, bool)
                expected[[d for d, v in pairs if values.values[v] in wanted]] = True
                assert np.array_equal(values.mask_for(wanted, size), expected)


def test_ministry_filter(client):
    result = api(client, ministry="Bộ Y tế", per_page=100)
    assert result["total"] >= 5
    assert all("Bộ Y tế" in hit["ministries"] for hit in result["results"])
    # the selected facet still counts the other values (multi-select)
    assert len(facet(result, "ministry")) > 1
    assert next(v for v in result["facets"]["ministry"] if v["value"] == "Bộ Y tế")["selected"]


def test_two_ministries_are_either_one(client):
    one = api(client, ministry="Bộ Y tế")["total"]
    two = api(client, ministry=["Bộ Y tế", "Bộ Công an"])["total"]
    assert two > one


def test_predecessors_widen_a_ministry_filter(client):
    """Bộ Xây dựng took over Bộ Giao thông vận tải on 1 March 2025: with ``predecessors`` its
    filter also finds the transport ministry's earlier articles."""
    own = api(client, ministry="Bộ Xây dựng", per_page=100)
    wide = api(client, ministry="Bộ Xây dựng", predecessors="1", per_page=100)
    transport = api(client, ministry="Bộ Giao thông vận tải", per_page=100)
    assert own["filters"]["ministries_included"] == ["Bộ Xây dựng"]
    assert wide["filters"]["ministries_included"] == ["Bộ Xây dựng", "Bộ Giao thông vận tải"]
    assert wide["filters"]["predecessors"] is True
    assert set(ids(wide)) == set(ids(own)) | set(ids(transport))
    assert set(ids(transport)) - set(ids(own))  # the wider filter found more
    assert "sample-2017-11-20-an-toan-giao-thong-cuoi-nam" in ids(wide)
    # a ministry nothing was merged into is the same either way
    assert api(client, ministry="Bộ Công Thương", predecessors="true")["total"] == \
        api(client, ministry="Bộ Công Thương")["total"]
    # and so is a query's ministry: clause
    assert set(ids(api(client, q="ministry:\"Bộ Xây dựng\"", predecessors="1", per_page=100))) \
        == set(ids(wide))


@pytest.mark.parametrize("value", ["yes", "2", "True", ""])
def test_predecessors_takes_one_or_zero(client, value):
    response = client.get("/api/search", query_string={"ministry": "Bộ Xây dựng",
                                                       "predecessors": value})
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == "predecessors"


def test_person_filter(client):
    result = api(client, person="Phan Tâm")
    assert ids(result) == ["mic-2017-03-23"]


@pytest.mark.parametrize("params, check", [
    ({"date": "2017"}, lambda d: d is not None and d.startswith("2017")),
    ({"date": "2017-03"}, lambda d: d is not None and d.startswith("2017-03")),
    ({"date": "none"}, lambda d: d is None),
    ({"from": "2025-01-01", "to": "2025-12-31"}, lambda d: d is not None and d[:4] == "2025"),
])
def test_date_filters(client, params, check):
    result = api(client, per_page=100, **params)
    assert result["total"] >= 2
    assert all(check(hit["date"]) for hit in result["results"])


def test_no_date_is_a_facet_value(client):
    assert facet(api(client), "date")["none"] == 3


def test_sort_oldest_and_newest(client):
    newest = [h["date"] for h in api(client, q="bộ", sort="newest", per_page=100)["results"]]
    oldest = [h["date"] for h in api(client, q="bộ", sort="oldest", per_page=100)["results"]]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True)
    assert [d for d in oldest if d] == sorted(dated)
    assert oldest[-1] is None  # undated last either way


def test_pagination(client):
    first = api(client, per_page=5, page=1)
    second = api(client, per_page=5, page=2)
    assert first["pages"] == -(-first["total"] // 5)
    assert len(first["results"]) == 5 and not set(ids(first)) & set(ids(second))
    beyond = api(client, per_page=5, page=first["pages"] + 1)
    assert beyond["results"] == [] and beyond["total"] == first["total"]


def test_html_in_articles_comes_out_escaped(client):
    result = api(client, q="mã độc")
    hit = next(h for h in result["results"] if h["id"] == "sample-2023-10-17-escaping-test")
    assert "<script>" in hit["title"]  # JSON carries the text as written...
    assert "<script>" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    page = client.get("/", query_string={"q": "mã độc"}).get_data(as_text=True)
    assert "<script>" not in page and "<img src=x" not in page
    article = client.get("/articles/sample-2023-10-17-escaping-test").get_data(as_text=True)
    assert "<script>" not in article and "onerror=alert(1)>" not in article
    assert "&lt;img src=x onerror=alert(1)&gt;" in article
    assert "&amp;" in article


def test_snippet_escapes_ampersand_around_marks(client):
    hit = api(client, q="thi đua", person="Phan Tâm")["results"][0]
    text = re.sub(r"</?mark[^>]*>", "", hit["snippet"])
    assert "&" not in text.replace("&amp;", "")


def test_article_api_and_page(client):
    article = client.get("/api/articles/mic-2017-03-23").get_json()
    assert article["author"] == "Xuân Lộc" and article["date"] == "2017-03-23"
    assert len(article["captions"]) == 3 and "Phan Tâm" in article["persons"]
    page = client.get("/articles/mic-2017-03-23").get_data(as_text=True)
    assert "/?person=Phan+T%C3%A2m" in page or "person=Phan%20T%C3%A2m" in page
    assert client.get("/articles/nope").status_code == 404
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("params, param", [
    ({"page": "0"}, "page"),
    ({"page": "x"}, "page"),
    ({"per_page": "0"}, "per_page"),
    ({"per_page": "1000"}, "per_page"),
    ({"sort": "best"}, "sort"),
    ({"from": "2024-13-01"}, "from"),
    ({"to": "23/3/2017"}, "to"),
    ({"date": "2017-13"}, "date"),
    ({"page": "2000", "per_page": "10"}, "page"),
    ({"q": "x" * 501}, "q"),
])
def test_bad_parameters_are_400_with_one_error_shape(client, params, param):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["param"] == param
    assert param in error["message"] or "query" in error["message"]
    # the page is lenient: it searches what it can use and says what it changed or left out
    page = client.get("/", query_string=params)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    if params == {"to": "23/3/2017"}:  # a day as readers write it: the page reads it
        assert 'name="to" type="date" value="2017-03-23"' in html
    else:
        assert 'class="notice"' in html


@pytest.mark.parametrize("q", [
    '"', "(", ")", "AND", "OR", "NOT", "*", "?", "title:", "ministry:", "person:", "-", "--",
    '""', "a OR", "OR b", "((((", "title:(", 'title:"', "ministry:xyz", "\\", "\x00",
    "http://example.vn/a?b=c", "10:30", "~!@#$%^&*()_+",
])
def test_no_query_text_breaks_the_search(client, q):
    for path in ("/api/search", "/"):
        response = client.get(path, query_string={"q": q})
        assert response.status_code == 200, (path, q)


def test_unknown_api_path_and_method_use_the_error_shape(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "error" in response.get_json()
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["error"]["code"]


def test_recent_results_are_kept_per_generation(make_index):
    from webui.core import LiveIndex, SearchRequest, search
    from webui.core.search import recent_results

    article = "Hội nghị chuyển đổi số {}\n\n(Nguồn) - Hội nghị chuyển đổi số lần {} diễn ra.\n"
    root, _ = make_index({"a.txt": article.format(1, 1)})
    req = SearchRequest(q="chuyển đổi số")
    with LiveIndex(root, results=256) as live:
        first = search(req, live.generation())
        assert recent_results(live.generation()).get(req).total == first.total == 1
        first.total = 99  # what a caller changes stays out of the cache
        assert search(req, live.generation()).total == 1
        # a new generation starts with no results: the new article is found at once
        make_index({"a.txt": article.format(1, 1), "b.txt": article.format(2, 2)})
        assert search(req, live.generation()).total == 2
    with LiveIndex(root, results=0) as off:
        search(req, off.generation())
        assert recent_results(off.generation()).get(req) is None
