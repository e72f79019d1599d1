"""The README's Python client, run as written against a live server on the index of data/."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT, served


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
