"""Reading and parsing articles: the seed's layout, JSON Lines, and what cannot be read."""

import datetime as dt
import gzip
import json

import pytest

from conftest import SEED
from indexer import parse
from indexer.article import BadArticle
from indexer.extract import extract
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


# Entities and dates: tests/test_entities.py.


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
