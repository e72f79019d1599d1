"""The naive baseline of ../shared/eval/README.md, folded: plain BM25 over syllables with every
accent folded away on both sides (``đ`` as ``d``), any word may match.

Built as a sparse term-document matrix (scipy), so that the 179k articles of ../shared/corpus
index in about a minute and a query scores in milliseconds; the matrix is cached beside the
benchmark's work folder when asked.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
from scipy import sparse

K1, B = 1.2, 0.75
_SYLLABLE = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lowercase, accents removed, đ as d."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(fold(text))


class FoldedBM25:
    """BM25 (k1 1.2, b 0.75) over folded syllables."""

    def __init__(self, ids: list[str], matrix: sparse.csc_matrix, vocabulary: dict[str, int]):
        self.ids = ids
        self.vocabulary = vocabulary
        lengths = np.asarray(matrix.sum(axis=1)).ravel().astype(np.float32)
        self.norm = K1 * (1 - B + B * lengths / max(lengths.mean(), 1.0))
        self.matrix = matrix
        df = np.diff(matrix.indptr)
        n = len(ids)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)

    @classmethod
    def build(cls, docs, cache: Path | None = None) -> "FoldedBM25":
        """From (id, text) pairs; with ``cache``, saved there and read back next time."""
        if cache is not None and cache.with_suffix(".npz").exists():
            return cls.load(cache)
        vocabulary: dict[str, int] = {}
        ids, rows, cols, counts_of = [], [], [], []
        for row, (doc_id, text) in enumerate(docs):
            ids.append(doc_id)
            counts: dict[int, int] = {}
            for s in syllables(text):
                col = vocabulary.setdefault(s, len(vocabulary))
                counts[col] = counts.get(col, 0) + 1
            rows.append(np.full(len(counts), row, np.int32))
            cols.append(np.fromiter(counts.keys(), np.int32, len(counts)))
            counts_of.append(np.fromiter(counts.values(), np.float32, len(counts)))
        matrix = sparse.csc_matrix(
            (np.concatenate(counts_of), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(ids), len(vocabulary)))
        found = cls(ids, matrix, vocabulary)
        if cache is not None:
            found.save(cache)
        return found

    def save(self, path: Path) -> None:
        sparse.save_npz(path.with_suffix(".npz"), self.matrix)
        words = sorted(self.vocabulary, key=self.vocabulary.get)
        path.with_suffix(".terms").write_text("\n".join(words), encoding="utf-8")
        path.with_suffix(".ids").write_text("\n".join(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "FoldedBM25":
        matrix = sparse.load_npz(path.with_suffix(".npz")).tocsc()
        words = path.with_suffix(".terms").read_text(encoding="utf-8").split("\n")
        ids = path.with_suffix(".ids").read_text(encoding="utf-8").split("\n")
        return cls(ids, matrix, {w: i for i, w in enumerate(words)})

    def top(self, query: str, k: int = 10) -> list[str]:
        scores = np.zeros(len(self.ids), np.float32)
        for s in dict.fromkeys(syllables(query)):
            col = self.vocabulary.get(s)
            if col is None:
                continue
            start, end = self.matrix.indptr[col], self.matrix.indptr[col + 1]
            docs = self.matrix.indices[start:end]
            tf = self.matrix.data[start:end]
            scores[docs] += self.idf[col] * tf * (K1 + 1) / (tf + self.norm[docs])
        if not scores.any():
            return []
        best = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [self.ids[i] for i in best if scores[i] > 0]

    def run(self, queries: list[str], k: int = 10) -> list[list[str]]:
        return [self.top(q, k) for q in queries]
