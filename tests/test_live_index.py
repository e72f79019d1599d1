"""Index switches as searches see them: a new generation serves only once it is warm."""

from __future__ import annotations

import gc
import logging
import weakref

from indexer import store
from webui import create_app
from webui.core import LiveIndex
from webui.core.spelling import vocabulary

ONE = {"a.txt": "Bộ Y tế họp bàn\n\nBộ Y tế họp bàn về tiêm chủng.\n"}
TWO = {**ONE, "b.txt": "Tiêm chủng mở rộng\n\nTiêm chủng cho trẻ em.\n"}


def test_a_switch_in_the_background_serves_the_old_generation_until_the_new_one_is_warm(
        make_index):
    root, _ = make_index(ONE)
    with LiveIndex(root, warm=True, background=True) as live:
        old = live.generation()
        assert old.warmed  # the first generation is warmed before it serves too
        make_index(TWO)
        assert live.generation() is old  # the switch has begun, off the request path
        served = [live.generation()]
        live.wait_for_switch(timeout=120)
        served.append(live.generation())
        new = served[-1]
        assert new is not old and new.path == store.live_generation(root)
        assert all(gen is old or gen.warmed for gen in served)
        assert new.warmed and new.doc_count == 2
        assert old.retired


def test_a_warmed_generation_is_kept_out_of_full_collections_and_freed_when_dropped(
        make_index):
    """Its tables are frozen (a full collection would walk them all, stopping every thread);
    freezing is safe because a dropped generation leaves no reference cycles, which only the
    collector could free."""
    root, _ = make_index(ONE)
    with LiveIndex(root, warm=True, freeze=True) as live:
        old = live.generation()
        make_index(TWO)
        frozen = gc.get_freeze_count()
        new = live.generation()
        assert new is not old and new.warmed
        assert gc.get_freeze_count() >= frozen + len(vocabulary(new).variants)
        dropped = weakref.ref(old)
        gc.collect()
        del old
        assert dropped() is None  # freed by its reference count, frozen or not
        assert gc.collect() == 0, "dropping a generation left reference cycles"


def test_without_background_the_request_that_sees_the_switch_warms_it(make_index):
    root, _ = make_index(ONE)
    with LiveIndex(root, warm=True) as live:
        old = live.generation()
        make_index(TWO)
        new = live.generation()
        assert new is not old and new.warmed and new.doc_count == 2


def test_without_warming_a_switch_is_seen_at_once_and_nothing_is_computed(make_index):
    root, _ = make_index(ONE)
    with LiveIndex(root) as live:
        old = live.generation()
        make_index(TWO)
        new = live.generation()
        assert new is not old and not new.warmed


def test_the_app_answers_from_the_old_generation_while_the_new_one_warms(make_index):
    root, _ = make_index(ONE)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_IN_BACKGROUND": True})
    client = app.test_client()
    assert client.get("/api/search?q=tiêm").get_json()["total"] == 1
    make_index(TWO)
    assert client.get("/api/search?q=tiêm").get_json()["total"] == 1
    app.extensions["live_index"].wait_for_switch(timeout=120)
    assert client.get("/api/search?q=tiêm").get_json()["total"] == 2


def test_a_new_generation_has_the_recent_searches_run_before_it_serves(make_index):
    from webui.core.search import recent_results

    root, _ = make_index(ONE)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_IN_BACKGROUND": True})
    client = app.test_client()
    for q in ("tiêm", "bộ y tế", "họp bàn"):
        assert client.get("/api/search", query_string={"q": q}).status_code == 200
    live = app.extensions["live_index"]
    old = live.generation()
    make_index(TWO)
    live.generation()
    live.wait_for_switch(timeout=120)
    new = live.generation()
    assert new is not old
    assert recent_results(new).keys() == recent_results(old).keys()
    searched = next(req for req in recent_results(new).keys() if req.q == "tiêm")
    assert recent_results(new).get(searched).total == 2  # run on the new generation
    assert new._idle  # its searchers stay open for the first requests
    # the first request on the new generation is answered as quickly as before the switch
    answer = client.get("/api/search", query_string={"q": "họp bàn"})
    assert answer.headers["Server-Timing"].startswith('cache;desc="hit"')


def test_a_generation_that_cannot_be_opened_leaves_the_old_one_serving(make_index, caplog):
    root, _ = make_index(ONE)
    with LiveIndex(root, warm=True, background=True) as live:
        old = live.generation()
        broken = root / store.GENERATIONS / "broken"
        broken.mkdir()
        store.switch(root, broken)
        with caplog.at_level(logging.ERROR, logger="webui.core.generation"):
            assert live.generation() is old
            live.wait_for_switch(timeout=120)
            assert live.generation() is old  # and it is not tried again on every search
            assert live._switching is None or not live._switching.is_alive()
        assert [r.getMessage() for r in caplog.records] == [
            f"could not open and warm index generation {broken}; still serving {old.path}"]
        assert not old.retired
