"""Nightly reindexing: incremental updates, the atomic switch, rollback, the lock, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from conftest import DATA, PROJECT, write_files
from indexer import store
from indexer.changes import RemovalLimit
from indexer.lock import IndexLock, holder
from indexer.write import build, update
from webui import create_app

SAMPLES = sorted((DATA / "samples").glob("*.txt"))
ANY = RemovalLimit.parse("all")  # these small sources lose a third of their articles at once


def article(title: str, body: str, source: str = "Moh.gov.vn") -> str:
    return f"{title}\n\n({source}) - \n\n{body}\n\nThu Hà\n"


def jsonl(*objects: dict) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


def live_ids(root: Path) -> set[str]:
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    with ix.searcher() as searcher:
        ids = {fields["id"] for fields in searcher.all_stored_fields()}
    ix.close()
    return ids


def found(client, q: str) -> set[str]:
    """Ids of the articles that hold every word of the query (none when it had to relax)."""
    result = client.get("/api/search", query_string={"q": q, "per_page": 100}).get_json()
    return set() if result["relaxed"] else {hit["id"] for hit in result["results"]}


def run_cli(*args, tmp: Path, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "indexer", *map(str, args)], cwd=PROJECT, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "TMPDIR": str(tmp)},
    )


@pytest.fixture()
def tmp(tmp_path) -> Path:
    # pyvi's model file goes here, not into the shared /tmp, when a subprocess is killed
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.fixture()
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    write_files(folder, {
        "a.txt": article("Bộ Y tế họp về tiêm chủng", "Sáng ngày 5/4/2021, Bộ Y tế họp."),
        "b.txt": article("Bộ Giáo dục tổng kết năm học", "Ngày 6/6/2021, Bộ GD&ĐT tổng kết."),
        "c.txt": article("Bộ Công an diễn tập", "Ngày 7/7/2021, Bộ Công an diễn tập."),
        "feed.jsonl": jsonl(
            {"id": "j1", "title": "Một", "body": "Ngân hàng Nhà nước điều hành lãi suất."},
            {"id": "j2", "title": "Hai", "body": "Bộ Tài chính công bố số liệu."},
            {"id": "j3", "title": "Ba", "body": "Bộ Xây dựng kiểm tra công trình."},
        ),
    })
    return folder


# -- incremental update -------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_update_adds_changes_removes_and_leaves_the_rest(src, tmp_path, workers):
    root = tmp_path / "index"
    assert build([str(src)], root).indexed == 6
    before = store.live_generation(root)
    old_inodes = {p.stat().st_ino for p in before.glob("MAIN_*.seg")}

    write_files(src, {
        "b.txt": article("Bộ Giáo dục tổng kết năm học", "Ngày 6/6/2021, Bộ GD&ĐT khen thưởng."),
        "d.txt": article("Bộ Nội vụ tuyển dụng", "Ngày 8/8/2021, Bộ Nội vụ tuyển dụng."),
        "feed.jsonl": jsonl(
            {"id": "j1", "title": "Một", "body": "Ngân hàng Nhà nước điều hành lãi suất."},
            {"id": "j2", "title": "Hai", "body": "Bộ Tài chính công bố dự toán mới."},
            {"id": "j4", "title": "Bốn", "body": "Bộ Ngoại giao họp báo."},
        ),
    })
    (src / "c.txt").unlink()
    report = update([str(src)], root, workers=workers, max_remove=ANY)

    assert (report.added, report.updated, report.removed, report.unchanged) == (2, 2, 2, 2)
    assert report.skipped == [] and report.full_build_because is None
    assert live_ids(root) == {"a", "b", "d", "j1", "j2", "j4"}
    after = store.live_generation(root)
    assert after != before and store.previous_generation(root) == before
    # unchanged articles were not analysed again: the old segments are the same files
    # (hard links), and the new segments hold only the four new or changed articles
    ix = whoosh_index.open_dir(str(after))
    new = [s for s in ix._segments()
           if (after / f"{s.segment_id()}.seg").stat().st_ino not in old_inodes]
    assert sum(s.doc_count_all() for s in new) == 4
    assert ix.doc_count() == 6
    ix.close()

    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert found(client, "khen thưởng") == {"b"}
    assert found(client, "diễn tập") == set()
    assert client.get("/api/search").get_json()["total"] == 6
    assert client.get("/api/articles/j2").get_json()["body"].endswith("dự toán mới.")
    assert client.get("/api/articles/c").status_code == 404


def test_a_build_on_two_workers_has_a_segment_each_and_answers_searches(src, tmp_path):
    root = tmp_path / "index"
    many_articles(src, 60)
    report = build([str(src)], root, workers=2)
    assert report.articles == 66 and len(live_ids(root)) == 66
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    assert len(ix._segments()) == 2
    ix.close()
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert found(client, "tiêm chủng") >= {"a"}
    assert client.get("/api/search?q=bộ y tế").status_code == 200
    assert client.get("/api/search").get_json()["total"] == 66


def test_articles_whose_source_cannot_be_read_in_full_are_kept(src, tmp_path):
    root = tmp_path / "index"
    build([str(src)], root)
    (src / "c.txt").unlink()
    # j3's line is now broken: its article may be on it, so j2 and j3 stay as they were
    (src / "feed.jsonl").write_text(jsonl({"id": "j1", "title": "Một", "body": "x y"})
                                    + "{broken\n", encoding="utf-8")
    report = update([str(src)], root, keep_missing=True)
    assert report.removed == 0 and report.updated == 1
    assert report.kept == {"--keep-missing": 3}
    report = update([str(src)], root, max_remove=ANY)
    assert report.removed == 1  # c.txt: its file is gone
    assert report.kept == {"its source file could not be read in full": 2}
    assert live_ids(root) == {"a", "b", "j1", "j2", "j3"}
    # a source folder that is missing (an unmounted disk) removes nothing
    report = update([str(src), str(tmp_path / "unmounted")], root)
    assert report.removed == 0
    assert ("unmounted", None, "no such file or folder") in [
        (Path(s.file).name, s.line, s.reason) for s in report.skipped]


def test_articles_outside_the_sources_given_are_left_alone(src, tmp_path):
    root = tmp_path / "index"
    build([str(src)], root)
    report = update([str(src / "a.txt")], root)
    assert (report.unchanged, report.removed) == (1, 0)
    assert report.kept == {"from a file outside the sources given": 5}


def test_duplicate_ids_the_first_read_wins_in_updates_too(src, tmp_path):
    root = tmp_path / "index"
    build([str(src)], root)
    write_files(src, {"z.jsonl": jsonl({"id": "j1", "title": "Trùng", "body": "Bản sau."})})
    report = update([str(src)], root)
    assert [s.reason for s in report.skipped] == [
        f"duplicate id 'j1': already indexed from {src / 'feed.jsonl'}:1"]
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert client.get("/api/articles/j1").get_json()["title"] == "Một"


def test_update_builds_in_full_when_the_schema_changed(src, tmp_path):
    root = tmp_path / "index"
    build([str(src)], root)
    meta_file = store.live_generation(root) / store.META
    meta = json.loads(meta_file.read_text("utf-8"))
    meta["schema_version"] = 1
    meta_file.write_text(json.dumps(meta), "utf-8")
    report = update([str(src)], root)
    assert "schema version 1" in report.full_build_because
    assert (report.added, report.unchanged) == (6, 0)
    assert update([str(src)], root).unchanged == 6  # and the next update is incremental


# -- the switch, rollback, status ---------------------------------------------------------------


def test_a_running_app_sees_each_switch_and_keeps_answering(src, tmp_path, tmp):
    root = tmp_path / "index"
    build([str(src)], root)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert found(client, "tuyển dụng") == set()
    write_files(src, {"d.txt": article("Bộ Nội vụ tuyển dụng", "Ngày 8/8/2021, Bộ Nội vụ tuyển dụng.")})
    out = run_cli("update", src, "--index", root, tmp=tmp)
    assert out.returncode == 0, out.stderr
    assert found(client, "tuyển dụng") == {"d"}
    # a generation pruned under a reader that still has it open does not fail the reader
    with create_app({"INDEX_DIR": str(root), "TESTING": True}).app_context():
        from webui.live import generation

        with generation().searcher() as searcher:
            for _ in range(3):
                build([str(src)], root, keep=2)
            assert searcher.doc_count() == 7
            assert len(list(searcher.documents())) == 7
    assert found(client, "tuyển dụng") == {"d"}


def test_rollback_and_status(src, tmp_path, tmp):
    root = tmp_path / "index"
    first = build([str(src)], root).generation
    (src / "c.txt").unlink()
    second = build([str(src)], root, max_remove=ANY).generation
    status = json.loads(run_cli("status", "--index", root, "--json", tmp=tmp).stdout)
    assert status["live"] == f"generations/{second}" and status["articles"] == 5
    assert status["previous"] == first and status["sources"] == [str(src)]
    assert status["command"] == "build" and status["writer"] is None

    out = run_cli("rollback", "--index", root, tmp=tmp)
    assert out.returncode == 0, out.stderr
    assert f"{second} -> {first}" in out.stdout
    assert store.live_generation(root).name == first and len(live_ids(root)) == 6
    out = run_cli("rollback", "--index", root, tmp=tmp)
    assert out.returncode == 2 and "no earlier complete generation" in out.stderr
    text = run_cli("status", "--index", root, tmp=tmp).stdout
    assert f"live         generations/{first}: 6 articles" in text


def test_pruning_keeps_the_live_generation_and_the_one_before_it(src, tmp_path):
    root = tmp_path / "index"
    names = [build([str(src)], root, keep=2).generation for _ in range(3)]
    assert [p.name for p in store.generations(root)] == names[1:]
    store.switch(root, root / store.GENERATIONS / names[1])  # as a rollback does
    fourth = build([str(src)], root, keep=2).generation
    # live is the fourth; the one before it (the second, live when it was built) stays
    assert [p.name for p in store.generations(root)] == [names[1], names[2], fourth][-3:]
    assert store.previous_generation(root).name == names[1]


def test_keep_below_two_is_refused(src, tmp_path, tmp):
    out = run_cli("build", src, "--index", tmp_path / "ix", "--keep", "1", tmp=tmp)
    assert out.returncode == 2 and "at least 2" in out.stderr


# -- one writer ---------------------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from indexer.lock import IndexLock
with IndexLock(Path(sys.argv[1]), "update"):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_lock(root: Path, tmp: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], cwd=PROJECT, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "TMPDIR": str(tmp)})
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_exits_with_a_clear_message_or_waits(src, tmp_path, tmp):
    root = tmp_path / "index"
    holder_proc = hold_lock(root, tmp)
    try:
        out = run_cli("build", src, "--index", root, tmp=tmp)
        assert out.returncode == 3
        assert f"another `update` (pid {holder_proc.pid}" in out.stderr
        assert "only one build or update runs at a time" in out.stderr
        started = time.monotonic()
        out = run_cli("update", src, "--index", root, "--wait", "1.5", tmp=tmp)
        assert out.returncode == 3 and "after waiting 1.5 s" in out.stderr
        assert time.monotonic() - started >= 1.5
        assert holder(root)["alive"] is True
    finally:
        holder_proc.kill()
        holder_proc.wait()
        holder_proc.stdout.close()
    assert not (root / "current").exists()


def test_a_lock_left_by_a_killed_run_is_recognised_and_cleared(src, tmp_path, tmp):
    root = tmp_path / "index"
    proc = hold_lock(root, tmp)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    stale = holder(root)
    assert stale["pid"] == proc.pid and stale["alive"] is False
    (root / store.GENERATIONS / "20000101-000000-000000").mkdir(parents=True)  # its leftover
    out = run_cli("build", src, "--index", root, "--json", tmp=tmp)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["cleared"] == [str(root / store.GENERATIONS / "20000101-000000-000000")]
    log = (root / "indexer.log").read_text("utf-8")
    assert f"the last run (pid {proc.pid}, update" in log
    assert holder(root) is None


def test_the_lock_is_held_by_the_run_not_by_its_workers(src, tmp_path, tmp):
    root = tmp_path / "index"
    with IndexLock(root, "build") as lock:
        assert lock.stale is None
        pid = os.fork()
        if pid == 0:  # a forked worker that ends closes its copy of the lock file
            os._exit(0)
        os.waitpid(pid, 0)
        out = run_cli("update", src, "--index", root, tmp=tmp)
        assert out.returncode == 3 and f"another `build` (pid {os.getpid()}" in out.stderr


# -- crashes ------------------------------------------------------------------------------------


def many_articles(folder: Path, count: int) -> None:
    """Enough JSON Lines articles for a build that takes a few seconds."""
    texts = [p.read_text("utf-8") for p in SAMPLES]
    with open(folder / "many.jsonl", "w", encoding="utf-8") as out:
        for i in range(count):
            text = texts[i % len(texts)]
            title, _, body = text.partition("\n")
            out.write(json.dumps({"id": f"m{i}", "title": f"{title} ({i})", "body": body},
                                 ensure_ascii=False) + "\n")


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_run_killed_midway_leaves_the_live_index_intact(src, tmp_path, tmp, command):
    root = tmp_path / "index"
    build([str(src)], root)
    live = store.live_generation(root)
    many_articles(src, 400)
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", command, str(src), "--index", str(root),
         "--workers", "2", "--progress", "none"],
        cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    deadline = time.monotonic() + 60
    unfinished = []
    while time.monotonic() < deadline and proc.poll() is None:
        unfinished = [p for p in (root / store.GENERATIONS).iterdir()
                      if p != live and list(p.glob("MAIN_*"))]
        if unfinished:
            break
        time.sleep(0.05)
    time.sleep(1.0)  # into the writing
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert unfinished and not (unfinished[0] / store.META).exists()
    assert store.live_generation(root) == live
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert found(client, "tiêm chủng") == {"a"}
    assert client.get("/api/search").get_json()["total"] == 6
    time.sleep(0.5)  # the workers die with their parent
    assert not subprocess.run(["pgrep", "-f", f"indexer {command} {src}"],
                              capture_output=True).stdout

    report = update([str(src)], root, workers=2)
    assert report.cleared == [str(unfinished[0])]
    assert report.articles == 406 and len(live_ids(root)) == 406


def test_sigterm_stops_a_run_and_removes_its_unfinished_generation(src, tmp_path, tmp):
    root = tmp_path / "index"
    many_articles(src, 300)
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "build", str(src), "--index", str(root),
         "--workers", "1", "--progress", "none"],
        cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((root / store.GENERATIONS).glob("*/MAIN_*")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "stopped by signal SIGTERM" in stderr
    assert list((root / store.GENERATIONS).iterdir()) == []
    assert not (root / "current").exists()
