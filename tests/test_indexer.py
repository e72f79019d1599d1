"""The indexer command: building, reporting what was skipped, publishing generations."""

import json
import os
import subprocess
import sys

import pytest
from whoosh import index as whoosh_index

from conftest import PROJECT, SEED
from indexer import store
from webui import create_app

GOOD = "Tiêu đề bài viết\n\n(Moh.gov.vn) - \n\nSáng ngày 5/4/2021, Bộ Y tế họp.\n\nThu Hà\n"


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], cwd=PROJECT, capture_output=True,
        text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_build_reports_each_bad_input_and_indexes_the_rest(make_index):
    lines = [
        json.dumps({"id": "j1", "title": "Một", "body": "Bộ Công an", "date": "2020-01-02"}),
        "{broken",
        json.dumps({"id": "j2", "title": "", "body": "x"}),
        json.dumps({"id": "j1", "title": "Trùng", "body": "x"}),
        json.dumps({"id": "j3", "title": "Ba", "summary": "tóm tắt"}),
    ]
    root, report = make_index({
        "good.txt": GOOD,
        "latin1.txt": "Tiêu đề\n\nnội dung".encode("cp1258", errors="replace") + b"\xff\xfe",
        "empty.txt": "",
        "feed.jsonl": "\n".join(lines),
        "notes.md": "not an article",
    })
    assert report.indexed == 3  # good.txt, j1, j3
    reasons = {(os.path.basename(s.file), s.line): s.reason for s in report.skipped}
    assert set(reasons) == {("latin1.txt", 1), ("empty.txt", None), ("feed.jsonl", 2),
                            ("feed.jsonl", 3), ("feed.jsonl", 4)}
    assert "not UTF-8" in reasons[("latin1.txt", 1)]
    assert "invalid JSON" in reasons[("feed.jsonl", 2)]
    assert "missing 'title'" in reasons[("feed.jsonl", 3)]
    assert "duplicate id 'j1'" in reasons[("feed.jsonl", 4)]
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    assert ix.doc_count() == 3
    ix.close()


def test_cli_json_summary_and_exit_status(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("{oops\n", encoding="utf-8")
    out = run_cli("build", str(tmp_path), "--index", str(tmp_path / "ix"), "--json")
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert summary["indexed"] == 1 and summary["files"] == 2
    assert summary["skipped"] == [
        {"file": str(tmp_path / "b.jsonl"), "line": 1,
         "reason": "invalid JSON: Expecting property name enclosed in double quotes (column 2)"}]
    assert summary["seconds"] > 0


def test_cli_text_summary_and_index_dir_from_environment(tmp_path):
    out = run_cli("build", str(SEED), env={"INDEX_DIR": str(tmp_path / "env-ix")})
    assert out.returncode == 0, out.stderr
    assert "indexed 1 articles" in out.stdout and str(tmp_path / "env-ix") in out.stdout
    assert (tmp_path / "env-ix" / "current").is_symlink()


def test_cli_missing_source_is_reported(tmp_path):
    out = run_cli("build", str(SEED), str(tmp_path / "nope"), "--index", str(tmp_path / "ix"))
    assert out.returncode == 1
    assert f"{tmp_path / 'nope'}: no such file or folder" in out.stdout


def test_cli_usage_error():
    out = run_cli("build")
    assert out.returncode == 2 and "SOURCE" in out.stderr


def test_a_new_build_is_picked_up_by_a_running_app(make_index, tmp_path):
    root, _ = make_index({"a.txt": GOOD})
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    client = app.test_client()
    assert client.get("/api/search?q=bộ y tế").get_json()["total"] == 1
    second = GOOD.replace("Tiêu đề bài viết", "Bài thứ hai")
    make_index({"a.txt": GOOD, "b.txt": second})
    assert client.get("/api/search?q=bộ y tế").get_json()["total"] == 2


def test_old_generations_are_pruned_but_never_the_live_one(make_index):
    for _ in range(3):
        root, _report = make_index({"a.txt": GOOD}, keep=2)
    generations = sorted((root / store.GENERATIONS).iterdir())
    assert len(generations) == 2
    assert store.live_generation(root) == generations[-1]


def test_no_index_gives_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    response = client.get("/api/search")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "no_index"
    assert client.get("/").status_code == 503


@pytest.mark.parametrize("setting", [{"INDEX_DIRS": "x"}, {"index_dir": "x"}])
def test_unknown_settings_stop_start_up(setting):
    with pytest.raises(ValueError, match="unknown settings"):
        create_app(setting)
