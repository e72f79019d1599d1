"""Inputs made to break a night's run, and runs that would lose the archive: each is reported,
the rest indexed, and no run removes what it cannot see."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from conftest import PROJECT, write_files
from indexer import store
from indexer.changes import MAX_SKIPS_LISTED, RemovalLimit
from indexer.report import Refused
from indexer.sources import MIN_EXPANDED_BYTES
from indexer.write import build, update
from webui import create_app

GOOD = "Tiêu đề bài viết\n\n(Moh.gov.vn) - \n\nSáng ngày 5/4/2021, Bộ Y tế họp.\n\nThu Hà\n"


def line(**fields) -> str:
    return json.dumps({"id": "j", "title": "Tiêu đề", "body": "Bộ Y tế họp.", **fields},
                      ensure_ascii=False) + "\n"


def page(charset: str) -> str:
    return (f'<html><head><meta charset="{charset}"><title>Giá xăng giảm</title></head>'
            "<body><article><p>Liên Bộ Công Thương giảm giá xăng.</p></article></body></html>")


def rss(item: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (f"{declaration}\n<rss><channel><title>Tin</title>\n<item><title>Giá xăng giảm"
            f"</title><guid>tn-1</guid>{item}</item>\n</channel></rss>\n")


def gzip_of_blank_lines(size: int) -> bytes:
    """A few kilobytes of gzip that expand to ``size`` bytes of blank lines."""
    chunk = b" " * (2**20 - 1) + b"\n"
    return gzip.compress(chunk * (size // len(chunk) + 1), compresslevel=9)


# name: (files, articles indexed besides good.txt, skip (file, line, start of reason) or None,
#        note (file, start of the note) or None)
HOSTILE = {
    "JSON nested 100,000 deep": (
        {"x.jsonl": "[" * 100_000 + "]" * 100_000 + "\n" + line()}, 1,
        ("x.jsonl", 1, "invalid JSON: nested too deeply"), None),
    "JSON number of 5,000 digits": (
        {"x.jsonl": '{"id": ' + "9" * 5000 + "}\n" + line()}, 1,
        ("x.jsonl", 1, "invalid JSON: Exceeds the limit"), None),
    "HTML charset rot13": ({"x.html": page("rot13")}, 1, None,
                           ("x.html", "declares charset 'rot13', which cannot be read")),
    "HTML charset undefined": ({"x.html": page("undefined")}, 1, None,
                               ("x.html", "declares charset 'undefined', which cannot be read")),
    "HTML charset unknown": ({"x.html": page("vni-win")}, 1, None,
                             ("x.html", "declares charset 'vni-win'")),
    "HTML charset UTF-16 without a byte-order mark": (
        {"x.html": page("utf-16")}, 1, None, ("x.html", "declares charset 'utf-16'")),
    "feed declaring rot13": (
        {"x.rss": rss("<description>Giá xăng giảm.</description>",
                      '<?xml version="1.0" encoding="rot13"?>')}, 1, None,
        ("x.rss", "declares charset 'rot13'")),
    "feed declaration without ?>": (
        {"x.rss": rss("<description>x</description>", '<?xml version="1.0" encoding="utf-8"')},
        0, ("x.rss", 1, "invalid XML: the XML declaration does not end with '?>'"), None),
    "RSS pubDate in the year 99999999999": (
        {"x.rss": rss("<pubDate>Thu, 07 Aug 99999999999 23:30:00 +0700</pubDate>"
                      "<description>Giá xăng giảm.</description>")}, 1, None,
        ("x.rss", "date 'Thu, 07 Aug 99999999999 23:30:00 +0700' not understood")),
    "description of 5,000 nested tags": (
        {"x.rss": rss("<description><![CDATA[" + "<b>" * 5000 + "Giá xăng giảm.]]>"
                      "</description>")}, 1, None, None),
    "page of 5,000 nested tags": (
        {"x.html": "<html><head><title>Giá xăng</title></head><body>" + "<div>" * 5000
         + "<p>Giá xăng giảm.</p></body></html>"}, 1, None, None),
    "JSON title of 100,000 characters": (
        {"x.jsonl": line(title="đ" * 100_000) + line(id="k")}, 1,
        ("x.jsonl", 1, "'title' is 100000 characters long: not a title"), None),
    "a number for a title": ({"x.jsonl": line(title=2021)}, 0,
                             ("x.jsonl", 1, "field 'title' must be text, not a number (2021)"),
                             None),
    "a boolean for a body": ({"x.jsonl": line(body=True)}, 0,
                             ("x.jsonl", 1, "field 'body' must be text, not a boolean (true)"),
                             None),
    "a number for an id": ({"x.jsonl": line(id=12345)}, 1, None, None),
    "a date with garbage after it": (
        {"x.jsonl": line(date="2021-03-12garbage")}, 0,
        ("x.jsonl", 1, "'date' '2021-03-12garbage' is not a valid YYYY-MM-DD date"), None),
    "UTF-16 JSON Lines (little-endian)": (
        {"x.jsonl": codecs.BOM_UTF16_LE + (line() + line(id="k")).encode("utf-16-le")}, 2, None,
        ("x.jsonl", "UTF-16 text (byte-order mark)")),
    "UTF-16 JSON Lines (big-endian)": (
        {"x.jsonl": codecs.BOM_UTF16_BE + line().encode("utf-16-be")}, 1, None,
        ("x.jsonl", "UTF-16 text (byte-order mark)")),
    "UTF-16 text article": (
        {"x.txt": codecs.BOM_UTF16_LE + GOOD.replace("Tiêu đề", "Bài khác").encode("utf-16-le")},
        1, None, ("x.txt", "UTF-16 text (byte-order mark)")),
    "a text file of NUL bytes": ({"x.txt": b"\0" * 4096}, 0,
                                 ("x.txt", 1, "NUL bytes (byte 0): binary data"), None),
    "a JSON Lines file of NUL bytes": ({"x.jsonl": b"\0" * 4096}, 0,
                                       ("x.jsonl", 1, "NUL bytes (byte 0): binary data"), None),
    "gzip of one endless line": (
        {"x.jsonl.gz": gzip.compress(b"x" * (MIN_EXPANDED_BYTES + 2**21), compresslevel=9)}, 0,
        ("x.jsonl.gz", 1, "expands to more than 64 MB"), None),
    "gzip that expands past its bound": (
        {"x.jsonl.gz": gzip_of_blank_lines(MIN_EXPANDED_BYTES + 2**21)}, 0,
        ("x.jsonl.gz", MIN_EXPANDED_BYTES // 2**20 + 1, "expands to more than 64 MB"), None),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_each_hostile_input_is_reported_and_the_rest_indexed(tmp_path, kind):
    files, articles, skip, note = HOSTILE[kind]
    src = tmp_path / "src"
    write_files(src, {"good.txt": GOOD, **files})
    report = build([str(src)], tmp_path / "index")
    assert report.indexed == 1 + articles, report.as_dict()
    seen = [(Path(s.file).name, s.line, s.reason) for s in report.skipped]
    if skip is None:
        assert seen == []
    else:
        name, number, reason = skip
        assert [s for s in seen if s[0] == name and s[1] == number
                and s[2].startswith(reason)] and len(seen) == 1, seen
    notes = [(Path(n.file).name, n.message) for n in report.notes]
    if note:
        assert [n for n in notes if n[0] == note[0] and n[1].startswith(note[1])], notes
    else:
        assert notes == []


def test_a_number_id_and_text_from_utf16_are_searchable(tmp_path):
    src = tmp_path / "src"
    write_files(src, {"a.jsonl": line(id=12345, title="Số hiệu"),
                      "b.jsonl": codecs.BOM_UTF16_LE + line(id="u16", body="Nhà máy thủy điện")
                      .encode("utf-16-le")})
    root = tmp_path / "index"
    build([str(src)], root)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert client.get("/api/articles/12345").get_json()["title"] == "Số hiệu"
    hits = client.get("/api/search", query_string={"q": "thủy điện"}).get_json()["results"]
    assert [h["id"] for h in hits] == ["u16"]


def test_skips_listed_per_file_are_capped_and_the_log_keeps_its_history(tmp_path):
    src = tmp_path / "src"
    write_files(src, {"good.txt": GOOD,
                      "many.jsonl.gz": gzip.compress(b"[1]\n" * 5000 + line().encode())})
    root = tmp_path / "index"
    root.mkdir()
    (root / "indexer.log").write_text("2026-01-01 an earlier run\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "indexer", "build", str(src), "--index",
                          str(root), "--json", "--workers", "1"],
                         cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert summary["indexed"] == 2
    assert len(summary["skipped"]) == MAX_SKIPS_LISTED + 1
    assert summary["skipped"][-1]["reason"] == (
        f"and {5000 - MAX_SKIPS_LISTED} more skipped inputs of this file, not listed "
        f"(the first {MAX_SKIPS_LISTED} are)")
    log = (root / "indexer.log").read_text("utf-8")
    assert log.startswith("2026-01-01 an earlier run\n") and len(log) < 100_000
    assert not list(root.glob("indexer.log.*"))  # nothing rotated away


# -- the run itself fails -----------------------------------------------------------------------

FAILING_DISK = """
import sys
from whoosh.index import TOC

def write(self, storage, indexname):
    raise RuntimeError("the disk controller returned garbage")

TOC.write = write  # Whoosh failing, as a broken disk makes it fail
from indexer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_unexpected_failure_is_exit_2_with_the_traceback_in_log_and_summary(tmp_path):
    src = tmp_path / "src"
    write_files(src, {"good.txt": GOOD})
    root = tmp_path / "index"
    build([str(src)], root)
    live = store.live_generation(root)
    out = subprocess.run([sys.executable, "-c", FAILING_DISK, "build", str(src), "--index",
                          str(root), "--json", "--workers", "1"],
                         cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    summary = json.loads(out.stdout)
    assert summary["error"] == "RuntimeError: the disk controller returned garbage"
    assert summary["traceback"].startswith("Traceback (most recent call last):")
    assert summary["traceback"].endswith("RuntimeError: the disk controller returned garbage\n")
    log = (root / "indexer.log").read_text("utf-8")
    assert "build failed unexpectedly" in log and "Traceback (most recent call last)" in log
    assert store.live_generation(root) == live and len(store.generations(root)) == 1
    assert "the live index is unchanged" in out.stderr


# -- runs that would remove the archive ---------------------------------------------------------


def articles(count: int) -> dict[str, str]:
    return {f"a{n:02d}.txt": GOOD.replace("Tiêu đề bài viết", f"Bài số {n}") for n in range(count)}


def live_count(root: Path) -> int:
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    try:
        return ix.doc_count()
    finally:
        ix.close()


@pytest.fixture()
def archive(tmp_path) -> tuple[Path, Path]:
    """A source folder of 20 articles (a mounted disk) and its index."""
    src = tmp_path / "mnt"
    write_files(src, articles(20))
    root = tmp_path / "index"
    build([str(src)], root)
    return src, root


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args), "--workers", "1"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)


def test_an_update_of_an_emptied_source_refuses_and_keeps_the_live_index(archive):
    src, root = archive
    live = store.live_generation(root)
    for path in src.iterdir():  # the disk is unmounted: the mount point is an empty folder
        path.unlink()
    out = run_cli("update", src, "--index", root, "--json")
    assert out.returncode == 2
    summary = json.loads(out.stdout)
    assert summary["error"] == (
        "update refused: the new index would be empty, where 20 articles are live (an empty or "
        "unmounted source?); --max-remove all publishes it")
    assert summary["removed"] == 20 and summary["traceback"] is None
    log = (root / "indexer.log").read_text("utf-8")
    assert "ERROR update refused: the new index would be empty" in log and "Traceback" not in log
    assert store.live_generation(root) == live and live_count(root) == 20
    assert len(list((root / store.GENERATIONS).iterdir())) == 1  # the refused one is gone

    out = run_cli("update", src, "--index", root, "--max-remove", "all")
    assert out.returncode == 0, out.stderr
    assert live_count(root) == 0


def test_an_update_removing_more_than_the_limit_refuses(archive):
    src, root = archive
    for n in range(3):  # 3 of 20: 15%
        (src / f"a{n:02d}.txt").unlink()
    with pytest.raises(Refused, match=r"it would remove 3 of the 20 live articles, more than "
                                      r"the limit of 10% \(--max-remove\)"):
        update([str(src)], root)
    assert live_count(root) == 20
    report = update([str(src)], root, max_remove=RemovalLimit.parse("20%"))
    assert report.removed == 3 and live_count(root) == 17
    (src / "a03.txt").unlink()  # 1 of 17: within 10%
    assert update([str(src)], root).removed == 1


def test_a_build_of_an_empty_or_shrunken_source_refuses(archive, tmp_path):
    src, root = archive
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run_cli("build", empty, "--index", root)
    assert out.returncode == 2
    assert "build refused: the new index would be empty, where 20 articles are live" in out.stderr
    few = tmp_path / "few"
    write_files(few, articles(5))
    out = run_cli("build", few, "--index", root)
    assert out.returncode == 2
    assert "it would remove 15 of the 20 live articles, more than the limit of 10%" in out.stderr
    assert live_count(root) == 20
    out = run_cli("build", few, "--index", root, "--max-remove", "15")
    assert out.returncode == 0 and live_count(root) == 5


@pytest.mark.parametrize("limit, parsed", [
    ("10%", RemovalLimit(share=0.1)), ("250", RemovalLimit(share=None, count=250)),
    ("all", RemovalLimit(share=None)), (" 0% ", RemovalLimit(share=0.0)),
])
def test_removal_limits(limit, parsed):
    assert RemovalLimit.parse(limit) == parsed


@pytest.mark.parametrize("limit", ["ten", "-3", "150%", ""])
def test_bad_removal_limits_are_usage_errors(limit, tmp_path):
    out = run_cli("update", tmp_path, "--index", tmp_path / "ix", "--max-remove", limit)
    assert out.returncode == 2 and "--max-remove" in out.stderr and "e.g. 10%" in out.stderr


def without_file_permissions(command: list[str]) -> list[str]:
    """The command, run without root's power to read any folder (when run as root)."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search",
            *command]


@pytest.mark.parametrize("mode, skipped, kept_because", [
    (0o000, [("locked", "cannot list the folder: Permission denied; its articles are kept")],
     "its folder could not be read"),
    (0o444, [(f"b{n}.txt", "cannot read: Permission denied") for n in range(3)],  # not entered
     "its source file could not be read in full"),
])
def test_a_folder_that_cannot_be_listed_or_entered_is_skipped_and_its_articles_kept(
        tmp_path, mode, skipped, kept_because):
    src = tmp_path / "src"
    write_files(src, {**articles(3), **{f"locked/b{n}.txt": GOOD.replace(
        "Tiêu đề bài viết", f"Bài khóa {n}") for n in range(3)}})
    root = tmp_path / "index"
    build([str(src)], root)
    assert live_count(root) == 6
    (src / "locked").chmod(mode)
    try:
        out = subprocess.run(without_file_permissions(
            [sys.executable, "-m", "indexer", "update", str(src), "--index", str(root), "--json",
             "--workers", "1"]), cwd=PROJECT, capture_output=True, text=True, timeout=300)
    finally:
        (src / "locked").chmod(0o755)
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert [(Path(s["file"]).name, s["reason"]) for s in summary["skipped"]] == skipped
    assert (summary["removed"], summary["unchanged"], summary["kept_because"]) == (
        0, 3, {kept_because: 3})
    assert live_count(root) == 6


# -- files outside the sources ------------------------------------------------------------------


def test_links_out_of_the_sources_are_reported_and_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write_files(outside, {"secret.txt": GOOD.replace("Tiêu đề bài viết", "Mật khẩu máy chủ"),
                          "folder/c.txt": GOOD})
    other = tmp_path / "other"
    write_files(other, {"shared.txt": GOOD.replace("Tiêu đề bài viết", "Bài dùng chung")})
    src = tmp_path / "src"
    write_files(src, {"a.txt": GOOD})
    (src / "shadow.txt").symlink_to(outside / "secret.txt")
    (src / "folder").symlink_to(outside / "folder")
    (src / "readme").symlink_to(outside / "secret.txt")  # not an article file: passed over
    (src / "linked.txt").symlink_to(other / "shared.txt")  # inside another source named
    root = tmp_path / "index"
    report = build([str(src), str(other)], root)
    assert sorted((Path(s.file).name, s.reason) for s in report.skipped) == [
        ("folder", f"a link to {outside / 'folder'}, outside the sources: not followed"),
        ("shadow.txt", f"a link to {outside / 'secret.txt'}, outside the sources: not followed"),
    ]
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    with ix.searcher() as searcher:
        assert sorted(f["id"] for f in searcher.all_stored_fields()) == ["a", "linked", "shared"]
    ix.close()


def test_an_article_whose_link_now_leads_out_of_the_sources_is_removed(tmp_path):
    src = tmp_path / "src"
    write_files(src, {**articles(20), "kept/secret.txt": GOOD.replace("Tiêu đề", "Bí mật")})
    (src / "notice.txt").symlink_to(src / "kept" / "secret.txt")
    root = tmp_path / "index"
    build([str(src)], root)
    assert live_count(root) == 22
    outside = tmp_path / "etc"
    (src / "kept").rename(outside)  # the link now leads out of the sources
    (src / "notice.txt").unlink()
    (src / "notice.txt").symlink_to(outside / "secret.txt")
    report = update([str(src)], root, max_remove=RemovalLimit.parse("2"))
    assert [(Path(s.file).name, s.reason) for s in report.skipped] == [
        ("notice.txt", f"a link to {outside / 'secret.txt'}, outside the sources: not followed")]
    assert (report.removed, report.kept) == (2, {})  # secret.txt's folder went too
    assert live_count(root) == 20


def test_fifos_devices_and_sockets_are_never_read(tmp_path):
    src = tmp_path / "s"
    write_files(src, {"a.txt": GOOD})
    os.mkfifo(src / "x.jsonl")
    os.mkfifo(src / "named.rss")
    expected = [("named.rss", "a FIFO, not a file: not read"),
                ("x.jsonl", "a FIFO, not a file: not read")]
    if os.geteuid() == 0:  # only root makes device nodes
        os.mknod(src / "zero.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
        expected.append(("zero.txt", "a device, not a file: not read"))
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(src / "y.html"))
        expected.append(("y.html", "a socket, not a file: not read"))
        # run as a process of its own: a FIFO read would hang it, holding the index's lock
        out = run_cli("build", src, src / "named.rss", "--index", tmp_path / "ix", "--json")
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert summary["indexed"] == 1
    assert sorted((Path(s["file"]).name, s["reason"]) for s in summary["skipped"]) == sorted(
        [*expected, ("named.rss", "a FIFO, not a file: not read")])


# -- ids that could not be opened ---------------------------------------------------------------

ODD_IDS = ["https://tinnhanh.vn/thoi-su/gia-xang-1.html", "..", ".", "a/b/../c", "x" * 3000,
           "bài viết số 1", "tag:mof.gov.vn,2025:du-toan", "?q=1#top"]


def test_every_article_opens_at_the_link_the_site_and_the_api_give(tmp_path):
    feed = rss("<link>https://tinnhanh.vn/gia-xang.html</link><description>Giá xăng giảm mạnh."
               "</description>").replace("<guid>tn-1</guid>",
                                         "<guid>https://tinnhanh.vn/gia-xang.html</guid>")
    src = tmp_path / "src"
    write_files(src, {"tin.rss": feed, "ids.jsonl": "".join(
        line(id=source_id, title=f"Bài lạ {n}", body=f"Mã số lạ {n}.")
        for n, source_id in enumerate(ODD_IDS))})
    root = tmp_path / "index"
    report = build([str(src)], root)
    assert report.indexed == 1 + len(ODD_IDS) and report.skipped == []
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    hits = client.get("/api/search", query_string={"per_page": 100}).get_json()["results"]
    assert len(hits) == 1 + len(ODD_IDS) and len({h["id"] for h in hits}) == len(hits)
    for hit in hits:
        assert len(hit["id"]) <= 128 and hit["id"] not in (".", "..")
        page = client.get(f"/articles/{hit['id']}")
        assert page.status_code == 200 and hit["title"] in page.get_data(as_text=True)
        article = client.get(f"/api/articles/{hit['id']}").get_json()
        assert article["title"] == hit["title"]
    search_page = client.get("/?q=giá+xăng").get_data(as_text=True)
    (item,) = [h for h in hits if h["title"] == "Giá xăng giảm"]
    assert item["id"].startswith("tinnhanh-vn-gia-xang-html-")
    assert f'href="/articles/{item["id"]}"' in search_page
    # the source's own id stays with the article
    ix = whoosh_index.open_dir(str(store.live_generation(root)))
    with ix.searcher() as searcher:
        kept = {f["source_id"] or f["id"] for f in searcher.all_stored_fields()}
    ix.close()
    assert kept == {"https://tinnhanh.vn/gia-xang.html", *ODD_IDS}


def test_an_update_finds_an_article_again_by_its_source_id(tmp_path):
    src = tmp_path / "src"
    write_files(src, {"a.jsonl": line(id="https://bo.gov.vn/tin/1", body="Bản đầu.")})
    root = tmp_path / "index"
    build([str(src)], root)
    write_files(src, {"a.jsonl": line(id="https://bo.gov.vn/tin/1", body="Bản sửa.")})
    report = update([str(src)], root)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert live_count(root) == 1
