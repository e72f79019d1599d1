"""The README's Python client, run as written against a live server on the index of data/."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT, served
from webui import create_app


def readme_client() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Python client", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture()
def live_server(app):
    """The app served over HTTP on a free port of the loopback interface."""
    with served(app) as url:
        yield url


def test_the_readme_client_runs(live_server, monkeypatch, capsys):
    monkeypatch.setenv("NEWS_API", live_server)
    exec(compile(readme_client(), "README.md (Python client)", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "Khối thi đua các Bộ, ngành kinh tế Trung ương" in printed
    assert "Nghiêm Thị Hồng Nhung" in printed


def test_the_readme_client_runs_when_nothing_is_found(make_index, monkeypatch, capsys):
    root, _ = make_index({"tin.txt": "Mưa lớn ở miền núi\n\n(Mic.gov.vn) - Sáng ngày 2/3/2020, "
                                     "mưa lớn kéo dài ở các tỉnh miền núi phía Bắc.\n"})
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_UP": False})
    with served(app) as url:
        monkeypatch.setenv("NEWS_API", url)
        exec(compile(readme_client(), "README.md (Python client)", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.startswith("0 articles\n")
