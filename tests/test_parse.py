"""Reading and parsing articles: the seed's layout, JSON Lines, and what cannot be read."""

import datetime as dt
import gzip
import json

import pytest

from conftest import SEED
from indexer import dates, parse
from indexer.article import BadArticle
from indexer.extract import extract, find_persons, gazetteer
from indexer.sources import read_records


@pytest.fixture(scope="module")
def seed():
    (record,) = list(read_records(SEED))
    return extract(parse.parse_record(record))


def test_seed_fields(seed):
    assert seed.id == "mic-2017-03-23"
    assert seed.title == "Khối thi đua các Bộ, ngành kinh tế Trung ương triển khai nhiệm vụ năm 2017"
    assert seed.published == dt.date(2017, 3, 23)
    assert seed.source == "mic.gov.vn"
    assert seed.author == "Xuân Lộc"
    assert seed.body.startswith("Sáng ngày 23/3/2017, tại Hà Nội, Khối thi đua")
    assert seed.body.endswith("cam kết thực hiện tốt các chỉ tiêu thi đua năm 2017 của Khối./.")


def test_seed_images_and_captions_kept_apart(seed):
    assert seed.images == ["20170323-l1.jpg", "20170323-l4.jpg", "20170323-l3.jpg"]
    assert seed.captions[2] == "Thứ trưởng Bộ TT&TT Phan Tâm đọc giao ước thi đua năm 2017"
    for noise in [*seed.images, *seed.captions, "ĐÁNH GIÁ", "Xuân Lộc"]:
        assert noise not in seed.body


def test_seed_entities(seed):
    assert seed.ministries == [
        "Bộ Giao thông vận tải", "Bộ Thông tin và Truyền thông", "Bộ Tài nguyên và Môi trường",
    ]
    assert "Bộ Chính trị" not in seed.ministries
    for person in ["Đặng Thị Ngọc Thịnh", "Trương Quang Nghĩa", "Thào Xuân Sùng", "Phan Tâm"]:
        assert person in seed.persons
    assert "Xuân Lộc" not in seed.persons  # the byline is the author
    assert "Hồ Chí Minh" not in seed.persons


@pytest.mark.parametrize("text, expected", [
    ("Sáng ngày 23/3/2017, tại Hà Nội", dt.date(2017, 3, 23)),
    ("Chiều 5-4-2021, Bộ Y tế", dt.date(2021, 4, 5)),
    ("Hà Nội, ngày 12 tháng 3 năm 2024 - Hội nghị", dt.date(2024, 3, 12)),
    ("Ngày 14/02/2020, tại cửa khẩu", dt.date(2020, 2, 14)),
    ("Ngày 31/2/2020 là ngày không có", None),
    ("Không có ngày tháng nào", None),
])
def test_date_from_text(text, expected):
    assert dates.date_from_text(text) == expected


def test_date_far_in_the_text_is_a_reference_not_the_publication_date():
    text = "Hội nghị bàn về thi đua. " * 30 + "Chỉ thị ngày 15/4/2014."
    assert dates.date_from_text(text) is None


@pytest.mark.parametrize("text, expected", [
    ("Bộ trưởng Bộ Y tế phát biểu", ["Bộ Y tế"]),
    ("Thứ trưởng Bộ TT&TT dự họp", ["Bộ Thông tin và Truyền thông"]),
    ("Bộ trưởng Y tế cho biết", ["Bộ Y tế"]),
    ("theo bộ Công an", ["Bộ Công an"]),
    ("Bộ GD&ĐT và Bộ LĐ-TB&XH", ["Bộ Giáo dục và Đào tạo", "Bộ Lao động - Thương binh và Xã hội"]),
    ("Bộ Giao thông Vận tải", ["Bộ Giao thông vận tải"]),
    ("Thống đốc NHNN chủ trì", ["Ngân hàng Nhà nước Việt Nam"]),
    ("Bộ Ngoại giao Mỹ và Bộ Quốc phòng Nga", []),
    ("Bộ Chính trị, Bộ luật Lao động, bộ đội biên phòng, bộ phận một cửa", []),
    ("Sở Y tế Hà Nội và cán bộ tài chính", []),
])
def test_ministries(text, expected):
    assert gazetteer().find(text) == expected


def test_successors_link_predecessors():
    assert set(gazetteer().with_predecessors("Bộ Xây dựng")) == {
        "Bộ Xây dựng", "Bộ Giao thông vận tải"}


@pytest.mark.parametrize("text, expected", [
    ("Thứ trưởng Phan Tâm đọc giao ước. Ông Tâm cho biết", ["Phan Tâm"]),
    ("đồng chí Đặng Thị Ngọc Thịnh phát biểu; bà Thịnh nhấn mạnh", ["Đặng Thị Ngọc Thịnh"]),
    ("tại TP Hồ Chí Minh, trên đường Lê Lợi và trường THPT Nguyễn Du", []),
    ("Tổng thống Emmanuel Macron thăm Hà Nội", ["Emmanuel Macron"]),
    ("Phó Chủ tịch UBND tỉnh Vi Thị Lan cho biết", ["Vi Thị Lan"]),
    ("Thứ trưởng Lã Văn Lực và Đại tá Thân Quốc Vinh", ["Lã Văn Lực", "Thân Quốc Vinh"]),
])
def test_persons(text, expected):
    assert find_persons(text) == expected


def test_jsonl_record():
    data = {"id": "x1", "title": "Tiêu đề", "date": "2021-04-05", "source": "Dân Trí",
            "url": "https://example.vn/a", "summary": "Tóm tắt", "body": "Nội dung Bộ Y tế."}
    article = extract(parse.parse_json(data, "f.jsonl", 3))
    assert (article.id, article.published, article.ministries) == (
        "x1", dt.date(2021, 4, 5), ["Bộ Y tế"])


@pytest.mark.parametrize("data, reason", [
    ({"title": "t", "body": "b"}, "missing 'id'"),
    ({"id": "1", "body": "b"}, "missing 'title'"),
    ({"id": "1", "title": "t"}, "needs a 'summary' or a 'body'"),
    ({"id": "1", "title": "t", "body": "b", "date": "2021-13-01"}, "not a valid YYYY-MM-DD"),
    ({"id": "1", "title": ["t"], "body": "b"}, "must be text"),
])
def test_bad_json_records(data, reason):
    with pytest.raises(BadArticle, match=reason):
        parse.parse_json(data, "f.jsonl", 1)


def test_jsonl_reader_reports_line_numbers(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    lines = [json.dumps({"id": "1", "title": "t", "body": "b"}), "{not json", "[1, 2]", ""]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    got = list(read_records(path))
    assert got[0].data["id"] == "1"
    assert (got[1].line, got[2].line) == (2, 3)
    assert "invalid JSON" in got[1].reason and "must be an object" in got[2].reason


@pytest.mark.parametrize("text, reason", [
    ("", "empty file"),
    ("\n\n  \n", "empty file"),
    ("Chỉ có tiêu đề\n\nĐÁNH GIÁ BÀI VIẾT( 2)", "no text after the title"),
])
def test_bad_text_articles(text, reason):
    with pytest.raises(BadArticle, match=reason):
        parse.parse_text(text, "x.txt")
