"""The public search site through Flask's test client: facets, results, article, feed, safety.

Pages are parsed into a small element tree (below) so tests look at links, forms and landmarks
as a browser would, not at substrings of the markup.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from webui.core import facets
from webui.core.related import related_articles
from webui.live import generation
from webui.site import panels, views

SEED = "mic-2017-03-23"
HOSTILE = "sample-2023-10-17-escaping-test"
MIC = "Bộ Thông tin và Truyền thông"
ATOM = "{http://www.w3.org/2005/Atom}"

# -- a small element tree of a page ----------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SVG_LEAVES = {"rect", "line", "path", "circle"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []  # Elements and strings

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        parts = []

        def walk(node):
            for child in node.children:
                parts.append(child) if isinstance(child, str) else walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def all(self, tag=None, cls=None, **attrs) -> list[Element]:
        """Descendants by tag, class and attribute values (True: the attribute is present)."""
        found = []
        for el in self.iter():
            if tag and el.tag != tag:
                continue
            if cls and cls not in el.classes:
                continue
            if any((name not in el.attrs) if want is True else el.attrs.get(name) != want
                   for name, want in attrs.items()):
                continue
            found.append(el)
        return found

    def one(self, tag=None, cls=None, **attrs) -> Element:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.one(id=element_id)

    def link(self, text: str) -> Element:
        """The one link whose text is exactly ``text``."""
        found = [a for a in self.all("a") if a.text == text]
        assert len(found) == 1, (text, [a.text for a in self.all("a")])
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs, self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def get(client, path="/", status=200, **params):
    response = client.get(path, query_string=params)
    response.get_data()
    response.close()  # static files are streamed from an open file
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def page(client, path="/", status=200, **params) -> Element:
    return parse(get(client, path, status, **params).get_data(as_text=True))


def args_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def follow(client, href: str) -> Element:
    response = client.get(href)
    assert response.status_code == 200, href
    return parse(response.get_data(as_text=True))


def facet_section(doc: Element, name: str) -> Element:
    return doc.one("section", **{"aria-labelledby": f"facet-{name}"})


def facet_counts(section: Element) -> dict[str, int]:
    """value -> count of the value links of a facet (those behind "show more" too)."""
    out = {}
    links = [link for values in section.all("ul", cls="values")
             for link in values.all("a", cls="value-link")]
    for link in links:
        value = link.one("span", cls="value").text.removeprefix("Đang chọn: ")
        out[value] = int(link.one("span", cls="count").text.split()[0].replace(".", ""))
    return out


def api(client, **params) -> dict:
    return get(client, "/api/search", **params).get_json()


# -- facets ----------------------------------------------------------------------------------


def test_every_facet_value_has_a_count_and_toggles_itself(client):
    doc = page(client, q="thi đua")
    ministries = facet_counts(facet_section(doc, "ministry"))
    expected = {item["value"]: item["count"]
                for item in api(client, q="thi đua")["facets"]["ministry"]}
    assert ministries == expected and MIC in ministries
    link = next(a for a in facet_section(doc, "ministry").all("a", cls="value-link")
                if MIC in a.text)
    assert args_of(link.attrs["href"]) == {"q": ["thi đua"], "ministry": [MIC]}


def test_several_values_of_a_facet_at_once_and_counts_ignore_their_own_selection(client):
    two = ["Bộ Y tế", "Bộ Công an"]
    doc = page(client, ministry=two)
    section = facet_section(doc, "ministry")
    # the ministry facet counts as if no ministry were chosen; other facets are narrowed
    assert facet_counts(section) == facet_counts(facet_section(page(client), "ministry"))
    selected = [li for li in section.all("li", cls="selected")]
    assert sorted(li.one("span", cls="value").text.removeprefix("Đang chọn: ")
                  for li in selected) == sorted(two)
    assert all(li.one("a").attrs["aria-current"] == "true" for li in selected)
    # a selected value's link removes it and keeps the other
    health = next(li.one("a") for li in selected if "Bộ Y tế" in li.text)
    assert args_of(health.attrs["href"]) == {"ministry": ["Bộ Công an"]}
    total = int(doc.by_id("result-count").text.split()[0])
    assert total == api(client, ministry=two)["total"] > api(client, ministry="Bộ Y tế")["total"]
    person_counts = facet_counts(facet_section(doc, "person"))
    assert sum(person_counts.values()) <= sum(
        facet_counts(facet_section(page(client), "person")).values())


def test_selected_values_are_removable_chips(client):
    doc = page(client, q="thi đua", ministry=MIC, person="Phan Tâm", date="2017-03",
               **{"from": "2017-01-01"})
    chips = doc.one("ul", cls="chips", **{"aria-label": "Bộ lọc đang dùng"})
    links = {a.text: args_of(a.attrs["href"]) for a in chips.all("a")}
    assert links[f"Bỏ lọc {MIC}×"] == {
        "q": ["thi đua"], "person": ["Phan Tâm"], "date": ["2017-03"], "from": ["2017-01-01"]}
    assert "ministry" in links["Bỏ lọc Phan Tâm×"] and "person" not in links["Bỏ lọc Phan Tâm×"]
    assert "date" not in links["Bỏ lọc Tháng 3/2017×"]
    assert "from" not in links["Bỏ lọc 01/01/2017 – …×"]
    assert links["Xóa tất cả bộ lọc"] == {"q": ["thi đua"]}


def test_selected_values_stay_listed_when_another_filter_leaves_them_nothing(client):
    two = ["Bộ Y tế", "Bộ Giáo dục và Đào tạo"]
    params = {"q": "covid", "ministry": two, "person": "Nghiêm Thị Hồng Nhung"}
    listed = {i["value"]: i["count"] for i in api(client, **params)["facets"]["ministry"]
              if i["selected"]}
    assert set(listed) == set(two) and listed["Bộ Giáo dục và Đào tạo"] == 0
    section = facet_section(page(client, **params), "ministry")
    head = section.all("ul", cls="values")[0]
    assert {li.attrs["data-value"]: li.one("span", cls="count").text
            for li in head.all("li", cls="selected")} == {
        "Bộ Y tế": f"{listed['Bộ Y tế']} bài", "Bộ Giáo dục và Đào tạo": "0 bài"}
    # a month chosen with it stays under its year too
    dated = facet_section(page(client, **params, date="2017-03"), "date")
    assert dated.link("Đang chọn: Tháng 3/2017 0 bài").attrs["aria-current"] == "true"


def test_long_facet_lists_show_more_behind_a_disclosure(client):
    section = facet_section(page(client), "ministry")
    head = section.all("ul", cls="values")[0]  # the first list; the second is behind "more"
    more = section.one("details", cls="more")
    all_ministries = api(client, facet_size=100)["facets"]["ministry"]
    assert len(head.all("li")) == panels.SHOWN
    assert more.one("summary").text == f"Xem thêm {len(all_ministries) - panels.SHOWN}"
    assert len(more.all("li")) == len(all_ministries) - panels.SHOWN
    # a selected value beyond the first ones moves up, never hidden behind "show more"
    rare = all_ministries[-1]["value"]
    head = facet_section(page(client, ministry=rare), "ministry").all("ul", cls="values")[0]
    assert rare in head.text


def test_panel_keeps_selected_values_in_sight_and_tells_when_there_are_more():
    items = [{"value": f"v{n}", "count": 100 - n, "selected": n in (12, 40)} for n in range(32)]
    items.append({"value": "v40", "count": 1, "selected": True})  # selected, beyond the top
    del items[31]
    panel = panels.panel(items, shown=8, more=30)
    assert [i["value"] for i in panel.head] == [f"v{n}" for n in range(8)] + ["v12", "v40"]
    assert len(panel.more) == 30 - 8 - 1 and panel.truncated  # v30 is beyond the 30 listed
    small = panels.panel(items[:5], shown=8, more=30)
    assert len(small.head) == 5 and not small.more and not small.truncated


@pytest.mark.parametrize("typed", ["nhung", "NHUNG", "Nhung", "hồng nhung", "nghiem nh"])
def test_person_box_finds_names_without_accents(client, typed):
    section = facet_section(page(client, person_q=typed), "person")
    count = api(client, person="Nghiêm Thị Hồng Nhung")["total"]
    assert facet_counts(section) == {"Nghiêm Thị Hồng Nhung": count} and count > 1
    assert section.one("input", id="person-q").attrs["value"] == typed


def test_person_box_counts_within_the_search_and_keeps_its_state(client):
    doc = page(client, q="bộ", ministry="Bộ Y tế", person_q="thi")
    section = facet_section(doc, "person")
    counts = facet_counts(section)
    expected = {item["value"]: item["count"] for item in
                api(client, q="bộ", ministry="Bộ Y tế", facet_size=100)["facets"]["person"]}
    assert counts and all(expected[name] == count for name, count in counts.items())
    assert all("thi" in name.lower() or "thị" in name.lower() for name in counts)
    form = section.one("form", cls="facet-search")
    hidden = {(i.attrs["name"], i.attrs["value"]) for i in form.all("input", type="hidden")}
    assert hidden == {("q", "bộ"), ("ministry", "Bộ Y tế")}
    assert section.one("label").attrs["for"] == "person-q"
    # picking a found name leaves the box: the chip shows the choice
    link = section.all("a", cls="value-link")[0]
    assert "person_q" not in args_of(link.attrs["href"])


def test_person_box_without_a_match_says_so(client):
    section = facet_section(page(client, person_q="zzz <b>x</b>"), "person")
    assert "Không có nhân vật nào tên khớp “zzz <b>x</b>”" in section.text
    assert not section.all("a", cls="value-link")


def test_facet_values_rank_names_starting_with_the_text_then_frequent_ones(app, client):
    counts = {item["value"]: item["count"]
              for item in api(client, facet_size=100)["facets"]["person"]}
    with app.test_request_context("/"):
        values = facets.values(generation())

        def find(text):
            return [name for name, _ in values.search("person", text)]

        assert find("phan tam")[0] == "Phan Tâm"
        assert find("PHAN TÂM")[0] == "Phan Tâm"
        assert set(find("đinh")) >= {"Mạc Đình Sơn", "Đinh Công Bảo"}
        found = find("t")
        starting = [n for n in found if n.lower().startswith("t")]
        # names starting with what was typed first, then names with a word starting so;
        # within each, the names of more articles first
        assert found[:len(starting)] == starting and len(found) > len(starting) > 0
        for group in (starting, found[len(starting):]):
            assert [counts[n] for n in group] == sorted((counts[n] for n in group), reverse=True)
        assert set(found) == {n for n in counts
                              if any(w.lower().startswith("t") for w in n.split())}
        assert find("zzz") == []


def test_date_facet_is_a_server_rendered_bar_chart(client):
    doc = page(client, q="thi đua", date="2017-03")
    section = facet_section(doc, "date")
    svg = section.one("svg", cls="month-chart")
    assert svg.attrs["aria-hidden"] == "true"
    bars = {a.attrs["data-value"]: a for a in svg.all("a")}
    months = {item["value"]: item["count"] for item in
              api(client, q="thi đua", date="2017-03")["facets"]["date"] if item["value"] != "none"}
    assert set(bars) == {m for m, c in months.items() if c}
    bar = bars["2017-03"]
    assert bar.one("title").text == f"Tháng 3/2017: {months['2017-03']} bài"
    assert "selected" in bar.one("rect", cls="bar").classes
    assert bar.attrs["tabindex"] == "-1"  # the year and month links below serve the keyboard
    assert args_of(bar.attrs["href"]) == {"q": ["thi đua"]}  # a selected month toggles off
    caption = section.one("figcaption").text
    assert caption.startswith("Số bài viết mỗi tháng, tháng 3/2017 – ")


def test_month_bars_cover_empty_months_and_long_spans_by_year():
    months = [{"value": "2017-11", "count": 4, "selected": False},
              {"value": "2018-02", "count": 2, "selected": True},
              {"value": "none", "count": 9, "selected": False}]
    bars = panels.month_bars(months)
    assert [(b.value, b.count, b.selected, b.x) for b in bars] == [
        ("2017-11", 4, False, 0), ("2017-12", 0, False, 1), ("2018-01", 0, False, 2),
        ("2018-02", 2, True, 3)]
    assert bars[0].height == panels.CHART_HEIGHT and bars[3].height == panels.CHART_HEIGHT / 2
    long = panels.month_bars([{"value": "2001-01", "count": 1, "selected": False},
                              {"value": "2020-06", "count": 3, "selected": False},
                              {"value": "2020-07", "count": 1, "selected": False}])
    assert [b.value for b in long] == [str(y) for y in range(2001, 2021)]
    assert long[-1].count == 4
    assert panels.month_bars([{"value": "none", "count": 3, "selected": False}]) == []


def test_month_chart_labels_its_years_and_counts():
    def months(*pairs):
        return [{"value": v, "count": c, "selected": False} for v, c in pairs]

    short = panels.month_chart(months(("2021-01", 3), ("2021-04", 6), ("none", 2)))
    assert short.per == "tháng" and short.peak == 6 and short.counts_on_bars
    assert [(label.text, label.total) for label in short.labels] == [("2021", 9)]
    assert short.bar_top(short.bars[3]) == short.top  # the peak reaches the top line
    # a decade of months: a label every other year, none over its neighbour
    decade = panels.month_chart(months(("2011-01", 1), ("2020-12", 2)))
    assert not decade.counts_on_bars
    xs = [label.x for label in decade.labels]
    assert all(b - a >= panels.LABEL_WIDTH for a, b in zip(xs, xs[1:]))
    assert [label.text for label in decade.labels][:2] == ["2011", "2013"]
    assert xs[0] >= decade.left + panels.LABEL_WIDTH / 2 and xs[-1] <= panels.CHART_WIDTH
    # the count axis makes room for a peak of more digits ("2.141")
    busy = panels.month_chart(months(("2021-04", 2141), ("2021-05", 7)))
    assert busy.left >= 5 * panels.AXIS_DIGIT_WIDTH > decade.left
    years = panels.month_chart(months(("2001-01", 1), ("2020-06", 3)))
    assert years.per == "năm" and years.labels[0].text == "2001"
    assert panels.month_chart(months(("none", 3))) is None


def test_selected_dates_stay_listed_with_no_article_left():
    items = [{"value": "2018-02", "count": 2, "selected": False},
             {"value": "none", "count": 1, "selected": False}]
    listed = panels.with_selected_dates(items, ("2017-03", "2019"))
    assert [(i["value"], i["count"], i["selected"]) for i in listed] == [
        ("2018-02", 2, False), ("2017-03", 0, True), ("none", 1, False)]
    years = panels.with_selected_dates([{"value": "2018", "count": 2, "selected": False}],
                                       ("2017-03", "2019"), years=True)
    assert [(i["value"], i["count"], i["selected"]) for i in years] == [
        ("2019", 0, True), ("2018", 2, False), ("2017", 0, False)]


def test_years_open_to_their_months(client):
    section = facet_section(page(client, date="2017-03"), "date")
    years = {d.one("summary").one("span", cls="value").text: d for d in section.all("details")}
    assert "open" in years["2017 (đang lọc)"].attrs
    assert "open" not in years["2018"].attrs
    months = years["2017 (đang lọc)"]
    assert months.link("Đang chọn: Tháng 3/2017 2 bài").attrs["aria-current"] == "true"
    assert args_of(months.link("Cả năm 2017 5 bài").attrs["href"]) == {
        "date": ["2017-03", "2017"]}
    assert section.link("Không rõ ngày 3 bài")


def test_from_to_form_and_ranges_that_hold_articles(client):
    doc = page(client, q="bộ", ministry=MIC, date="2017")
    section = facet_section(doc, "date")
    form = section.one("form", cls="date-range")
    assert form.attrs["method"] == "get"
    hidden = {(i.attrs["name"], i.attrs["value"]) for i in form.all("input", type="hidden")}
    assert hidden == {("q", "bộ"), ("ministry", MIC), ("date", "2017")}
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        field = form.one("input", name=name)
        assert field.attrs["type"] == "date"
        assert form.one("label", **{"for": field.attrs["id"]}).text == label
    # the ranges end at the newest month this search has articles in, not at today
    months = {item["value"]: item["count"] for item in
              api(client, q="bộ", ministry=MIC, facet_size=100)["facets"]["date"]
              if item["value"] != "none"}
    newest = max(months)
    year, month = int(newest[:4]), int(newest[5:])
    ranges = section.one("ul", cls="quick-ranges").all("a")
    labels = [a.one("span", cls="value").text for a in ranges]
    assert labels[0] == f"Tháng {month}/{year}"
    assert all(label in (f"3 tháng đến {month}/{year}", f"12 tháng đến {month}/{year}")
               for label in labels[1:])
    counts = [int(a.one("span", cls="count").text.split()[0]) for a in ranges]
    assert counts == sorted(set(counts)) and counts[0] == months[newest]
    for link, count in zip(ranges, counts):
        args = args_of(link.attrs["href"])
        assert "date" not in args and args["to"][0].startswith(newest)
        followed = follow(client, link.attrs["href"])
        assert followed.by_id("result-count").text.startswith(f"{count} bài viết")
        current = followed.one("ul", cls="quick-ranges").one("a", **{"aria-current": "true"})
        assert current.attrs["href"] == link.attrs["href"]
    last = follow(client, ranges[0].attrs["href"])
    chips = last.one("ul", cls="chips").text
    assert f"Bỏ lọc 01/{month:02d}/{year} – " in chips
    assert last.one("form", cls="date-range").one("input", name="from").attrs["value"] == \
        f"{newest}-01"


def test_date_filter_of_an_archive_offers_what_it_holds(make_index):
    """An archive of 2019–2021: every range offered holds articles, the chart is labelled."""
    from webui import create_app

    files = {}
    for n, day in enumerate(["2019-02-11", "2019-07-03", "2020-01-20", "2020-01-28",
                             "2020-06-15", "2021-03-02", "2021-03-09", "2021-04-30"]):
        files[f"a{n}.jsonl"] = (
            f'{{"id": "a{n}", "title": "Tin số {n} về y tế", "date": "{day}", '
            f'"source": "moh.gov.vn", "body": "Bộ Y tế họp bàn lần {n}."}}\n')
    root, report = make_index(files)
    assert report.indexed == 8
    archive = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_UP": False})
    client = archive.test_client()
    section = facet_section(page(client), "date")
    assert "ngày qua" not in section.text and "Năm nay" not in section.text
    ranges = {a.one("span", cls="value").text: int(a.one("span", cls="count").text.split()[0])
              for a in section.one("ul", cls="quick-ranges").all("a")}
    # 12 months to April 2021 begin in May 2020: June 2020 and the three of 2021
    assert ranges == {"Tháng 4/2021": 1, "3 tháng đến 4/2021": 3, "12 tháng đến 4/2021": 4}
    svg = section.one("svg", cls="month-chart")
    years = {t.attrs["data-year"]: t for t in svg.all("text", cls="year-label")}
    totals = [t.text for t in svg.all("text", cls="year-total")]
    assert list(years) == ["2019", "2020", "2021"] and totals == ["2", "3", "3"]
    axis = [t.text for t in svg.all("text", cls="axis-label")]
    assert axis == ["2", "0"]  # the busiest month (January 2020) and the base line
    assert not svg.all("text", cls="bar-count")  # 27 months: no room for a count on each bar
    caption = section.one("figcaption").text
    assert caption.startswith("Số bài viết mỗi tháng, tháng 2/2019 – tháng 4/2021")


# -- results ---------------------------------------------------------------------------------


def hit_items(doc: Element) -> list[Element]:
    return doc.one("ol", cls="hits").all("article", cls="hit")


def test_a_result_shows_title_date_source_ministries_and_a_marked_snippet(client):
    html = get(client, q="thi đua", person="Phan Tâm").get_data(as_text=True)
    hit = hit_items(parse(html))[0]
    assert hit.one("h2").one("a").attrs["href"] == f"/articles/{SEED}"
    assert hit.one("time").attrs["datetime"] == "2017-03-23"
    assert hit.one("time").text == "23/03/2017"
    assert hit.one("span", cls="source").text == "mic.gov.vn"
    tags = {a.text: args_of(a.attrs["href"]) for a in hit.one("ul", cls="tags").all("a")}
    assert tags[MIC] == {"q": ["thi đua"], "person": ["Phan Tâm"], "ministry": [MIC]}
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.DOTALL).group(1)
    assert "<mark>thi đua</mark>" in snippet
    assert hit.one("h2").all("mark")


def test_results_count_is_announced(client):
    doc = page(client)
    count = doc.by_id("result-count")
    assert count.attrs["role"] == "status"
    latest = api(client)
    assert count.text == f"{latest['total']} bài viết · trang 1/{latest['pages']}"
    assert doc.one("main").attrs["aria-labelledby"] == "results-heading"
    assert doc.by_id("results-heading").text == "Bài viết mới nhất"
    assert page(client, q="thi đua").by_id("results-heading").text == "Kết quả cho “thi đua”"


def test_sort_links_keep_the_search_and_mark_the_current_order(client):
    doc = page(client, q="bộ", ministry="Bộ Y tế", sort="newest", page=2, per_page=2)
    sort = doc.one("nav", **{"aria-label": "Sắp xếp"})
    links = {a.text: a for a in sort.all("a")}
    assert links["Mới nhất"].attrs["aria-current"] == "true"
    assert args_of(links["Cũ nhất"].attrs["href"]) == {
        "q": ["bộ"], "ministry": ["Bộ Y tế"], "sort": ["oldest"], "per_page": ["2"]}
    oldest = follow(client, links["Cũ nhất"].attrs["href"])
    dates = [t.attrs["datetime"] for t in oldest.one("ol", cls="hits").all("time")]
    assert dates == sorted(dates)


def test_the_newest_articles_are_sorted_newest_first_and_say_so(client):
    doc = page(client)
    assert doc.by_id("results-heading").text == "Bài viết mới nhất"
    sort = doc.one("nav", **{"aria-label": "Sắp xếp"})
    assert [a.text for a in sort.all("a")] == ["Mới nhất", "Cũ nhất"]  # no words, no relevance
    assert sort.one("a", **{"aria-current": "true"}).text == "Mới nhất"
    dates = [t.attrs["datetime"] for t in doc.one("ol", cls="hits").all("time")]
    assert dates == sorted(dates, reverse=True)
    assert args_of(sort.link("Cũ nhất").attrs["href"]) == {"sort": ["oldest"]}
    oldest = page(client, sort="oldest").one("nav", **{"aria-label": "Sắp xếp"})
    assert oldest.one("a", **{"aria-current": "true"}).text == "Cũ nhất"
    assert args_of(oldest.link("Mới nhất").attrs["href"]) == {}


def test_a_search_without_results_offers_no_order_and_no_feed(client):
    doc = page(client, q="xyzzyqwv")
    assert not doc.all("nav", cls="sort") and not doc.all("a", cls="feed-link")
    assert not doc.all("link", rel="alternate")
    found = page(client, q="thi đua")
    assert found.one("nav", cls="sort") and found.one("a", cls="feed-link")


def test_pagination_has_page_numbers_and_keeps_filters(client):
    doc = page(client, q="bộ", per_page=3, page=5)
    nav = doc.one("nav", **{"aria-label": "Phân trang"})
    total = api(client, q="bộ", per_page=3)["pages"]
    texts = [li.text for li in nav.all("li")]
    assert texts == ["‹ Trước", "Trang 1", "…", "Trang 3", "Trang 4", "Trang 5", "Trang 6",
                     "Trang 7", "…", f"Trang {total}", "Sau ›"]
    assert nav.one("a", **{"aria-current": "page"}).text == "Trang 5"
    assert args_of(nav.one("a", rel="next").attrs["href"]) == {
        "q": ["bộ"], "per_page": ["3"], "page": ["6"]}
    assert "page" not in args_of(nav.one("a", rel="prev").attrs["href"]) or \
        args_of(nav.one("a", rel="prev").attrs["href"])["page"] == ["4"]
    assert doc.one("ol", cls="hits").attrs["start"] == "13"
    last = page(client, q="bộ", per_page=3, page=total)
    assert not last.all("a", rel="next")


@pytest.mark.parametrize("page_no, pages, expected", [
    (1, 1, [1]),
    (1, 4, [1, 2, 3, 4]),
    (1, 20, [1, 2, 3, None, 20]),
    (10, 20, [1, None, 8, 9, 10, 11, 12, None, 20]),
    (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),
    (20, 20, [1, None, 18, 19, 20]),
])
def test_page_numbers(page_no, pages, expected):
    assert views.page_numbers(page_no, pages) == expected


def test_zero_results_are_friendly(client):
    doc = page(client, q="xyzzyqwv", ministry="Bộ Y tế", date="2017")
    empty = doc.one("div", cls="empty")
    assert empty.one("h2").text == "Không tìm thấy bài viết nào cho “xyzzyqwv”"
    assert "Kiểm tra lại chính tả" in empty.text
    assert args_of(empty.link("Bỏ “Bộ Y tế”").attrs["href"]) == {
        "q": ["xyzzyqwv"], "date": ["2017"]}
    assert args_of(empty.link("bỏ tất cả bộ lọc").attrs["href"]) == {"q": ["xyzzyqwv"]}
    assert empty.link("Xem các bài viết mới nhất").attrs["href"] == "/"
    assert doc.by_id("result-count").text == "0 bài viết"
    assert not doc.all("nav", **{"aria-label": "Phân trang"})


def test_did_you_mean_is_a_link_when_the_search_has_a_suggestion(client, monkeypatch):
    real = views.search

    def with_suggestion(req, gen):
        result = real(req, gen)
        result.suggestion = "thi đua <b>"
        return result

    monkeypatch.setattr(views, "search", with_suggestion)
    html = get(client, q="xyzzyqwv", ministry=MIC).get_data(as_text=True)
    assert "thi đua &lt;b&gt;" in html and "thi đua <b>" not in html
    link = parse(html).one("div", cls="empty").one("li", cls="suggestion").one("a")
    assert link.text == "thi đua <b>"
    assert args_of(link.attrs["href"]) == {"q": ["thi đua <b>"], "ministry": [MIC]}
    assert "Có phải bạn muốn tìm" in link.parent.text
    found = parse(get(client, q="thi đua").get_data(as_text=True))
    assert found.one("p", cls="suggestion").one("a").text == "thi đua <b>"


def test_no_suggestion_no_did_you_mean(client):
    assert "Có phải bạn muốn tìm" not in get(client, q="xyzzyqwv").get_data(as_text=True)


def test_a_page_beyond_the_last_says_so(client):
    doc = page(client, q="thi đua", page=50)
    assert doc.one("div", cls="empty").one("h2").text == "Trang 50 không có kết quả"
    assert "page" not in args_of(doc.link("Về trang đầu").attrs["href"])


# -- the article page ------------------------------------------------------------------------


def test_article_page_has_text_captions_author_source_and_date(client):
    doc = page(client, f"/articles/{SEED}")
    article = doc.one("article", cls="article")
    assert article.one("h1").text.startswith("Khối thi đua các Bộ, ngành kinh tế Trung ương")
    assert article.one("time").attrs["datetime"] == "2017-03-23"
    source = article.one("p", cls="meta").one("a")
    assert source.text == "mic.gov.vn" and source.attrs["href"] == "https://mic.gov.vn/"
    assert "noopener" in source.attrs["rel"] and "noreferrer" in source.attrs["rel"]
    assert article.one("p", cls="author").text == "Tác giả: Xuân Lộc"
    captions = article.one("section", cls="captions").all("figcaption")
    assert len(captions) == 3
    paragraphs = article.one("div", cls="body").all("p")
    assert len(paragraphs) > 3 and "Phan Tâm" in article.one("div", cls="body").text


def test_article_ministries_and_persons_link_to_filtered_searches(client):
    entities = page(client, f"/articles/{SEED}").one("section", cls="entities")
    assert args_of(entities.link("Phan Tâm").attrs["href"]) == {"person": ["Phan Tâm"]}
    assert args_of(entities.link(MIC).attrs["href"]) == {"ministry": [MIC]}
    results = follow(client, entities.link("Phan Tâm").attrs["href"])
    assert [a.attrs["href"] for a in results.one("ol", cls="hits").all("a")
            if a.attrs["href"].startswith("/articles/")] == [f"/articles/{SEED}"]


def test_ministry_facet_offers_its_predecessors(client):
    doc = page(client, ministry="Bộ Xây dựng")
    offer = doc.one("p", cls="predecessors")
    assert "Bộ Giao thông vận tải" in offer.text
    link = offer.one("a")
    assert "aria-current" not in link.attrs
    assert args_of(link.attrs["href"]) == {"ministry": ["Bộ Xây dựng"], "predecessors": ["1"]}
    wider = follow(client, link.attrs["href"])
    assert wider.one("p", cls="predecessors").one("a").attrs["aria-current"] == "true"
    hits = [a.attrs["href"] for a in wider.one("ol", cls="hits").all("a")
            if a.attrs["href"].startswith("/articles/")]
    assert "/articles/sample-2017-11-20-an-toan-giao-thong-cuoi-nam" in hits
    # a ministry without predecessors offers nothing
    assert not page(client, ministry="Bộ Công Thương").all("p", cls="predecessors")


def test_related_articles_come_from_more_like_this(client, app):
    related = page(client, f"/articles/{SEED}").one("section", cls="related")
    links = [a.attrs["href"] for a in related.all("a")]
    # the two other articles about the same emulation bloc come first
    assert {"/articles/sample-2022-11-24-khoi-thi-dua-tong-ket",
            "/articles/sample-2017-03-28-phat-dong-thi-dua-bo-tttt"} <= set(links[:3])
    assert f"/articles/{SEED}" not in links and len(links) == 5
    with app.test_request_context("/"):
        assert len(related_articles(generation(), SEED, top=2)) == 2
        assert related_articles(generation(), "no-such-article") == []


def test_the_icon_is_served_from_memory_and_cached(client):
    doc = page(client)
    href = doc.one("link", rel="icon").attrs["href"]
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.data.startswith(b"<svg") and "max-age=86400" in icon.headers["Cache-Control"]
    assert client.get("/favicon.ico").headers["Location"] == href


def test_unknown_article_is_a_friendly_404(client):
    doc = page(client, "/articles/nope", status=404)
    assert doc.one("h1").text == "Không tìm thấy trang"
    assert doc.one("div", cls="error").all("p")[0].text == views.ARTICLE_MISSING
    assert doc.link("Về trang tìm kiếm").attrs["href"] == "/"


def test_an_unknown_address_answers_in_vietnamese_and_keeps_the_search(client):
    response = client.get("/nothing", query_string={"q": "thi đua", "ministry": MIC})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "requested URL" not in html and "not found" not in html.lower()
    doc = parse(html)
    assert doc.one("div", cls="error").all("p")[0].text == views.ERROR_MESSAGES[404]
    form = doc.one("form", role="search")
    assert form.one("input", name="q").attrs["value"] == "thi đua"
    assert form.one("input", type="checkbox").attrs["value"] == MIC
    assert args_of(doc.link("Tìm lại “thi đua”").attrs["href"]) == {
        "q": ["thi đua"], "ministry": [MIC]}
    # the feed takes the API's strict parameters; its error page is in Vietnamese all the same
    bad = client.get("/feed.atom", query_string={"from": "hôm qua"})
    assert bad.status_code == 400
    assert views.ERROR_MESSAGES[400] in bad.get_data(as_text=True)
    assert "must be" not in bad.get_data(as_text=True)


@pytest.mark.parametrize("start, end", [("2021-12-31", "2021-01-01"),
                                        ("31/12/2021", "1/1/2021")])
def test_a_reversed_date_range_is_swapped_with_a_notice(client, start, end):
    doc = page(client, q="bộ", **{"from": start, "to": end})
    notice = doc.one("p", cls="notice")
    assert notice.text == ("Ngày bắt đầu (31/12/2021) sau ngày kết thúc (01/01/2021): "
                           "đã đổi lại thành từ 01/01/2021 đến 31/12/2021.")
    expected = api(client, q="bộ", **{"from": "2021-01-01", "to": "2021-12-31"})["total"]
    assert expected and doc.by_id("result-count").text.startswith(f"{expected} bài viết")
    assert doc.one("input", id="date-from").attrs["value"] == "2021-01-01"
    assert doc.one("input", id="q").attrs["value"] == "bộ"
    assert "Bỏ lọc 01/01/2021 – 31/12/2021×" in doc.one("ul", cls="chips").text
    # the API reads the range the right way round too, and says which it applied
    swapped = client.get("/api/search", query_string={"from": "2021-12-31", "to": "2021-01-01"})
    assert swapped.status_code == 200
    assert swapped.get_json()["filters"]["from"] == "2021-01-01"


def test_what_the_page_cannot_use_is_left_out_with_a_word_in_vietnamese(client):
    doc = page(client, q="bộ", date=["2017", "tháng ba"], page="0", sort="hay nhất")
    notices = [p.text for p in doc.all("p", cls="notice")]
    # in the order the parameters are read
    assert notices == ["Đã bỏ qua thời gian không dùng được: “tháng ba”.",
                       "Đã bỏ qua cách sắp xếp “hay nhất” không dùng được.",
                       "Không có trang này của kết quả: đang hiển thị trang đầu."]
    assert [b.attrs["value"] for b in doc.one("form", role="search").all(
        "input", type="checkbox")] == ["2017"]
    assert doc.by_id("result-count").text.startswith(
        f"{api(client, q='bộ', date='2017')['total']} bài viết")
    long = page(client, q="thuế " * 120)
    assert long.one("p", cls="notice").text.startswith("Từ khóa dài quá 500 ký tự")


def test_sections_and_sources_are_panels_when_the_search_counts_them(client):
    """The core lists ``category`` and ``source`` facets where it has them; the page follows."""
    result = api(client, facet_size=100)["facets"]
    doc = page(client)
    for arg in views.PLAIN_PANELS:
        sections = doc.all("section", **{"data-facet": arg})
        if not result.get(arg):
            assert not sections  # nothing to list yet: no empty panel
            continue
        counts = facet_counts(sections[0])
        assert counts == {i["value"]: i["count"] for i in result[arg][:len(counts)]}
        value = next(iter(counts))
        link = sections[0].all("a", cls="value-link")[0]
        chosen = follow(client, link.attrs["href"])
        assert chosen.one("ul", cls="chips").all("a")[0].text == f"Bỏ lọc {value}×"


# -- every state is a URL --------------------------------------------------------------------


def test_the_search_box_keeps_filters_sort_and_page_size_but_starts_at_page_one(client):
    doc = page(client, q="bộ", ministry=[MIC, "Bộ Y tế"], person="Phan Tâm", date="2017",
               sort="newest", page=2, per_page=5, **{"from": "2017-01-01", "to": "2017-12-31"})
    form = doc.one("form", role="search")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/"
    assert form.one("input", name="q").attrs["value"] == "bộ"
    hidden = [(i.attrs["name"], i.attrs["value"]) for i in form.all("input", type="hidden")]
    assert hidden == [("sort", "newest"), ("per_page", "5")]
    # the filters a new query keeps are in sight, each a ticked box that lets it go
    scope = form.one("fieldset", cls="scope")
    assert scope.one("legend").text == "Tìm trong bộ lọc đang dùng:"
    boxes = form.all("input", type="checkbox")
    assert all("checked" in box.attrs for box in boxes)
    assert [(b.attrs["name"], b.attrs["value"], form.one("label", **{"for": b.attrs["id"]}).text)
            for b in boxes] == [
        ("ministry", MIC, MIC), ("ministry", "Bộ Y tế", "Bộ Y tế"),
        ("person", "Phan Tâm", "Phan Tâm"), ("date", "2017", "2017"),
        ("from", "2017-01-01", "từ 01/01/2017"), ("to", "2017-12-31", "đến 31/12/2017")]
    clear = scope.one("button", name="clear")
    assert clear.attrs["type"] == "submit" and clear.text == "Bỏ hết bộ lọc"
    # the button comes after "Tìm kiếm", so that Enter in the box keeps the filters
    buttons = form.all("button")
    assert buttons[0].text == "Tìm kiếm" and buttons[-1] is clear


def test_one_tap_drops_every_filter_and_keeps_the_new_words(client):
    response = client.get("/", query_string={
        "q": "thuế", "ministry": MIC, "date": "2017", "sort": "oldest", "clear": "1"})
    assert response.status_code == 302
    assert args_of(response.headers["Location"]) == {"q": ["thuế"], "sort": ["oldest"]}
    # unticking one box drops that filter only: the form simply does not send it
    doc = page(client, q="thuế", ministry=[MIC, "Bộ Y tế"])
    assert args_of(doc.one("ul", cls="chips").link("Bỏ lọc Bộ Y tế×").attrs["href"]) == {
        "q": ["thuế"], "ministry": [MIC]}
    assert not page(client).all("fieldset", cls="scope")  # no filter, nothing to say


def test_every_link_of_the_page_reproduces_a_valid_search(client):
    doc = page(client, q="thi đua", ministry=MIC, date="2017", sort="oldest", per_page=1, page=2)
    sort_links = {a.attrs["href"] for a in doc.one("nav", cls="sort").all("a")}
    hrefs = {a.attrs["href"] for a in doc.all("a") if a.attrs["href"].startswith("/?")}
    assert len(hrefs - sort_links) > 12
    for href in hrefs:
        args = args_of(href)
        assert args.get("per_page") == ["1"], href
        assert href in sort_links or args.get("sort") == ["oldest"], href
        followed = follow(client, href)
        assert not followed.all("p", cls="notice"), href  # nothing in it was left out


# -- the Atom feed ---------------------------------------------------------------------------


def feed(client, **params) -> ET.Element:
    response = get(client, "/feed.atom", **params)
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)


def test_feed_of_a_search_is_valid_atom_newest_first(client):
    root = feed(client, ministry=MIC)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == f"Tìm kiếm tin tức: {MIC}"
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert args_of(self_link) == {"ministry": [MIC]}
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Tìm kiếm tin tức"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == api(client, ministry=MIC)["total"]
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        assert MIC in [c.get("term") for c in entry.findall(f"{ATOM}category")]
        href = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert href.startswith("/articles/")  # a path: no BASE_URL, and never the Host header
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\+07:00", entry.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}updated").text == updated[0]


def test_feed_carries_article_text_as_text(client):
    root = feed(client, q="mã độc")
    entry = next(e for e in root.findall(f"{ATOM}entry")
                 if e.find(f"{ATOM}link[@rel='alternate']").get("href").endswith(HOSTILE))
    assert entry.find(f"{ATOM}title").text == (
        "Bộ TT&TT hướng dẫn nhận diện mã độc <script>alert('x')</script> & thư rác giả mạo")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # HTML inside: the article's own markup is escaped text, the query's words are <mark>s
    assert "<mark" in summary.text and "<script>" not in summary.text and "<img" not in summary.text
    raw = get(client, "/feed.atom", q="mã độc").get_data(as_text=True)
    assert "<script>" not in raw and "<img" not in raw


def test_feed_takes_the_search_parameters(client):
    assert len(feed(client, per_page=2).findall(f"{ATOM}entry")) == 2
    assert len(feed(client).findall(f"{ATOM}entry")) == views.FEED_SIZE
    oldest = feed(client, sort="oldest", per_page=3).findall(f"{ATOM}entry")
    assert oldest[0].find(f"{ATOM}updated").text.startswith("2017-03-23")
    assert get(client, "/feed.atom", page="x", status=400)


def test_the_search_page_links_its_feed(client):
    doc = page(client, q="thi đua", person="Phan Tâm", page=1, sort="oldest")
    alternate = doc.one("link", rel="alternate")
    assert alternate.attrs["type"] == "application/atom+xml"
    assert args_of(alternate.attrs["href"]) == {"q": ["thi đua"], "person": ["Phan Tâm"]}
    assert doc.link("Theo dõi tìm kiếm này (Atom)").attrs["href"] == alternate.attrs["href"]
    root = feed(client, q="thi đua", person="Phan Tâm")
    assert [e.find(f"{ATOM}link[@rel='alternate']").get("href")
            for e in root.findall(f"{ATOM}entry")] == [f"/articles/{SEED}"]


def test_feed_without_dated_articles_uses_the_build_time(client):
    root = feed(client, date="none")
    assert len(root.findall(f"{ATOM}entry")) == 3
    assert all(e.find(f"{ATOM}published") is None for e in root.findall(f"{ATOM}entry"))
    built = dt.datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    assert built.tzinfo is not None and built.year >= 2024


# -- phones and accessibility (what can be seen without a browser) ---------------------------

PAGES = [("/", {}), ("/", {"q": "thi đua", "ministry": MIC, "date": "2017-03"}),
         ("/", {"q": "xyzzyqwv"}), (f"/articles/{SEED}", {}), (f"/articles/{HOSTILE}", {}),
         ("/articles/nope", {}), ("/", {"page": "0"})]


@pytest.mark.parametrize("path, params", PAGES)
def test_pages_are_vietnamese_with_landmarks_labels_and_unique_ids(client, path, params):
    response = client.get(path, query_string=params)
    doc = parse(response.get_data(as_text=True))
    html = doc.one("html")
    assert html.attrs["lang"] == "vi"
    viewport = doc.one("meta", name="viewport").attrs["content"]
    assert viewport == "width=device-width, initial-scale=1"
    assert doc.one("head").one("title").text
    assert len(doc.all("header")) >= 1 and len(doc.all("footer")) >= 1
    main = doc.one("main")
    assert main.attrs["id"] == "main" and doc.one("a", cls="skip").attrs["href"] == "#main"
    assert len(doc.all("h1")) == 1
    ids = [el.attrs["id"] for el in doc.iter() if "id" in el.attrs]
    assert len(ids) == len(set(ids))
    for field in doc.all("input"):
        if field.attrs.get("type") == "hidden":
            continue
        assert doc.all("label", **{"for": field.attrs["id"]}), field.attrs
    for nav in doc.all("nav"):
        assert nav.attrs.get("aria-label")
    if path == "/" and response.status_code == 200:
        aside = doc.one("aside")
        assert aside.parent.tag != "main" and aside.attrs["aria-label"] == "Bộ lọc"


@pytest.mark.parametrize("path, params", PAGES)
def test_pages_have_no_inline_script_style_or_other_hosts(client, path, params):
    doc = parse(client.get(path, query_string=params).get_data(as_text=True))
    scripts = doc.all("script")
    assert [s.attrs.get("src") for s in scripts] == ["/static/app.js"]
    assert all(not s.children for s in scripts)
    assert not doc.all("style")
    for el in doc.iter():
        assert "style" not in el.attrs, el.tag
        assert not [a for a in el.attrs if a.startswith("on")], (el.tag, el.attrs)
    for el in doc.all("link") + doc.all("script") + doc.all("img"):
        url = el.attrs.get("href") or el.attrs.get("src")
        assert url.startswith("/") and not url.startswith("//"), url
    for form in doc.all("form"):
        assert form.attrs["action"] == "/" and form.attrs["method"] == "get"


def test_the_filters_collapse_on_phones_by_a_disclosure(client):
    doc = page(client, ministry=MIC)
    filters = doc.one("details", cls="filters")
    assert "open" in filters.attrs  # open without JavaScript; the script folds it on phones
    assert filters.all("summary")[0].text == "Bộ lọc (1 đang chọn)"
    css = get(client, "/static/style.css").get_data(as_text=True)
    assert "@media (max-width: 720px)" in css and ":focus-visible" in css
    js = get(client, "/static/app.js").get_data(as_text=True)
    assert 'matchMedia("(max-width: 720px)")' in js


# -- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/?q=thi", f"/articles/{SEED}", "/feed.atom",
                                  "/api/search", "/static/style.css", "/articles/nope",
                                  "/?page=x"])
def test_security_headers_everywhere(client, path):
    with client.get(path) as response:
        pass
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe" not in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


HOSTILE_TITLE = "Bộ TT&TT hướng dẫn nhận diện mã độc <script>alert('x')</script> & thư rác giả mạo"


@pytest.mark.parametrize("path, params", [
    ("/", {"q": "mã độc"}),
    ("/", {"q": "alert script"}),
    (f"/articles/{HOSTILE}", {}),
    ("/", {"q": "mã độc", "date": "2023-10"}),
])
def test_article_text_is_escaped_everywhere(client, path, params):
    html = get(client, path, **params).get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html and "onerror=alert(1)>" not in html
    doc = parse(html)
    if path == "/":
        titles = [a.text for a in doc.one("ol", cls="hits").all("a")]
        assert HOSTILE_TITLE in titles  # marks or not, the title reads as written
        assert "&lt;" in html
    elif HOSTILE in path:
        assert doc.one("h1").text == HOSTILE_TITLE
        assert doc.one("head").one("title").text.startswith(HOSTILE_TITLE)
        body = doc.one("div", cls="body").text
        # the article writes about "&amp;": shown as those five characters, escaped once
        assert "<img src=x onerror=alert(1)>" in body and "thành &amp;," in body
        assert doc.one("section", cls="captions").text.endswith("mã độc & thư rác giả mạo")


@pytest.mark.parametrize("params", [
    {"ministry": "<img src=x onerror=alert(1)>"},
    {"person": "<script>alert(1)</script>"},
    {"q": "\"><script>alert(1)</script>"},
    {"person_q": "<script>alert(1)</script>"},
    {"q": "x", "ministry": "Bộ \"Y\" tế' onmouseover='alert(1)"},
])
def test_values_from_the_url_are_escaped(client, params):
    html = get(client, **params).get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    doc = parse(html)
    for el in doc.iter():
        assert not [a for a in el.attrs if a.startswith("on")]
    value = params.get("person_q") or params.get("ministry") or params.get("person") or params["q"]
    assert value in doc.text  # shown as the text it is
