"""The fence around Whoosh's private internals: the fast paths are taken and agree with Whoosh.

The search reads posting blocks and length columns through indexer/whoosh_internals.py. These
tests build a real index whose frequent terms span several posting blocks (Whoosh writes 128
postings a block), check that the block reader and the one-read length column are the paths
actually taken, and compare what they give with Whoosh's public API and its own BM25F scores —
so that a Whoosh upgrade changing its private layout fails here instead of going slow.
"""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q

from indexer import store
from indexer import whoosh_internals as internals
from indexer.write import build, update
from webui.core.postings import Postings
from webui.core.scoring import Evaluator

from conftest import write_files

ARTICLES = 300  # "thi" in every one, "đua" in every other one: both longer than two blocks
PLACES = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng"]


def article(n: int) -> str:
    place = PLACES[n % len(PLACES)]
    contest = "thi đua khen thưởng" if n % 2 else "thi tuyển công chức"
    extra = " Hội nghị được tổ chức tại hội trường lớn." * (n % 4)
    return (f"Hội nghị số {n} tại {place}\n\n(Nguồn) - Ngày {n % 28 + 1}/3/2021, tại {place}, "
            f"hội nghị về {contest} lần thứ {n} đã diễn ra.{extra}\n")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_files(src, {f"a{n:03d}.txt": article(n) for n in range(ARTICLES)})
    root = tmp_path_factory.mktemp("index")
    build([str(src)], root, workers=2)
    write_files(src, {"a007.txt": article(7) + "Bài viết được cập nhật.\n"})
    update([str(src)], root)  # one deletion, in a segment with long posting lists
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    with ix.searcher() as opened:
        assert opened.doc_count() == ARTICLES < opened.doc_count_all()
        yield opened


def live_mask(searcher) -> np.ndarray:
    mask = np.zeros(searcher.doc_count_all(), bool)
    mask[list(searcher.reader().all_doc_ids())] = True
    return mask


def test_long_posting_lists_are_read_a_block_at_a_time(searcher):
    blocked = 0
    for reader, offset, matcher in internals.leaf_postings(searcher, "text_fold", "thi"):
        if reader.doc_frequency("text_fold", "thi") > 128:
            assert internals.reads_by_blocks(matcher), "the block reader is no longer taken"
            blocked += 1
        ids, weights = internals.read_postings(matcher)
        # the internals keep deleted documents (the live mask removes them); Whoosh drops them
        kept = [not reader.is_deleted(d) for d in ids.tolist()]
        public = reader.postings("text_fold", "thi")
        expected_ids, expected_weights = [], []
        while public.is_active():
            expected_ids.append(public.id())
            expected_weights.append(public.weight())
            public.next()
        assert ids[kept].tolist() == expected_ids
        assert weights[kept].tolist() == pytest.approx(expected_weights)
    assert blocked, "no segment holds a posting list longer than one block"


def test_field_lengths_are_read_in_one_go(searcher):
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        size = reader.doc_count_all()
        column = internals.length_column(reader, "text_fold")
        assert column is not None
        fast = internals._length_bytes_at_once(column, size)
        assert fast is not None, "the length column is no longer read in one go"
        assert fast.tolist() == [column[d] for d in range(size)]
        assert internals.length_bytes(reader, "text_fold", size).tolist() == fast.tolist()


def test_positions_of_wanted_documents_match_whoosh(searcher):
    wanted = np.zeros(searcher.doc_count_all(), bool)
    wanted[::3] = True  # candidates spread over every block
    decode = searcher.schema["text_fold"].format.decode_positions
    live = live_mask(searcher)
    got = {doc: positions for doc, positions in
           internals.positions_in(searcher, "text_fold", "dua", wanted, decode) if live[doc]}
    expected = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        matcher = reader.postings("text_fold", "dua")
        while matcher.is_active():
            doc = matcher.id() + offset
            if wanted[doc]:
                expected[doc] = matcher.value_as("positions")
            matcher.next()
    assert len(expected) > 40 and got == expected


@pytest.mark.parametrize("q", [
    Q.Term("text_fold", "thi"),
    Q.Term("text_fold", "dua"),
    Q.And([Q.Term("text_fold", "thi"), Q.Term("text_fold", "dua")]),
    Q.Or([Q.Term("text_syl", "đua"), Q.Term("title_syl", "hội"), Q.Term("text_fold", "hoi")]),
    Q.AndMaybe(Q.Term("text_fold", "hoi"), Q.Term("text_syl", "hội", boost=0.3)),
], ids=repr)
def test_scores_over_several_blocks_are_whooshs(searcher, q):
    expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None, optimize=False)}
    found = Evaluator(searcher, Postings(), live_mask(searcher)).matches(q)
    got = {int(d): float(found.score[d]) for d in np.flatnonzero(found.mask)}
    assert len(expected) > 128
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-5), docnum


def test_phrases_over_several_blocks_match_whoosh(searcher):
    q = Q.Phrase("text_fold", ["thi", "dua", "khen"])
    expected = {hit.docnum for hit in searcher.search(q, limit=None)}
    found = Evaluator(searcher, Postings(), live_mask(searcher)).matches(q)
    assert len(expected) > 128 and set(np.flatnonzero(found.mask).tolist()) == expected


def test_postings_of_wanted_documents_skip_blocks_and_match_a_whole_read(searcher):
    wanted = np.zeros(searcher.doc_count_all(), bool)
    wanted[::40] = True  # sparse: most blocks hold none and are skipped
    found = 0
    for reader, offset, matcher in internals.leaf_postings(searcher, "text_fold", "thi"):
        size = reader.doc_count_all()
        ids, weights = internals.read_postings(
            internals.unfiltered_postings(reader, "text_fold", "thi"))
        keep = wanted[ids + offset]
        got_ids, got_weights = internals.read_postings_within(matcher, offset, size, wanted)
        assert got_ids.tolist() == ids[keep].tolist()
        assert got_weights.tolist() == weights[keep].tolist()
        found += len(got_ids)
    assert found > 0


def _articles(tmp_path):
    src = tmp_path / "src"
    write_files(src, {f"a{n:03d}.txt": article(n) for n in range(ARTICLES)})
    return src


def _segment_of(src, tmp_path, gather: bool, fast: bool):
    """A segment of ARTICLES articles written by one worker the indexer's way (fast), or by
    Whoosh's own ``add_document`` and ``_finalize_segment``; with its generation folder."""
    from indexer import postings, segments
    from indexer.record import Record
    from indexer.sources import read_records

    generation = store.new_generation(tmp_path / "index")
    segments.create_empty(generation)
    # spills (runs are merged); Whoosh's own code indexes, spills and merges when not fast
    worker = segments.SegmentWorker(generation, 0, limitmb=1, fast=fast)
    worker.process([r for path in sorted(src.iterdir()) for r in read_records(path)
                    if isinstance(r, Record)])
    if fast:
        segment = worker.finish() if gather else internals.finish_segment(worker.writer, True)
    else:
        segment = worker.writer._finalize_segment()
        worker.writer._tempstorage.destroy()
    return generation, segment, postings


def _postings_and_bounds(generation, segment) -> list:
    from whoosh.filedb.filestore import FileStorage

    from indexer.schema import make_schema

    reader = internals.segment_reader(FileStorage(str(generation)), make_schema(), segment)
    out = []
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        out.append((fieldname, text, info.weight(), info.doc_frequency(), info.min_length(),
                    info.max_length(), info.max_weight(), info.min_id(), info.max_id()))
        matcher = reader.postings(fieldname, text)
        while matcher.is_active():
            out.append((fieldname, text, matcher.id(), matcher.weight(), matcher.value(),
                        matcher.block_min_length(), matcher.block_max_length(),
                        matcher.block_max_weight()))
            matcher.next()
    out += [(fieldname, docnum, reader.doc_field_length(docnum, fieldname))
            for fieldname in reader.indexed_field_names()
            for docnum in range(reader.doc_count_all())]
    reader.close()
    return out


def test_a_segment_holds_what_whoosh_writes(tmp_path):
    """Postings come from the spans analysed ahead, not from a token stream, spill to disk and
    merge back in chunks, and the field lengths of each block's bounds come from memory, not
    from the column file: the postings, their positions and their blocks' bounds are Whoosh's
    own."""
    src = _articles(tmp_path)
    ours = _postings_and_bounds(*_segment_of(src, tmp_path / "ours", gather=False,
                                             fast=True)[:2])
    whooshs = _postings_and_bounds(*_segment_of(src, tmp_path / "whoosh", gather=False,
                                                fast=False)[:2])
    assert len(ours) > 10_000
    assert ours == whooshs
    # and byte for byte: the term table, the posting blocks, the length columns
    assert _segment_files(tmp_path / "ours") == _segment_files(tmp_path / "whoosh")


def _segment_files(tmp_path) -> dict[str, bytes]:
    """The files inside the one compound segment file of a generation, by kind."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    generation = next((tmp_path / "index").glob("generations/*"))
    (compound,) = [p.name for p in generation.iterdir() if p.suffix == ".seg"]
    files = CompoundStorage(FileStorage(str(generation)).open_file(compound))
    found = {name.split(".", 1)[1]: files.open_file(name).read() for name in files.list()}
    assert {"trm", "pst"} <= set(found)
    return found


def test_posting_arrays_gathered_while_writing_are_those_read_back(tmp_path):
    generation, segment, postings = _segment_of(_articles(tmp_path), tmp_path, gather=True,
                                                fast=True)
    gathered = postings.segment_folder(generation, segment.segment_id())
    from whoosh.filedb.filestore import FileStorage

    from indexer.schema import make_schema

    reader = internals.segment_reader(FileStorage(str(generation)), make_schema(), segment)
    decoded = tmp_path / "decoded"
    postings.write_segment(reader, decoded)
    reader.close()
    names = sorted(p.name for p in decoded.iterdir())
    assert names == sorted(p.name for p in gathered.iterdir())
    assert len(names) == 6 * len(postings.FIELDS)
    for name in names:
        ours, read_back = np.load(gathered / name), np.load(decoded / name)
        assert ours.dtype == read_back.dtype and np.array_equal(ours, read_back), name


def test_spilled_runs_merge_back_in_order_when_there_are_more_than_files_open(tmp_path,
                                                                             monkeypatch):
    """Past ``maxfiles`` runs, Whoosh merges runs into runs first (``reduce_to``): the chunked
    runs go through that too, and every posting comes back once, in order."""
    from whoosh.filedb.filestore import FileStorage

    monkeypatch.setattr(internals, "RUN_CHUNK", 7)  # runs of several chunks
    storage = FileStorage(str(tmp_path)).create()
    pool = internals._ChunkedPool(storage.temp_storage("runs.tmp"), None, limitmb=1)
    pool.limit = 2_000  # bytes: a run every ten postings or so
    rng = np.random.default_rng(3)
    postings = [("text_fold", f"t{int(t):05d}".encode(), int(d), 1.0, b"")
                for t, d in zip(rng.integers(0, 3000, 5000), rng.permutation(5000))]
    for posting in postings:
        pool.add(posting)
    assert len(pool.runs) > 100
    assert list(pool.items(maxfiles=8)) == sorted(postings)
