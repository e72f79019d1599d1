"""The search site in a real headless Chromium, driven by Playwright's sync API: journeys,
the search box's suggestions, filters that stay where the reader is, the date filter on an
archive, errors that keep the search, safety, and axe in light and dark.

The app runs on werkzeug's server in a thread, on a free localhost port, against the index of
data/ that the real indexer built (conftest.py). Chromium is the system's (Debian's package
``chromium``; set CHROMIUM to use another binary): Playwright never downloads a browser here.
Without Chromium or Playwright these tests skip, saying so; with BROWSER_TESTS=required (as
.ci/run sets) they fail instead. Screenshots and accessibility reports go to
test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import served

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
MIC = "Bộ Thông tin và Truyền thông"
TRANSPORT = "Bộ Giao thông vận tải"
HOSTILE = "sample-2023-10-17-escaping-test"
HOSTILE_TITLE = "Bộ TT&TT hướng dẫn nhận diện mã độc <script>alert('x')</script> & thư rác giả mạo"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
# flags for a closed network and a root user (see the machine notes in the README)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions"]


def unavailable(reason: str):
    """Skip, or fail where the browser tests are required (CI)."""
    if os.environ.get("BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required but cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def chromium_path() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome-stable", "google-chrome"):
        if name and (found := shutil.which(name)):
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    if executable is None:
        unavailable("no Chromium found (apt-get install chromium, or set CHROMIUM=/path)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def base_url(app):
    """The app served on a free localhost port for the whole session."""
    with served(app) as url:
        yield url


class Watch:
    """What a page did besides rendering: console errors, dialogs, requests to other hosts."""

    def __init__(self, page, base_url: str):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[tuple[str, str]] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        # a load cut short by the next navigation is no failure of the page
        page.on("requestfailed", lambda r: r.failure == "net::ERR_ABORTED"
                or self.failed.append((r.url, r.failure)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: r.url.startswith(base_url) or self.foreign.append(r.url))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self, status: int = 200):
        """Nothing but the page: ``status`` is the page's own, whose error the console shows."""
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        errors = [e for e in self.errors
                  if status == 200 or f"status of {status}" not in e]
        assert not errors, f"console errors: {errors}"
        assert not self.failed, f"failed requests: {self.failed}"


@contextmanager
def open_page(browser, base_url, device=DESKTOP, javascript=True):
    context = browser.new_context(**device, java_script_enabled=javascript, locale="vi-VN",
                                  base_url=base_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch = Watch(page, base_url)
    try:
        yield page, watch
    finally:
        context.close()


class Shots:
    """Numbered screenshots of one test, under test-artifacts/browser/."""

    def __init__(self, name: str):
        self.name, self.count = name, 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{name}-*.png"):
            old.unlink()

    def __call__(self, page, step: str):
        self.count += 1
        page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.count:02d}-{step}.png"),
                        full_page=True)


def args(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def count_text(page) -> str:
    return page.locator("#result-count").inner_text().strip()


def no_sideways_scroll(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def open_filters(page):
    """On a phone the filters are folded away: unfold them."""
    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").first.click()
    assert filters.get_attribute("open") is not None


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


@pytest.mark.parametrize("device_name", ["desktop", "phone"])
def test_search_journey(browser, base_url, device_name):
    """Type a query, pick two ministries and a month, page forward, open an article, follow a
    person, and come back: every state is a URL the back button returns to."""
    device = DESKTOP if device_name == "desktop" else PHONE
    phone = device is PHONE
    shot = Shots(f"journey-{device_name}")
    with open_page(browser, base_url, device) as (page, watch):
        page.goto("/?per_page=1")  # one result a page, so that the month has two pages
        filters = page.locator("details.filters")
        assert (filters.get_attribute("open") is None) == phone  # folded on a phone only
        shot(page, "start")

        box = page.get_by_role("combobox", name="Từ khóa tìm kiếm")
        box.fill("thi đua")
        with page.expect_navigation():
            box.press("Enter")
        assert args(page) == {"q": ["thi đua"], "per_page": ["1"]}
        assert page.locator("h1").inner_text() == "Kết quả cho “thi đua”"
        shot(page, "query")

        ministries = page.locator("section[aria-labelledby=facet-ministry]")
        for ministry in (MIC, TRANSPORT):
            if phone:
                open_filters(page)
            click_and_wait(page, ministries.locator("a.value-link", has_text=ministry).first)
        assert args(page)["ministry"] == [MIC, TRANSPORT]
        chips = page.locator("ul.chips[aria-label='Bộ lọc đang dùng'] a")
        assert chips.filter(has_text=MIC).count() == 1
        assert chips.filter(has_text=TRANSPORT).count() == 1
        shot(page, "two-ministries")

        if phone:  # by the year's list of months
            open_filters(page)
            page.locator("ul.years summary", has_text="2017").click()
            click_and_wait(page, page.locator("ul.years a.value-link", has_text="Tháng 3/2017"))
        else:  # by the bar of the chart
            click_and_wait(page, page.locator("svg.month-chart a[data-value='2017-03']"))
        assert args(page)["date"] == ["2017-03"]
        assert count_text(page) == "2 bài viết · trang 1/2"
        shot(page, "month")

        click_and_wait(page, page.locator("nav.pages a[rel=next]"))
        assert args(page)["page"] == ["2"]
        assert page.locator("nav.pages a[aria-current=page]").text_content() == "Trang 2"
        results_url = page.url
        shot(page, "page-2")

        title = page.locator("ol.hits article h2 a").first
        heading = title.inner_text()
        click_and_wait(page, title)
        assert page.url.startswith(f"{base_url}/articles/")
        assert page.locator("h1").inner_text() == heading
        article_url = page.url
        shot(page, "article")

        person = page.locator("section.entities ul[aria-labelledby=entities-persons] a").first
        name = person.inner_text()
        click_and_wait(page, person)
        assert args(page) == {"person": [name]}
        assert page.locator("ul.chips a", has_text=name).count() == 1
        assert page.locator("ol.hits a", has_text=heading).count() == 1
        shot(page, "person")

        page.go_back()
        assert page.url == article_url
        page.go_back()
        assert page.url == results_url
        assert count_text(page) == "2 bài viết · trang 2/2"
        assert page.get_by_role("combobox", name="Từ khóa tìm kiếm").input_value() == "thi đua"
        shot(page, "back")
        if phone:
            no_sideways_scroll(page)
        watch.assert_clean()


@pytest.mark.parametrize("path", ["/", "/?q=thi+đua&ministry=Bộ+Y+tế&date=2017",
                                  "/articles/mic-2017-03-23", f"/articles/{HOSTILE}",
                                  "/?q=xyzzyqwv&ministry=Bộ+Y+tế", "/articles/nope"])
def test_pages_fit_a_phone(browser, base_url, path):
    with open_page(browser, base_url, PHONE) as (page, watch):
        page.goto(path)
        no_sideways_scroll(page)
        for link in page.locator("main a:visible").all()[:40]:
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360 + 1, link.inner_text()
        watch.assert_clean(404 if path.endswith("nope") else 200)


def test_hostile_article_shows_as_text_and_runs_nothing(browser, base_url):
    shot = Shots("hostile")
    with open_page(browser, base_url) as (page, watch):
        page.goto("/?q=mã+độc")
        title = page.locator("ol.hits article h2 a", has_text="nhận diện mã độc")
        assert title.inner_text() == HOSTILE_TITLE
        shot(page, "search")
        click_and_wait(page, title)
        assert page.locator("h1").inner_text() == HOSTILE_TITLE
        assert page.title().startswith(HOSTILE_TITLE)
        body = page.locator("div.body").inner_text()
        assert "<img src=x onerror=alert(1)>" in body and "<script>alert('x')</script>" in body
        assert page.locator("img").count() == 0
        scripts = page.eval_on_selector_all("script", "s => s.map(e => e.getAttribute('src'))")
        assert scripts == ["/static/app.js"]
        shot(page, "article")
        page.goto("/feed.atom?q=mã+độc")  # the feed, shown by the browser as a document
        assert page.locator("img").count() == 0
        watch.assert_clean()


def test_the_policy_stops_a_script_that_slipped_in(browser, base_url):
    """Were escaping ever to fail, the Content-Security-Policy still refuses inline script."""
    with open_page(browser, base_url) as (page, watch):
        page.goto("/articles/mic-2017-03-23")
        ran = page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__ran = true';
            document.body.append(s);
            const i = document.createElement('img');
            i.src = 'http://example.invalid/x.png';
            document.body.append(i);
            return window.__ran === true;
        }""")
        assert ran is False
        page.wait_for_timeout(300)
        assert any("Content Security Policy" in e for e in watch.errors)
        # the image from another host was refused by the browser, not fetched
        assert watch.failed == [("http://example.invalid/x.png", "csp")]


def test_without_javascript_everything_still_works(browser, base_url):
    shot = Shots("no-javascript")
    with open_page(browser, base_url, PHONE, javascript=False) as (page, watch):
        page.goto("/?q=thi+đua")
        assert page.locator("details.filters").get_attribute("open") is not None
        # without the script the search box is a plain search field, with the browser's help
        box = page.get_by_role("searchbox", name="Từ khóa tìm kiếm")
        assert box.get_attribute("autocomplete") is None and not page.locator("[role=listbox]").count()
        # the results come first on a phone; a link leads to the filters below them
        results_top = page.locator("main").bounding_box()["y"]
        assert results_top < page.locator("aside").bounding_box()["y"]
        assert page.get_by_role("link", name="Tới bộ lọc").is_visible()
        shot(page, "results")
        box = page.get_by_role("searchbox", name="Tìm theo tên")
        box.fill("tâm")
        with page.expect_navigation():
            box.press("Enter")
        assert args(page)["person_q"] == ["tâm"]
        click_and_wait(page, page.locator("section[aria-labelledby=facet-person] a.value-link",
                                          has_text="Phan Tâm"))
        assert args(page) == {"q": ["thi đua"], "person": ["Phan Tâm"]}
        page.locator("ul.years summary", has_text="2017").click()
        click_and_wait(page, page.locator("ul.years a.value-link", has_text="Tháng 3/2017"))
        assert count_text(page) == "1 bài viết"
        page.locator("#date-from").fill("2017-03-01")
        page.locator("#date-to").fill("2017-03-31")
        click_and_wait(page, page.get_by_role("button", name="Lọc theo ngày"))
        assert args(page)["from"] == ["2017-03-01"] and args(page)["to"] == ["2017-03-31"]
        assert args(page)["person"] == ["Phan Tâm"]
        shot(page, "filtered")
        watch.assert_clean()


def test_person_box_narrows_the_list_while_typing(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/")
        section = page.locator("section[aria-labelledby=facet-person]")
        page.get_by_role("searchbox", name="Tìm theo tên").press_sequentially("nghiem")
        visible = section.locator("li:visible .value").all_inner_texts()
        assert visible == ["Nghiêm Thị Hồng Nhung"]
        watch.assert_clean()


def test_keyboard_reaches_the_results_with_a_visible_focus(browser, base_url):
    with open_page(browser, base_url) as (page, watch):
        page.goto("/?q=thi+đua")
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert skip.is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, outline: s.outlineStyle, width: s.outlineWidth};
        }""")
        assert focused["tag"] == "A" and focused["outline"] == "solid"
        assert focused["width"] == "3px"
        watch.assert_clean()


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
        box.press_sequentially("nghiem")  # without accents, as fast as keys go
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


# -- accessibility, in light and dark ------------------------------------------------------

AXE_PAGES = {
    "search": "/?q=thi+đua&ministry=Bộ+Thông+tin+và+Truyền+thông&date=2017&per_page=2",
    "latest": "/",
    "suggestions": "/",  # with the search box's suggestions open, one chosen
    "person-box": "/?person_q=nhung",
    "notice": "/?q=bộ&from=2021-12-31&to=2019-01-01",
    "zero-results": "/?q=xyzzyqwv&ministry=Bộ+Y+tế",
    "article": "/articles/mic-2017-03-23",
    "hostile-article": f"/articles/{HOSTILE}",
    "not-found": "/articles/nope",
    "error": "/nothing?q=thi+đua&ministry=Bộ+Y+tế",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device_name", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_accessibility_with_axe(browser, base_url, name, device_name, scheme):
    """axe-core (bundled by axe-playwright-python) finds no violation at all."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    device = {**(DESKTOP if device_name == "desktop" else PHONE), "color_scheme": scheme}
    with open_page(browser, base_url, device) as (page, watch):
        page.goto(AXE_PAGES[name])
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark")
        if device_name == "phone" and page.locator("details.filters").count():
            open_filters(page)  # check the folded filters too
        if name == "suggestions":
            combobox(page).press_sequentially("nghiem", delay=20)
            wait_for_options(page, NHUNG)
            combobox(page).press("ArrowDown")
        results = Axe().run(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report = ARTIFACTS / f"axe-{name}-{device_name}-{scheme}.json"
        report.write_text(json.dumps(results.response["violations"], indent=2,
                                     ensure_ascii=False), "utf-8")
        assert len(results.response["passes"]) > 20  # the rules did run on the page
        assert not results.response["violations"], results.generate_report()
        watch.assert_clean(404 if name in ("not-found", "error") else 200)
