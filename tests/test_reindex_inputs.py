"""The inputs staff have: saved HTML pages, RSS and Atom feeds, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest

from indexer.article import BadArticle
from indexer.html import html_to_text, parse_html
from indexer.progress import Progress
from indexer.record import Notice, Record
from indexer.sources import MAX_ARTICLE_BYTES, read_records
from indexer.write import build

# A ministry news page as saved from a browser: menus, breadcrumb, share and rating widgets,
# a related-links box and a footer around the article. The event and people are invented.
MINISTRY_PAGE = """<!DOCTYPE html>
<html lang="vi"><head>
<meta charset="utf-8">
<title>Bộ Y tế triển khai tiêm chủng mùa hè - Cổng thông tin Bộ Y tế</title>
<meta property="og:title" content="Bộ Y tế triển khai tiêm chủng mùa hè">
<meta property="og:url" content="https://www.moh.gov.vn/tin-tuc/tiem-chung-mua-he">
<meta property="og:description" content="Mô tả ngắn cho mạng xã hội.">
<meta property="article:published_time" content="2024-06-14T08:30:00+07:00">
<meta property="article:section" content="Tin hoạt động">
<script>var tracking = "Bộ Quốc phòng";</script>
<style>.x{color:red}</style>
</head><body>
<header class="site-header"><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin tức</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="/tin">Tin hoạt động</a></div>
<article class="news-detail">
  <h1 class="title">Bộ Y tế triển khai tiêm chủng mùa hè</h1>
  <div class="date">Thứ Sáu, 14/06/2024 08:30</div>
  <div class="sapo">Bộ Y tế vừa tổ chức hội nghị về tiêm chủng mở rộng cho trẻ em vùng cao.</div>
  <div class="share-buttons"><a href="#">Facebook</a> <a href="#">Zalo</a> <span>Chia sẻ</span></div>
  <div class="content">
    <p>Sáng 14/6, tại Hà Nội, Thứ trưởng Trần Văn Minh chủ trì hội nghị với các tỉnh miền núi.
    <p>Theo báo cáo, tỷ lệ tiêm chủng đầy đủ đạt 92% &amp; tiếp tục tăng.</p>
    <figure><img src="/images/tiem-chung.jpg" alt=""><figcaption>Cán bộ y tế tiêm vắc xin cho trẻ.</figcaption></figure>
    <p>Bộ đề nghị các địa phương rà soát đối tượng chưa tiêm.</p>
    <div class="box-tinlienquan"><h3>Tin liên quan</h3><ul>
      <li><a href="/a">Bộ Công an diễn tập phòng cháy</a></li>
      <li><a href="/b">Bộ Tài chính công bố dự toán</a></li>
      <li><a href="/c">Bộ Xây dựng kiểm tra công trình</a></li></ul></div>
    <p style="text-align:right"><strong>Minh Châu</strong></p>
  </div>
  <div class="rating">ĐÁNH GIÁ BÀI VIẾT( 4) <span class="star">★★★★☆</span></div>
  <div class="tags">Từ khóa: <a href="/t/tiem-chung">tiêm chủng</a></div>
</article>
<aside class="sidebar"><h3>Đọc nhiều</h3><a href="/x">Bộ Ngoại giao họp báo</a></aside>
<footer>Bản quyền thuộc Bộ Y tế. Địa chỉ: 138A Giảng Võ</footer>
</body></html>
"""

# A newspaper page without <article>: the text sits in a content block; no og: tags.
NEWSPAPER_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Mưa lớn ở miền Trung | Báo Tin Nhanh</title><link rel="canonical" href="https://tinnhanh.vn/mua-lon.html"></head>
<body><div id="menu"><a href="/">Thời sự</a><a href="/">Thế giới</a><a href="/">Kinh doanh</a></div>
<div class="main"><h1>Mưa lớn gây ngập ở miền Trung</h1>
<div class="fck_detail"><p>Chiều ngày 12 tháng 10 năm 2023, mưa lớn kéo dài làm ngập nhiều tuyến đường.</p>
<p>Lực lượng cứu hộ đã sơ tán hàng trăm hộ dân.</p>
<table class="tplCaption"><tr><td><img src="mua.jpg"></td></tr><tr><td><p class="Image">Nước ngập sâu trên quốc lộ.</p></td></tr></table>
<div class="social_share"><a>Chia sẻ</a></div>
<p>Xem thêm: <a href="/x">Dự báo thời tiết tuần tới</a></p></div></div>
<div class="footer">Liên hệ quảng cáo</div></body></html>
"""


def test_ministry_page_title_date_body_without_furniture():
    a = parse_html(MINISTRY_PAGE, "/saved/moh-2024-06-14-tiem-chung.html")
    assert a.id == "moh-2024-06-14-tiem-chung"
    assert a.title == "Bộ Y tế triển khai tiêm chủng mùa hè"
    assert a.published == dt.date(2024, 6, 14)
    assert a.source == "moh.gov.vn" and a.url == "https://www.moh.gov.vn/tin-tuc/tiem-chung-mua-he"
    assert a.category == "Tin hoạt động"
    assert a.summary == "Bộ Y tế vừa tổ chức hội nghị về tiêm chủng mở rộng cho trẻ em vùng cao."
    assert a.body.split("\n") == [
        "Sáng 14/6, tại Hà Nội, Thứ trưởng Trần Văn Minh chủ trì hội nghị với các tỉnh miền núi.",
        "Theo báo cáo, tỷ lệ tiêm chủng đầy đủ đạt 92% & tiếp tục tăng.",
        "Bộ đề nghị các địa phương rà soát đối tượng chưa tiêm.",
    ]
    assert a.author == "Minh Châu"
    assert a.images == ["/images/tiem-chung.jpg"]
    assert a.captions == ["Cán bộ y tế tiêm vắc xin cho trẻ."]


def test_newspaper_page_without_article_element():
    a = parse_html(NEWSPAPER_PAGE, "mua-lon.htm")
    assert a.title == "Mưa lớn gây ngập ở miền Trung"  # the <h1>, not the <title>
    assert a.published == dt.date(2023, 10, 12)  # from the text
    assert a.source == "tinnhanh.vn"
    assert a.body.split("\n") == [
        "Chiều ngày 12 tháng 10 năm 2023, mưa lớn kéo dài làm ngập nhiều tuyến đường.",
        "Lực lượng cứu hộ đã sơ tán hàng trăm hộ dân.",
        "Nước ngập sâu trên quốc lộ.",
    ]
    assert a.images == ["mua.jpg"]


def test_page_title_falls_back_to_title_element_and_date_to_file_name():
    page = "<html><head><title>Thông báo lịch nghỉ</title></head><body><p>Cơ quan nghỉ lễ.</p></body></html>"
    a = parse_html(page, "thong-bao-2022-04-29.html")
    assert (a.title, a.body, a.published) == ("Thông báo lịch nghỉ", "Cơ quan nghỉ lễ.",
                                              dt.date(2022, 4, 29))


@pytest.mark.parametrize("page, reason", [
    ("<html><body><p>Chỉ có nội dung.</p></body></html>", "no title"),
    ("<html><head><title>Tiêu đề</title></head><body><nav><a>Menu</a></nav></body></html>",
     "no article text"),
])
def test_pages_that_are_not_articles(page, reason):
    with pytest.raises(BadArticle, match=reason):
        parse_html(page, "x.html")


def test_html_fragment_text():
    assert html_to_text('<a href="x"><img src="y.jpg"></a></br>Giá xăng <b>giảm</b> &amp; ổn định') \
        == "Giá xăng giảm & ổn định"


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Báo Tin Nhanh - Thời sự</title><link>https://tinnhanh.vn</link>
<item>
  <title>Giá xăng giảm lần thứ ba</title>
  <link>https://tinnhanh.vn/gia-xang-1.html</link>
  <guid isPermaLink="false">tn-1001</guid>
  <pubDate>Thu, 07 Aug 2025 23:30:00 +0700</pubDate>
  <description><![CDATA[<a href="https://tinnhanh.vn/gia-xang-1.html"><img src="x.jpg"></a></br>Liên Bộ Công Thương - Tài chính giảm giá xăng.]]></description>
  <category>Kinh doanh</category>
  <dc:creator>Minh Anh</dc:creator>
</item>
<item>
  <title>Một mục không có nội dung</title>
  <link>https://tinnhanh.vn/trong.html</link>
</item>
<item>
  <title>Họp báo Chính phủ thường kỳ</title>
  <link>https://tinnhanh.vn/hop-bao.html</link>
  <pubDate>not a date</pubDate>
  <description>Bộ Tư pháp trả lời báo chí.</description>
  <content:encoded><![CDATA[<p>Chiều 5/8/2025, Bộ Tư pháp trả lời báo chí.</p><p>Đoạn hai.</p>]]></content:encoded>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cổng thông tin Bộ Tài chính</title>
  <entry>
    <title type="html">Công bố dự toán ngân sách &amp;amp; kế hoạch</title>
    <link rel="alternate" href="https://mof.gov.vn/du-toan"/>
    <id>tag:mof.gov.vn,2025:du-toan</id>
    <published>2025-01-02T09:00:00+07:00</published>
    <summary>Bộ Tài chính công bố dự toán năm 2025.</summary>
    <author><name>Phòng Truyền thông</name></author>
  </entry>
</feed>
"""


def test_rss_items_become_articles(tmp_path):
    feed = tmp_path / "thoi-su.rss"
    feed.write_text(RSS, encoding="utf-8")
    found = list(read_records(feed))
    records = [r for r in found if isinstance(r, Record)]
    assert [(r.line, r.data["id"], r.data["date"]) for r in records] == [
        (4, "tn-1001", "2025-08-07"),  # the feed's own day, not UTC's
        (13, "https://tinnhanh.vn/trong.html", None),
        (17, "https://tinnhanh.vn/hop-bao.html", None),
    ]
    first = records[0].data
    assert first["summary"] == "Liên Bộ Công Thương - Tài chính giảm giá xăng."
    assert (first["source"], first["category"], first["author"]) == (
        "Báo Tin Nhanh - Thời sự", "Kinh doanh", "Minh Anh")
    assert records[2].data["body"] == "Chiều 5/8/2025, Bộ Tư pháp trả lời báo chí.\nĐoạn hai."
    assert [str(n) for n in found if isinstance(n, Notice)] == [
        f"{feed}:17: date 'not a date' not understood: the text's date is used"]

    report = build([str(feed)], tmp_path / "index")
    assert report.indexed == 2
    assert [(s.line, s.reason) for s in report.skipped] == [(13, "needs a 'summary' or a 'body'")]


def test_atom_entries_become_articles(tmp_path):
    feed = tmp_path / "mof.atom"
    feed.write_text(ATOM, encoding="utf-8")
    (record,) = [r for r in read_records(feed) if isinstance(r, Record)]
    assert record.data["id"] == "tag:mof.gov.vn,2025:du-toan"
    assert record.data["title"] == "Công bố dự toán ngân sách & kế hoạch"
    assert (record.data["date"], record.data["url"], record.data["author"]) == (
        "2025-01-02", "https://mof.gov.vn/du-toan", "Phòng Truyền thông")


RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://bo.gov.vn/rss"><title>Bộ Nội vụ</title></channel>
  <item rdf:about="https://bo.gov.vn/tin/1">
    <title>Thi tuyển công chức</title>
    <link>https://bo.gov.vn/tin/1</link>
    <description>Bộ Nội vụ tổ chức thi tuyển.</description>
    <dc:date>2024-09-03</dc:date>
  </item>
</rdf:RDF>
"""


def test_rss_1_items_become_articles(tmp_path):
    feed = tmp_path / "noivu.rss"
    feed.write_text(RDF, encoding="utf-8")
    (record,) = [r for r in read_records(feed) if isinstance(r, Record)]
    assert (record.line, record.data["id"], record.data["title"], record.data["date"],
            record.data["source"]) == (5, "https://bo.gov.vn/tin/1", "Thi tuyển công chức",
                                       "2024-09-03", "Bộ Nội vụ")


def test_xml_files_in_folders_are_read_only_when_they_are_feeds(tmp_path):
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text('<urlset><url><loc>x</loc></url></urlset>', "utf-8")
    (tmp_path / "page.html").write_text(MINISTRY_PAGE, encoding="utf-8")
    report = build([str(tmp_path)], tmp_path.parent / "index")
    assert report.files == 2 and report.indexed == 3


# -- bad inputs -----------------------------------------------------------------------------

GOOD = "Tiêu đề bài viết\n\n(Moh.gov.vn) - \n\nSáng ngày 5/4/2021, Bộ Y tế họp.\n\nThu Hà\n"


def cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258 as legacy editors wrote it: base letters, then tone marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = [m for m in parts[1:] if m in "\u0300\u0301\u0303\u0309\u0323"]
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)))
        out.extend(tones)
    return "".join(out).encode("cp1258")


def truncated_gzip() -> bytes:
    whole = gzip.compress(("\n".join(json.dumps({"id": f"g{i}", "title": "T", "body": "x" * 50})
                                     for i in range(200))).encode())
    return whole[: len(whole) // 2]


# name: (files, articles indexed, (file, line, start of the reason) or None, note or None)
BAD_INPUTS = {
    "undecodable bytes": ({"x.txt": b"Ti\xeau \x81\x8d\xff binary"}, 0,
                          ("x.txt", 1, "not UTF-8 text (byte 2)"), None),
    "legacy encoding": ({"x.txt": cp1258(GOOD)}, 1, None,
                        ("x.txt", None, "not UTF-8: read as Windows-1258")),
    "malformed JSON line": ({"x.jsonl": '{"id": "a", "title": "T", "body": "b"}\n{broken\n'}, 1,
                            ("x.jsonl", 2, "invalid JSON: Expecting property name"), None),
    "JSON that is not an object": ({"x.jsonl": "[1, 2]\n"}, 0,
                                   ("x.jsonl", 1, "a JSON line must be an object"), None),
    "missing title (JSON)": ({"x.jsonl": '{"id": "a", "title": "", "body": "b"}\n'}, 0,
                             ("x.jsonl", 1, "missing 'title'"), None),
    "missing title (HTML)": ({"x.html": "<html><body><p>Nội dung.</p></body></html>"}, 0,
                             ("x.html", None, "no title"), None),
    "empty text file": ({"x.txt": ""}, 0, ("x.txt", None, "empty file"), None),
    "empty JSON Lines file": ({"x.jsonl": ""}, 0, ("x.jsonl", None, "empty file"), None),
    "huge file": ({"x.txt": "Tiêu đề\n\n" + "x" * MAX_ARTICLE_BYTES}, 0,
                  ("x.txt", None, "file of 8.0 MB: more than the 8 MB"), None),
    "huge JSON line": ({"x.jsonl": '{"id": "a", "title": "T", "body": "' + "x" * MAX_ARTICLE_BYTES
                        + '"}\n{"id": "b", "title": "T", "body": "b"}\n'}, 1,
                       ("x.jsonl", 1, "line longer than 8 MB"), None),
    "duplicate ids": ({"x.jsonl": '{"id": "a", "title": "T", "body": "b"}\n'
                                  '{"id": "a", "title": "U", "body": "c"}\n'}, 1,
                      ("x.jsonl", 2, "duplicate id 'a': already indexed from"), None),
    "unreadable file": ({"x.txt": None}, 0, ("x.txt", None, "cannot read: No such file"), None),
    "truncated gzip": ({"x.jsonl.gz": truncated_gzip()}, None,
                       ("x.jsonl.gz", None, "cannot read: "), None),
    "invalid XML feed": ({"x.rss": "<rss><channel><item><title>T</item></rss>"}, 0,
                         ("x.rss", 1, "invalid XML: mismatched tag"), None),
    "feed with entity declarations": (
        {"x.rss": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss/>'}, 0,
        ("x.rss", None, "the feed declares entities"), None),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_each_bad_input_is_reported_and_the_rest_indexed(tmp_path, kind):
    files, articles, skip, note = BAD_INPUTS[kind]
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, content in files.items():
        if content is None:  # a link to nothing: listed in the folder, but cannot be opened
            os.symlink(tmp_path / "gone", src / name)
        else:
            raw = content.encode("utf-8") if isinstance(content, str) else content
            (src / name).write_bytes(raw)
    report = build([str(src)], tmp_path / "index")
    if articles is not None:
        assert report.indexed == 1 + articles
    seen = [(Path(s.file).name, s.line, s.reason) for s in report.skipped]
    if skip is None:
        assert seen == []
    else:
        name, line, reason = skip
        matches = [s for s in seen if s[0] == name and s[2].startswith(reason)]
        assert len(matches) == 1 and (line is None or matches[0][1] == line), seen
    notes = [(Path(n.file).name, n.line, n.message) for n in report.notes]
    if note:
        assert [n for n in notes if n[0] == note[0] and n[2].startswith(note[2])], notes
    else:
        assert notes == []


def test_skips_go_to_the_log_file_and_exit_status_tells_skips(tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("{oops\n", encoding="utf-8")
    log = tmp_path / "run.log"
    out = subprocess.run([sys.executable, "-m", "indexer", "build", str(tmp_path), "--index",
                          str(tmp_path / "ix"), "--log", str(log), "--workers", "1"],
                         cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert f"{tmp_path / 'b.jsonl'}:1: invalid JSON" in out.stdout
    assert f"skipped {tmp_path / 'b.jsonl'}:1: invalid JSON" in log.read_text("utf-8")


def test_progress_lines_for_schedulers():
    stream = io.StringIO()
    progress = Progress("update", "lines", stream=stream, every=0)
    progress.start(1000)
    progress.read(500)
    progress.indexed(20)
    assert "update: 20 articles (" in stream.getvalue()
    assert "50% of input read, ETA " in stream.getvalue().splitlines()[-1]
