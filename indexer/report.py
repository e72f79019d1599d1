"""What a run did, for people (text) and schedulers (JSON), and how it can fail."""

from __future__ import annotations

from dataclasses import dataclass, field

from .article import Skip
from .record import Notice


class BuildFailed(RuntimeError):
    """The run could not complete; the live index is untouched."""


class Refused(BuildFailed):
    """The run made a generation it must not publish (it would remove too much)."""


@dataclass
class BuildReport:
    """What a run did, for people (text) and schedulers (JSON)."""

    command: str = "build"
    indexed: int = 0  # articles written: added + updated
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: dict[str, int] = field(default_factory=dict)  # reason -> articles left as they were
    skipped: list[Skip] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    index: str = ""
    generation: str = ""
    articles: int = 0  # in the new live generation
    workers: int = 1
    full_build_because: str | None = None  # why an update built in full
    cleared: list[str] = field(default_factory=list)  # leftovers of a killed run
    error: str | None = None  # why the run failed or refused: nothing was published

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "indexed": self.indexed,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": sum(self.kept.values()),
            "kept_because": dict(self.kept),
            "skipped": [
                {"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped
            ],
            "notes": [{"file": n.file, "line": n.line, "note": n.message} for n in self.notes],
            "files": self.files,
            "articles": self.articles,
            "seconds": round(self.seconds, 3),
            "index": self.index,
            "generation": self.generation,
            "workers": self.workers,
            "full_build_because": self.full_build_because,
            "cleared": self.cleared,
            "error": self.error,
        }
