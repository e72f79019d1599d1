"""The Atom feed's links: the site's own paths or BASE_URL, never the Host header; publisher
links only when they are web addresses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from webui import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
ARTICLES = [
    {"id": "script-link", "title": "Tiêm chủng mở rộng", "date": "2024-05-01",
     "url": "javascript:alert(document.cookie)", "body": "Tiêm chủng cho trẻ em."},
    {"id": "data-link", "title": "Tiêm chủng vắc xin", "date": "2024-05-02",
     "url": " DATA:text/html,<script>alert(1)</script>", "body": "Tiêm chủng cho người lớn."},
    {"id": "web-link", "title": "Tiêm chủng đợt hai", "date": "2024-05-03",
     "url": "https://moh.gov.vn/tiem-chung", "body": "Tiêm chủng đợt hai."},
]


@pytest.fixture()
def index(make_index):
    root, report = make_index({"feed.jsonl": "\n".join(
        json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n"})
    assert report.indexed == 3
    return root


def feed(index, host="evil.example", **settings) -> tuple[str, ET.Element]:
    client = create_app({"INDEX_DIR": str(index), "TESTING": True, **settings}).test_client()
    response = client.get("/feed.atom?q=tiêm+chủng", headers={"Host": host})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return text, ET.fromstring(response.data)


def links(root: ET.Element, rel: str) -> dict[str, str]:
    """Entry title -> href of its link of a relation."""
    return {e.find(f"{ATOM}title").text: link.get("href") for e in root.findall(f"{ATOM}entry")
            for link in e.findall(f"{ATOM}link[@rel='{rel}']")}


def test_publisher_links_only_when_they_are_web_addresses(index):
    text, root = feed(index)
    assert links(root, "related") == {"Tiêm chủng đợt hai": "https://moh.gov.vn/tiem-chung"}
    assert "javascript:" not in text.lower() and "data:" not in text.lower()


def test_links_are_paths_without_base_url_and_never_from_the_host_header(index):
    text, root = feed(index)
    assert "evil.example" not in text
    assert sorted(links(root, "alternate").values()) == [
        "/articles/data-link", "/articles/script-link", "/articles/web-link"]
    assert root.find(f"{ATOM}link[@rel='self']").get("href").startswith("/feed.atom?")
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("/?")


def test_base_url_makes_the_links_absolute_and_leaves_the_ids_alone(index):
    _, plain = feed(index)
    text, based = feed(index, BASE_URL="https://tin.example.vn/")
    assert "evil.example" not in text
    assert sorted(links(based, "alternate").values()) == [
        "https://tin.example.vn/articles/data-link", "https://tin.example.vn/articles/script-link",
        "https://tin.example.vn/articles/web-link"]
    assert based.find(f"{ATOM}link[@rel='self']").get("href").startswith(
        "https://tin.example.vn/feed.atom?")

    def ids(root):
        return [e.text for e in root.iter(f"{ATOM}id")]

    assert ids(based) == ids(plain) and len(set(ids(plain))) == 4
    assert all(i.startswith("urn:uuid:") for i in ids(plain))
