"""Fixtures: a real index built by the real indexer in a temporary folder, and the app on it."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from werkzeug.serving import make_server

from indexer.write import build
from webui import create_app

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
SHARED = PROJECT.parent / "shared"
SEED = DATA / "mic-2017-03-23.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip saying why the test cannot run."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the shared corpus in place")
    return path


def write_files(folder: Path, files: dict[str, str | bytes]) -> None:
    """Write article files (text as UTF-8, bytes as they are) under a folder."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def index_of(folder: Path, files: dict[str, str | bytes]) -> Path:
    """A real index, under ``folder``, of article files written there (name -> content)."""
    src, root = folder / "src", folder / "index"
    write_files(src, files)
    report = build([str(src)], root)
    assert report.indexed == len(files) and not report.skipped, report.as_dict()
    return root


@pytest.fixture(scope="session")
def data_index(tmp_path_factory) -> Path:
    """An index of data/ (the seed and the sample articles)."""
    root = tmp_path_factory.mktemp("index")
    report = build([str(DATA)], root)
    assert report.indexed >= 31 and not report.skipped, report.as_dict()
    return root


@pytest.fixture(scope="session")
def app(data_index):
    return create_app({"INDEX_DIR": str(data_index), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_index(tmp_path):
    """Build an index from articles written on the spot: make_index({"a.txt": "..."})."""

    def make(files: dict[str, str | bytes], **kwargs):
        src = tmp_path / "src"
        if src.exists():
            shutil.rmtree(src)
        src.mkdir()
        write_files(src, files)
        root = tmp_path / "index"
        report = build([str(src)], root, **kwargs)
        return root, report

    return make


@contextmanager
def served(app):
    """The app served over HTTP on a free loopback port, for clients that need a real server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
