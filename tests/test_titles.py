"""Titles as the data gives them: entities, photo captions and whole paragraphs, cleaned at
indexing, with the full text still found."""

from __future__ import annotations

import json

import pytest

from conftest import write_files
from indexer.cleaning import TITLE_SHOWN, clean_title
from indexer.write import build
from webui import create_app

# A lead paragraph used as the title, as one newspaper's export has them (invented content).
PARAGRAPH = ("Chiều 21/4, khu nghỉ dưỡng Bãi Sao ở TP. Phú Quốc đã chính thức khai trương. Đây là "
             "điểm đến được nhiều du khách mong chờ bởi những trải nghiệm lần đầu có ở Việt Nam.")
ONE_LONG_SENTENCE = (
    "Theo thông tin từ Tổng cục Quản lý thị trường, ngày 26/4, Đoàn kiểm tra liên ngành của "
    "thành phố Nha Trang gồm Cục Quản lý thị trường, Phòng Y tế thành phố, Công an thành phố, "
    "Thanh tra Nông nghiệp đã kiểm tra nhà hàng hải sản Bờ kè Tháp Bà 86 (TP. Nha Trang).")


@pytest.mark.parametrize("raw, shown", [
    ("T&amp;T Group hợp tác Saigon Co.op", "T&T Group hợp tác Saigon Co.op"),
    ("Giá vàng lúc&nbsp11h hôm nay tăng", "Giá vàng lúc 11h hôm nay tăng"),
    ("&nbspTối 29/4, Sở Y tế họp với tin&nbsptức mới", "Tối 29/4, Sở Y tế họp với tin tức mới"),
    ("&nbsp;&nbsp;Giá xăng giảm", "Giá xăng giảm"),
    ("Đêm nhạc &amp;quot;Hà Nội&amp;quot; &amp;nbsp;mùa thu", 'Đêm nhạc "Hà Nội" mùa thu'),
    ("Ti&#7871;ng Vi&#x1EC7;t", "Tiếng Việt"),
    ("Sở GD&ĐT, Bộ KH&CN và TT&TT", "Sở GD&ĐT, Bộ KH&CN và TT&TT"),  # not entities
    ("Giá xăng giảm lần thứ ba.", "Giá xăng giảm lần thứ ba"),
    ("Mưa lớn kéo dài...", "Mưa lớn kéo dài..."),
    ("Bộ Y tế họp", "Bộ Y tế họp"),
])
def test_entities_and_spaces(raw, shown):
    assert clean_title(raw) == (shown, "")


@pytest.mark.parametrize("raw, shown", [
    ("Tỷ phú Warren Buffett (Ảnh: Flickr).", "Tỷ phú Warren Buffett"),
    ("Các nhà máy nhường oxy công nghiệp cứu người (ảnh: AFP/Getty).",
     "Các nhà máy nhường oxy công nghiệp cứu người"),
    ("Toàn cảnh cây cầu mới (Ảnh minh họa)", "Toàn cảnh cây cầu mới"),
    ("Lễ ký kết (Nguồn: TTXVN)", "Lễ ký kết"),
    ("Bãi đáp trực thăng (Ảnh chụp màn hình)", "Bãi đáp trực thăng"),
    ("Vụ xô xát ở Seoul (Ảnh trích xuất từ camera; SCMP)", "Vụ xô xát ở Seoul"),
])
def test_photo_credits_leave_captions(raw, shown):
    assert clean_title(raw) == (shown, raw)


def test_a_title_that_is_only_a_credit_gives_way_to_the_text():
    text = "Giá xăng giảm lần thứ ba trong tháng.\nĐoạn hai."
    assert clean_title("(Ảnh minh họa: The New Paper).", text) == (
        "Giá xăng giảm lần thứ ba trong tháng", "")


def test_a_paragraph_becomes_its_first_sentence():
    shown, full = clean_title(PARAGRAPH)
    # "TP. Phú Quốc" does not end the sentence
    assert shown == "Chiều 21/4, khu nghỉ dưỡng Bãi Sao ở TP. Phú Quốc đã chính thức khai trương"
    assert full == PARAGRAPH


def test_a_long_sentence_is_cut_at_a_clause():
    shown, full = clean_title(ONE_LONG_SENTENCE)
    assert len(shown) <= TITLE_SHOWN + 1 and shown.endswith("…")
    assert shown == ("Theo thông tin từ Tổng cục Quản lý thị trường, ngày 26/4, Đoàn kiểm tra "
                     "liên ngành của thành phố Nha Trang gồm Cục Quản lý thị trường, Phòng Y tế "
                     "thành phố, Công an thành phố…")
    assert full == ONE_LONG_SENTENCE


def test_titles_are_clean_in_the_index_and_their_full_text_found(tmp_path):
    def line(article_id: str, title: str, body: str) -> str:
        return json.dumps({"id": article_id, "title": title, "body": body},
                          ensure_ascii=False) + "\n"

    src = tmp_path / "src"
    write_files(src, {
        "tin.jsonl": line("p", PARAGRAPH, "Khu nghỉ dưỡng có bến du thuyền.")
        + line("c", "Tỷ phú Warren Buffett (Ảnh: Flickr).", "Ông phát biểu tại đại hội cổ đông.")
        + line("e", "T&amp;T Group hợp tác&nbsp;bán lẻ", "Hai tập đoàn ký kết."),
        "giay-phep.txt": "Cấp&nbsp;giấy phép&amp;nbsp;mới\n\n(Moh.gov.vn) - \n\nBộ Y tế cấp "
                         "phép.\n\nThu Hà\n",
    })
    root = tmp_path / "index"
    assert build([str(src)], root).indexed == 4
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()

    def article(article_id: str) -> dict:
        return client.get(f"/api/articles/{article_id}").get_json()

    def found(q: str) -> list[str]:
        return [h["id"] for h in client.get("/api/search", query_string={"q": q}).get_json()
                ["results"]]

    paragraph = article("p")
    assert paragraph["title"] == clean_title(PARAGRAPH)[0]
    assert paragraph["summary"] == PARAGRAPH  # the whole lead, shown on the article's page
    assert PARAGRAPH in client.get("/articles/p").get_data(as_text=True)
    assert found("trải nghiệm lần đầu") == ["p"]  # words only the cut part of the title has
    assert article("c")["title"] == "Tỷ phú Warren Buffett" and found("flickr") == ["c"]
    assert article("e")["title"] == "T&T Group hợp tác bán lẻ" and found("nbsp") == []
    assert article("giay-phep")["title"] == "Cấp giấy phép mới"
    page = client.get("/?q=khu+nghỉ+dưỡng").get_data(as_text=True)
    link = page.split('href="/articles/p">', 1)[1].split("</a>", 1)[0]
    assert link.endswith("đã chính thức khai trương") and "Đây là" not in link
