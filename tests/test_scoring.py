"""The numpy evaluator against Whoosh itself: the same documents, the same BM25F scores."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q

from indexer import store
from indexer.write import build, update
from webui.core.query import parse, text_query
from webui.core.postings import Postings
from webui.core.scoring import Evaluator

from conftest import DATA, write_files


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """data/ indexed by two workers (two segments), then one article changed (a deletion)."""
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(DATA, src, dirs_exist_ok=True)
    root = tmp_path_factory.mktemp("index")
    build([str(src)], root, workers=2)
    changed = src / "samples" / "sample-2020-10-21-mua-lu-mien-trung.txt"
    write_files(src, {str(changed.relative_to(src)):
                      changed.read_text("utf-8") + "\nBài viết được cập nhật thêm.\n"})
    update([str(src)], root)
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    with ix.searcher() as searcher:
        searcher.generation_path = store.live_generation(root)
        assert len(searcher.leaf_searchers()) >= 2
        assert searcher.doc_count() < searcher.doc_count_all()  # the replaced one is deleted
        yield searcher


def live_mask(searcher) -> np.ndarray:
    mask = np.zeros(searcher.doc_count_all(), bool)
    mask[list(searcher.reader().all_doc_ids())] = True
    return mask


def clause_query(text: str, mode: str) -> Q.Query:
    (group,) = parse(text).groups
    return text_query(group[0], mode=mode, ranked=True)


QUERIES = [
    Q.Term("text_fold", "thi"),
    Q.Term("title", "thi_đua", boost=2.5),
    Q.And([Q.Term("text_fold", "thi"), Q.Term("text_fold", "dua")]),
    Q.Or([Q.Term("text_syl", "hòa"), Q.Term("text_syl", "hoá"), Q.Term("title_syl", "bình")]),
    Q.AndMaybe(Q.Term("text_fold", "bo"), Q.Term("text_syl", "bộ", boost=0.3)),
    Q.AndNot(Q.Term("text_fold", "bo"), Q.Term("text_fold", "y")),
    clause_query("thi đua khen thưởng", "exact"),
    clause_query("thi đua khen thưởng", "all"),
    clause_query("giao thong", "all"),
    clause_query("Bộ GTVT", "all"),
    clause_query("hoa binh lu lut", "any"),
]


@pytest.mark.parametrize("q", QUERIES, ids=repr)
def test_same_documents_and_scores_as_whoosh(segmented, q):
    expected = {hit.docnum: hit.score
                for hit in segmented.search(q, limit=None, optimize=False)}
    found = Evaluator(segmented, Postings(), live_mask(segmented)).matches(q)
    got = {int(d): float(found.score[d]) for d in np.flatnonzero(found.mask)}
    assert expected, "a query that finds nothing tests nothing"
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-5), docnum


@pytest.mark.parametrize("q", [
    Q.Phrase("text_syl", ["thi", "đua"]),
    Q.Phrase("text_fold", ["khen", "thuong"]),
    Q.Phrase("text_fold", ["bo", "thong", "tin", "va", "truyen", "thong"]),  # "thong" twice
    Q.Phrase("title_syl", ["khối", "thi", "đua"]),
], ids=repr)
def test_phrases_match_the_documents_whoosh_finds(segmented, q):
    expected = {hit.docnum for hit in segmented.search(q, limit=None)}
    found = Evaluator(segmented, Postings(), live_mask(segmented)).matches(q)
    assert expected and set(np.flatnonzero(found.mask).tolist()) == expected


def test_the_cache_keeps_within_its_budget(segmented):
    postings = Postings(budget=50)
    evaluator = Evaluator(segmented, postings, live_mask(segmented))
    for word in ("thi", "dua", "bo", "y", "te", "giao", "thong"):
        evaluator.matches(Q.Term("text_fold", word))
        assert postings.held <= 50
    # a term is read again the same after it left the cache
    first = evaluator.matches(Q.Term("text_fold", "thi")).score
    again = Evaluator(segmented, Postings(), live_mask(segmented)).matches(
        Q.Term("text_fold", "thi")).score
    assert np.array_equal(first, again)


def test_the_posting_arrays_beside_each_segment_are_read_and_agree_with_whoosh(segmented):
    from indexer import postings as posting_arrays

    path = segmented.generation_path
    with_arrays, from_whoosh = Postings(path=path), Postings()
    leaves = [leaf.reader() for leaf, _ in segmented.leaf_searchers()]
    assert all(with_arrays._segment_arrays(r) is not None for r in leaves), \
        "the indexer wrote no posting arrays beside a segment"
    assert all(from_whoosh._segment_arrays(r) is None for r in leaves)
    live = live_mask(segmented)  # deleted documents may or may not be listed: both are masked
    for fieldname in posting_arrays.FIELDS:
        for term in list(segmented.reader().field_terms(fieldname))[:40]:
            a_ids, a_freqs = with_arrays.get(segmented, fieldname, term)
            w_ids, w_freqs = from_whoosh.get(segmented, fieldname, term)
            a_live, w_live = live[a_ids], live[w_ids]
            assert a_ids[a_live].tolist() == w_ids[w_live].tolist(), (fieldname, term)
            assert a_freqs[a_live].tolist() == w_freqs[w_live].tolist(), (fieldname, term)
    assert with_arrays.get(segmented, "text_fold", "zzzkhongco")[0].size == 0


def test_the_terms_of_a_field_and_their_counts_are_whooshs(segmented):
    """The vocabulary is built from the arrays' terms: the same terms and document counts as
    Whoosh's term table, which takes seconds to list at archive scale."""
    with_arrays, from_whoosh = Postings(path=segmented.generation_path), Postings()
    for fieldname in ("title", "title_syl", "text_syl"):
        expected = {}
        for term, info in segmented.reader().iter_field(fieldname):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            expected[text] = info.doc_frequency()
        assert with_arrays.terms(segmented, fieldname) == expected, fieldname
        assert from_whoosh.terms(segmented, fieldname) == expected, fieldname
    assert len(expected) > 100


@pytest.mark.parametrize("fieldname", ["ministries", "persons", "category", "source", "month"])
def test_a_facet_table_from_the_posting_arrays_counts_as_one_from_whoosh(segmented, fieldname):
    from webui.core.facets import FacetTable

    segments = Postings(path=segmented.generation_path).field_postings(segmented, fieldname)
    assert segments is not None, "the indexer wrote no posting arrays for the facet"
    assert Postings().field_postings(segmented, fieldname) is None
    live = live_mask(segmented)
    arrays = FacetTable.from_segments(segments, live)
    whoosh = FacetTable.build(segmented.reader(), fieldname)
    assert arrays.values == whoosh.values
    assert len(arrays.values) > 1 or fieldname == "category"  # data/ names no sections
    assert arrays.count(live) == whoosh.count(live)
    assert not (set(arrays.doc_ids.tolist()) - set(np.flatnonzero(live).tolist()))
    first_half = live & (np.arange(len(live)) < len(live) // 2)
    assert arrays.count(first_half, 3) == whoosh.count(first_half, 3)


@pytest.mark.parametrize("q", QUERIES + [Q.Phrase("text_syl", ["thi", "đua"])], ids=repr)
@pytest.mark.parametrize("some", ["every", "every other", "every third", "one match"])
def test_restricted_to_some_documents_as_over_all_of_them(segmented, q, some):
    """Over some documents, a query matches and scores them as over the whole index, whether
    their postings are looked up by place (many documents) or searched (a few)."""
    path = segmented.generation_path
    whole = Evaluator(segmented, Postings(path=path), live_mask(segmented))
    expected = whole.matches(q)
    docs = {"every": np.arange(whole.size), "every other": np.arange(0, whole.size, 2),
            "every third": np.arange(1, whole.size, 3),
            "one match": np.flatnonzero(expected.mask)[-1:]}[some]
    part = whole.restricted(docs)
    found = part.matches(q)
    assert expected.mask[docs].any(), "no document looked at matches: nothing is tested"
    assert np.array_equal(found.mask, expected.mask[docs])
    assert np.allclose(found.score[found.mask], expected.score[docs][found.mask], rtol=1e-6)
    assert np.array_equal(part.spread(found.mask), expected.mask & np.isin(
        np.arange(whole.size), docs))
