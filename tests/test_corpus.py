"""A few thousand real articles of ../shared/corpus through the indexer and the search."""

import gzip
import itertools
import json

import pytest

from conftest import shared_path
from indexer.write import build
from webui import create_app

pytestmark = pytest.mark.corpus
ARTICLES = 3000


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory):
    source = shared_path("corpus", "news-2025-2026.jsonl.gz")
    folder = tmp_path_factory.mktemp("corpus")
    sample = folder / "sample.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        sample.write_text("".join(itertools.islice(lines, ARTICLES)), encoding="utf-8")
    report = build([str(sample)], folder / "index")
    assert report.indexed == ARTICLES and not report.skipped
    client = create_app({"INDEX_DIR": str(folder / "index"), "TESTING": True}).test_client()
    first = json.loads(sample.read_text(encoding="utf-8").split("\n", 1)[0])
    return client, first


def test_every_article_is_searchable(corpus_client):
    client, _ = corpus_client
    result = client.get("/api/search", query_string={"per_page": 1}).get_json()
    assert result["total"] == ARTICLES
    assert sum(v["count"] for v in result["facets"]["date"]) == ARTICLES


def test_an_article_is_found_by_its_title(corpus_client):
    client, first = corpus_client
    result = client.get("/api/search", query_string={"q": first["title"]}).get_json()
    assert result["results"][0]["id"] == first["id"]


def test_ministry_facet_on_real_news(corpus_client):
    client, _ = corpus_client
    result = client.get("/api/search", query_string={"q": "bộ"}).get_json()
    ministries = result["facets"]["ministry"]
    assert ministries, "real news names ministries"
    value = ministries[0]["value"]
    filtered = client.get("/api/search", query_string={
        "q": "bộ", "ministry": value, "per_page": 100}).get_json()
    assert filtered["total"] == ministries[0]["count"]
    assert all(value in hit["ministries"] for hit in filtered["results"])
