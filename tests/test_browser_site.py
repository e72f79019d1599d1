"""The search page's enhancements in a real Chromium: the search box's suggestions, filters that
stay where the reader is, the date filter on an archive, forgiving errors, and axe in light and
dark. Same browser, server and index as test_browser.py.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import served
from test_browser import (ARTIFACTS, DESKTOP, PHONE, args, browser, base_url, click_and_wait,  # noqa: F401
                          count_text, open_filters, open_page, unavailable)

pytestmark = pytest.mark.browser

HEALTH = "Bộ Y tế"
EDUCATION = "Bộ Giáo dục và Đào tạo"
NHUNG = "Nghiêm Thị Hồng Nhung"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def combobox(page):
    return page.get_by_role("combobox", name="Từ khóa tìm kiếm")


def listbox(page):
    return page.get_by_role("listbox", name="Gợi ý tìm kiếm")


def wait_for_options(page, text: str):
    page.locator("#q-suggestions [role=option]", has_text=text).first.wait_for()


# -- the search box's suggestions ------------------------------------------------------------


def test_suggestions_are_a_combobox_driven_by_the_keyboard(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        asked: list[str] = []
        page.on("request", lambda r: "/api/suggest" in r.url and asked.append(r.url))
        page.goto("/")
        box = combobox(page)
        assert box.get_attribute("aria-expanded") == "false"
        assert box.get_attribute("aria-autocomplete") == "list"
        assert box.get_attribute("autocomplete") == "off"  # the list takes the browser's place
        box.press_sequentially("nghiem", delay=40)  # without accents
        wait_for_options(page, NHUNG)
        # typed quickly, the box asks once the reader pauses, not at every key
        assert len(asked) == 1 and "q=nghiem" in asked[0]
        assert box.get_attribute("aria-expanded") == "true"
        assert box.get_attribute("aria-controls") == listbox(page).get_attribute("id")
        options = listbox(page).get_by_role("option")
        count = options.count()
        assert count >= 1
        assert options.first.inner_text().startswith(NHUNG)
        assert "Nhân vật" in options.first.inner_text()
        status = page.locator("#q-suggestions-status")
        assert status.get_attribute("role") == "status"
        assert status.inner_text().startswith(f"{count} gợi ý.")
        assert box.get_attribute("aria-activedescendant") is None

        box.press("ArrowDown")
        first_id = options.first.get_attribute("id")
        assert box.get_attribute("aria-activedescendant") == first_id
        assert options.first.get_attribute("aria-selected") == "true"
        assert page.evaluate("document.activeElement.id") == "q"  # focus stays in the box
        box.press("ArrowUp")  # from the first option up to the last
        assert box.get_attribute("aria-activedescendant") == options.last.get_attribute("id")

        box.press("Escape")
        assert box.get_attribute("aria-expanded") == "false"
        assert not listbox(page).is_visible()
        assert box.get_attribute("aria-activedescendant") is None
        assert box.input_value() == "nghiem"  # Escape closes the list, the text stays

        box.press("ArrowDown")  # opens again on the first option
        assert box.get_attribute("aria-expanded") == "true"
        assert box.get_attribute("aria-activedescendant") == first_id
        with page.expect_navigation():
            box.press("Enter")
        # a person is a filter: the words typed were only its name
        assert args(page) == {"person": [NHUNG]}
        assert page.locator("ul.chips a", has_text=NHUNG).count() == 1
        watch.assert_clean()


@pytest.mark.parametrize("typed, offered, kind, expected", [
    ("thi dua", "thi đua", "Từ trong tiêu đề", {"q": ["thi đua"]}),
    ("bo y te", HEALTH, "Bộ, ngành", {"ministry": [HEALTH]}),
    ("Nghiêm", NHUNG, "Nhân vật", {"person": [NHUNG]}),
])
def test_a_suggestion_is_found_with_or_without_accents_and_searched(browser, base_url, typed,
                                                                    offered, kind, expected):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/")
        box = combobox(page)
        box.press_sequentially(typed, delay=20)
        wait_for_options(page, offered)
        option = listbox(page).get_by_role("option").filter(
            has=page.locator(".text", has_text=re.compile(f"^{re.escape(offered)}$")))
        assert kind in option.inner_text()
        with page.expect_navigation():
            option.click()
        assert args(page) == expected
        watch.assert_clean()


def test_enter_without_a_chosen_suggestion_searches_the_words_typed(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/")
        box = combobox(page)
        box.press_sequentially("thi dua", delay=20)
        wait_for_options(page, "thi đua")
        with page.expect_navigation():
            box.press("Enter")
        assert args(page) == {"q": ["thi dua"]}
        assert count_text(page).endswith("bài viết")
        box = combobox(page)
        box.press_sequentially("x", delay=20)  # too short for suggestions: none asked
        page.wait_for_timeout(400)
        assert box.get_attribute("aria-expanded") == "false"
        watch.assert_clean()


# -- facets ----------------------------------------------------------------------------------


def test_a_selected_ministry_stays_listed_when_a_person_leaves_it_no_article(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/?q=bộ")
        ministries = page.locator("section[data-facet=ministry]")
        for ministry in (HEALTH, EDUCATION):
            link = ministries.locator("a.value-link", has_text=ministry).first
            if not link.is_visible():
                ministries.locator("details.more summary").click()
            click_and_wait(page, link)
        assert args(page)["ministry"] == [HEALTH, EDUCATION]
        click_and_wait(page, page.locator("section[data-facet=person] a.value-link",
                                          has_text=NHUNG))
        assert args(page)["person"] == [NHUNG]
        selected = ministries.locator("li.selected")
        assert selected.count() == 2
        listed = {li.get_attribute("data-value"): li.locator(".count").inner_text()
                  for li in selected.all()}
        # no article of Nghiêm Thị Hồng Nhung names the ministry of education: still applied
        assert listed[EDUCATION].startswith("0") and not listed[HEALTH].startswith("0")
        for li in selected.all():
            assert li.is_visible()
            assert li.locator("a").get_attribute("aria-current") == "true"
        chips = page.locator("ul.chips[aria-label='Bộ lọc đang dùng'] a")
        assert chips.filter(has_text=EDUCATION).count() == 1
        watch.assert_clean()


def test_two_ticks_on_a_phone_are_two_taps(browser, base_url):
    """The filters stay open across a tick, with the ticked value where it was on screen."""
    with open_page(browser, base_url, PHONE) as (page, watch):
        page.goto("/?q=bộ")
        open_filters(page)
        ministries = page.locator("section[data-facet=ministry]")
        first = ministries.locator("li[data-value='Bộ Y tế']")
        first.scroll_into_view_if_needed()
        page.mouse.wheel(0, 120)  # the reader has scrolled on a little
        page.wait_for_timeout(100)
        before = first.bounding_box()["y"]
        assert page.evaluate("scrollY") > 0
        with page.expect_navigation():
            first.locator("a").tap()
        assert args(page)["ministry"] == [HEALTH]
        assert page.locator("details.filters").get_attribute("open") is not None
        again = ministries.locator("li[data-value='Bộ Y tế']")
        assert abs(again.bounding_box()["y"] - before) <= 2
        assert "selected" in again.get_attribute("class")
        # the next value is right there, under the reader's finger: no scrolling, no reopening
        second = ministries.locator("li[data-value='Bộ Công an'] a")
        box = second.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
        with page.expect_navigation():
            page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert args(page)["ministry"] == [HEALTH, "Bộ Công an"]
        assert page.locator("details.filters").get_attribute("open") is not None
        # a page reached otherwise starts folded, at the top, as before
        page.goto("/?q=bộ")
        assert page.locator("details.filters").get_attribute("open") is None
        assert page.evaluate("scrollY") == 0
        watch.assert_clean()


# -- the date filter on an archive -----------------------------------------------------------

ARCHIVE_DAYS = ["2019-02-11", "2019-07-03", "2020-01-20", "2020-01-28", "2020-06-15",
                "2021-03-02", "2021-03-09", "2021-04-30"]


@pytest.fixture()
def archive_url(make_index):
    """An archive of 2019–2021, served."""
    from webui import create_app

    files = {f"a{n}.jsonl": json.dumps({
        "id": f"a{n}", "title": f"Bộ Y tế họp lần {n}", "date": day, "source": "moh.gov.vn",
        "body": f"Bộ Y tế họp bàn công tác phòng dịch lần thứ {n}."}, ensure_ascii=False) + "\n"
        for n, day in enumerate(ARCHIVE_DAYS)}
    root, report = make_index(files)
    assert report.indexed == len(ARCHIVE_DAYS)
    with served(create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_UP": False})) as url:
        yield url


def test_the_date_filter_of_an_archive_is_in_sight_labelled_and_never_empty(browser,
                                                                           archive_url):
    with open_page(browser, archive_url, LAPTOP) as (page, watch):
        page.goto("/")
        section = page.locator("section[data-facet=date]")
        heading = section.get_by_role("heading", name="Thời gian")
        assert heading.bounding_box()["y"] < 300  # at the top of the filters, not far below
        ranges = section.locator("ul.quick-ranges a")
        assert ranges.first.bounding_box()["y"] < 768
        offered = {a.locator(".value").inner_text(): int(a.locator(".count").inner_text().split()[0])
                   for a in ranges.all()}
        assert offered == {"Tháng 4/2021": 1, "3 tháng đến 4/2021": 3, "12 tháng đến 4/2021": 4}
        assert "ngày qua" not in section.inner_text()
        # the chart says what it shows without hovering: years, their totals, the scale
        chart = section.locator("svg.month-chart")
        assert chart.is_visible() and chart.bounding_box()["y"] + 60 < 768
        years = chart.locator("text.year-label")
        assert years.all_text_contents() == ["2019", "2020", "2021"]
        assert chart.locator("text.year-total").all_text_contents() == ["2", "3", "3"]
        assert chart.locator("text.axis-label").all_text_contents() == ["2", "0"]
        for label in years.all():
            assert label.bounding_box()["height"] >= 10  # readable, not shrunk with the chart
        boxes = [label.bounding_box() for label in years.all()]
        assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(boxes, boxes[1:]))
        for name, count in offered.items():
            click_and_wait(page, section.locator("ul.quick-ranges a", has_text=name))
            assert count_text(page) == f"{count} bài viết"
            current = page.locator("ul.quick-ranges a[aria-current=true] .value")
            assert current.inner_text().endswith(name)
        # by year and month, with counts
        page.goto("/")
        section.locator("ul.years summary", has_text="2020").click()
        month = section.locator("ul.years a.value-link", has_text="Tháng 1/2020")
        assert month.locator(".count").inner_text().startswith("2")
        click_and_wait(page, month)
        assert args(page) == {"date": ["2020-01"]} and count_text(page) == "2 bài viết"
        watch.assert_clean()


def test_the_date_filter_comes_first_on_a_desktop(browser, base_url):
    with open_page(browser, base_url, LAPTOP) as (page, watch):
        page.goto("/?q=bộ")
        headings = page.locator("aside .facet h2").all_inner_texts()
        assert headings[0] == "Thời gian"
        assert page.locator("#facet-date").bounding_box()["y"] < 300
        assert page.locator("#date-from").bounding_box()["y"] < 1000
        watch.assert_clean()


# -- errors that keep the search -------------------------------------------------------------


def test_a_reversed_date_range_is_swapped_and_the_search_kept(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/?q=bộ&ministry=Bộ+Tài+chính")
        page.locator("#date-from").fill("2021-12-31")
        page.locator("#date-to").fill("2019-01-01")
        click_and_wait(page, page.get_by_role("button", name="Lọc theo ngày"))
        assert args(page)["from"] == ["2021-12-31"]  # the URL as sent; the page reads it right
        notice = page.locator("p.notice")
        assert notice.is_visible()
        assert "đã đổi lại thành từ 01/01/2019 đến 31/12/2021" in notice.inner_text()
        assert page.locator("#date-from").input_value() == "2019-01-01"
        assert page.locator("#date-to").input_value() == "2021-12-31"
        assert combobox(page).input_value() == "bộ"
        assert page.locator("ul.chips a", has_text="Bộ Tài chính").count() == 1
        assert page.locator("ol.hits article").count() >= 1
        watch.assert_clean()


def test_a_wrong_address_answers_in_vietnamese_and_the_search_goes_on(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        response = page.goto("/nothing?q=thi+đua&ministry=Bộ+Thông+tin+và+Truyền+thông")
        assert response.status == 404
        text = page.locator("main").inner_text()
        assert "requested URL" not in text and "Không có trang nào ở địa chỉ này" in text
        assert page.locator("h1").inner_text() == "Không tìm thấy trang"
        box = combobox(page)
        assert box.input_value() == "thi đua"
        kept = page.get_by_role("checkbox", name="Bộ Thông tin và Truyền thông")
        assert kept.is_checked()
        box.fill("khen thưởng")
        with page.expect_navigation():
            box.press("Enter")
        assert args(page) == {"q": ["khen thưởng"], "ministry": ["Bộ Thông tin và Truyền thông"]}
        watch.assert_clean(404)


def test_a_new_query_shows_the_filters_it_keeps_and_drops_them_in_one_tap(browser, base_url):
    with open_page(browser, base_url, PHONE) as (page, watch):
        page.goto("/?q=thi+đua&ministry=Bộ+Thông+tin+và+Truyền+thông&date=2017")
        scope = page.get_by_role("group", name="Tìm trong bộ lọc đang dùng:")
        assert scope.is_visible()
        assert scope.get_by_role("checkbox").count() == 2
        box = combobox(page)
        box.fill("khen thưởng")
        scope.get_by_role("checkbox", name="2017").uncheck()  # one tap lets one filter go
        with page.expect_navigation():
            box.press("Enter")
        assert args(page) == {"q": ["khen thưởng"], "ministry": ["Bộ Thông tin và Truyền thông"]}
        combobox(page).fill("thi đua")
        with page.expect_navigation():  # and one tap lets them all go
            page.get_by_role("button", name="Bỏ hết bộ lọc").tap()
        assert args(page) == {"q": ["thi đua"]}
        assert not page.get_by_role("group", name="Tìm trong bộ lọc đang dùng:").count()
        watch.assert_clean()


# -- accessibility in light and dark ---------------------------------------------------------

AXE_PAGES = {
    "home": "/",
    "results": "/?q=thi+đua&ministry=Bộ+Thông+tin+và+Truyền+thông&date=2017&per_page=2",
    "notice": "/?q=bộ&from=2021-12-31&to=2019-01-01",
    "zero-results": "/?q=xyzzyqwv&ministry=Bộ+Y+tế",
    "article": "/articles/mic-2017-03-23",
    "error": "/nothing?q=thi+đua&ministry=Bộ+Y+tế",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device_name", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_nothing_in_light_or_dark(browser, base_url, name, device_name, scheme):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    device = {**(DESKTOP if device_name == "desktop" else PHONE), "color_scheme": scheme}
    with open_page(browser, base_url, device) as (page, watch):
        page.goto(AXE_PAGES[name])
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark")
        if page.locator("details.filters").count():
            open_filters(page)  # check the folded filters too
        if name == "home":  # and the suggestions, open with one chosen
            combobox(page).press_sequentially("nghiem", delay=20)
            wait_for_options(page, NHUNG)
            combobox(page).press("ArrowDown")
        results = Axe().run(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-{name}-{device_name}-{scheme}.json").write_text(
            json.dumps(results.response["violations"], indent=2, ensure_ascii=False), "utf-8")
        assert len(results.response["passes"]) > 20  # the rules did run on the page
        assert not results.response["violations"], results.generate_report()
        watch.assert_clean(404 if name == "error" else 200)
