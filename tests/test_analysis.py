"""The Vietnamese analysis shared by indexer and web app: exact terms and offsets."""

import gzip
import itertools
import json
import types
import unicodedata

import pytest

from conftest import DATA, shared_path
from indexer import analysis, segmenter


def spans(fn, text):
    return [(s.text, s.start, s.end) for s in fn(text)]


def test_words_compounds_punctuation_and_dates():
    text = "Sáng ngày 23/3/2017, tại Hà Nội, Thứ trưởng Phan Tâm đọc giao ước thi đua."
    assert spans(analysis.word_spans, text) == [
        ("sáng", 0, 4), ("ngày", 5, 9), ("23/3/2017", 10, 19), ("tại", 21, 24),
        ("hà_nội", 25, 31), ("thứ_trưởng", 33, 43), ("phan_tâm", 44, 52), ("đọc", 53, 56),
        ("giao_ước", 57, 65), ("thi_đua", 66, 73),
    ]


def test_words_abbreviations_stay_whole():
    text = "Bộ TT&TT, NHNN và TP.HCM ban hành Chỉ thị 34-CT/TW."
    got = spans(analysis.word_spans, text)
    assert ("tt&tt", 3, 8) in got
    assert ("nhnn", 10, 14) in got
    assert ("tp.hcm", 18, 24) in got
    assert ("34-ct/tw", 42, 50) in got
    for term, start, end in got:  # every offset lands on the characters it names
        assert text[start:end].lower().replace(" ", "_") == term


def test_offsets_point_into_nfd_input():
    nfc = "Đặng Thị Ngọc Thịnh phát biểu"
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc)
    got = spans(analysis.word_spans, nfd)
    assert [t for t, _, _ in got] == [t for t, _, _ in spans(analysis.word_spans, nfc)]
    for term, start, end in got:
        original = unicodedata.normalize("NFC", nfd[start:end]).lower().replace(" ", "_")
        assert analysis.normalize(original) == term
    assert got[0] == ("đặng_thị", 0, len(unicodedata.normalize("NFD", "Đặng Thị")))


def test_query_and_document_analysis_agree():
    assert analysis.words("hà nội") == analysis.words("Hà Nội") == ["hà_nội"]


@pytest.mark.parametrize("old, new", [
    ("hoà bình", "hòa bình"), ("thuỷ lợi", "thủy lợi"), ("khoẻ", "khỏe"),
    ("luỹ", "lũy"), ("tuỳ", "tùy"), ("Quý", "Qúy"), ("HOÀ", "HÒA"),
])
def test_tone_placements_are_one_word(old, new):
    assert analysis.syllables(old) == analysis.syllables(new)
    assert analysis.words(old) == analysis.words(new)


@pytest.mark.parametrize("word", ["hoàng", "thuyết", "ngoài", "khuya", "quỳnh", "toàn"])
def test_tone_placement_leaves_other_syllables(word):
    assert analysis.normalize(word) == word


@pytest.mark.parametrize("text, expected", [
    ("ngòai", "ngòai"),  # a vowel before: not an open oa syllable, left as written
    ("2hòa x²hòa", "2hoà x²hòa"),  # a digit starts a syllable; "²" counts as a letter
    ("nghòa_khỏe-thủy", "nghoà_khoẻ-thuỷ"),  # any onset of consonants; "_" and "-" separate
    ("HÒA Hòa hÒa", "HOÀ Hoà hOà"),
    ("hòan hòa", "hòan hoà"),  # a letter after: a closed syllable, both placements agree
])
def test_tone_placement_looks_at_the_whole_syllable(text, expected):
    assert analysis.normalize(text) == expected


def test_normalize_keeps_length_for_offsets():
    text = "Hòa bình – thủy lợi ‘khỏe’"
    assert len(analysis.normalize(text)) == len(text)


def test_fold_removes_every_accent_and_d_stroke():
    assert analysis.folded("Đặng Thị Ngọc Thịnh, Đà Nẵng") == [
        "dang", "thi", "ngoc", "thinh", "da", "nang"]
    assert analysis.has_accents("Hà Nội") and not analysis.has_accents("ha noi")


def test_syllables_inside_words():
    assert spans(analysis.syllable_spans, "Hà Nội!") == [("hà", 0, 2), ("nội", 3, 6)]


def test_whoosh_tokenizer_honours_the_contract():
    tokenizer = analysis.analyzer("syllables")
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in tokenizer("Hà Nội", positions=True, chars=True, start_pos=5,
                                 start_char=100)]
    assert tokens == [("hà", 5, 100, 102), ("nội", 6, 103, 106)]
    whole = [t.text for t in tokenizer("Hà Nội", tokenize=False)]
    assert whole == ["Hà Nội"]


# -- word segmentation: segmenter.segment is pyvi's tokenize ------------------------------------

_ARTICLE = (DATA / "mic-2017-03-23.txt").read_text("utf-8")

TRICKY = [
    "", " ", "\n\n", "\t \r\n", ".", "...", "!?!", "-", "_", "__init__ và snake_case", "a_b",
    "(*) [1] {x} <b> «Trích» “dẫn” – — …", "==> -> >> => <=> ...", "'", "\"", "%", "&",
    "23/3/2017", "Sáng 23/3/2017, chiều 5-4-2021, lúc 8h30 ngày 12.10.2024", "2017", "0",
    "1.234.567,89 đồng, 0,5% và 3_000", "x² ① ٣ １２３ Ⅻ", "Quý I/2024 tăng 6,5%",
    "Bộ TT&TT, Bộ GD&ĐT và NHNN", "TP.HCM, Tp. Hồ Chí Minh, Mr. Smith, ThS. Lê An, Dr. X",
    "Chỉ thị 34-CT/TW", "Covid-19", "COVID-19 và SARS-CoV-2", "covid 19",
    "Đặng Thị Ngọc Thịnh", "Nguyễn văn An", "nguyễn Văn an", "HÀ NỘI", "Hà Nội", "hà nội",
    "Hà nội", "iPhone của Apple", "McDonald's ở Sài Gòn", "Thứ trưởng Bộ Y tế Nghiêm Thị Hồng Nhung",
    "Tiếng Việt 中文 русский ελληνικά العربية ไทย", "ΟΔΟΣ ΑΣ Σ σΣ Σσ",
    "emoji 😀 👍🏽 cười 🇻🇳 ❤️ Hà Nội", "e-mail ban.bientap@mic.gov.vn, https://mic.gov.vn/a?b=1&c=2",
    "dòng một\ndòng hai\r\n\tdòng ba\n", "Hòa bình và hoà bình, thủy lợi, khỏe",
    unicodedata.normalize("NFD", "Đặng Thị Ngọc Thịnh phát biểu tại Hà Nội"),
    "Hà Nội " * 3000, _ARTICLE * 5,
]


@pytest.fixture(scope="module")
def pyvi():
    from pyvi import ViTokenizer

    return ViTokenizer


def _different(pyvi, texts):
    """The texts that segmenter.segment does not segment exactly as pyvi's tokenize."""
    assert segmenter._pyvi()[1] is not None, "pyvi's internals are missing: only the fallback ran"
    return [text for text in texts if segmenter.segment(text) != pyvi.tokenize(text)]


def test_segmentation_is_pyvis_on_tricky_texts(pyvi):
    texts = TRICKY + [analysis.normalize(text) for text in TRICKY]
    assert _different(pyvi, texts) == []
    for text in TRICKY:  # what the analysis reads
        assert analysis._pyvi_tokens(text) == pyvi.tokenize(text).split()


def test_segmentation_is_pyvis_on_every_line_of_data(pyvi):
    texts = []
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        content = path.read_text("utf-8")
        texts += [content, *content.splitlines()]  # whole files, titles and body lines
    assert len(texts) > 2000
    assert _different(pyvi, texts) == []


def test_segmentation_is_pyvis_on_the_shared_corpus(pyvi):
    texts = []
    for path in sorted(shared_path("corpus").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in itertools.islice(lines, 300):  # ~2,000 texts, a few seconds
                record = json.loads(line)
                texts += [record[key] for key in ("title", "summary", "body") if record.get(key)]
    assert len(texts) > 1500
    assert _different(pyvi, texts) == []


def test_features_are_pyvis_without_the_false_ones(pyvi):
    tokenizer = pyvi.ViTokenizer
    for text in TRICKY:
        _, syllables = tokenizer.sylabelize(text)
        expected = [[(key, value) for key, value in f.items() if value is not False]
                    for f in tokenizer.sent2features(syllables, False)]
        got = segmenter.features(syllables, tokenizer.bi_grams, tokenizer.tri_grams)
        assert [list(f.items()) for f in got] == expected  # the same keys in the same order


def test_segmentation_falls_back_to_pyvis_tokenize(pyvi, monkeypatch):
    assert segmenter.internals(pyvi) is not None
    other = types.SimpleNamespace(ViTokenizer=types.SimpleNamespace(
        sylabelize=pyvi.ViTokenizer.sylabelize, bi_grams=set(), tri_grams=set(), model=None),
        tokenize=lambda text: "một_pyvi khác")
    assert segmenter.internals(other) is None  # no CRF tagger where pyvi 0.1.1 has it
    assert segmenter.internals(types.SimpleNamespace(tokenize=other.tokenize)) is None
    monkeypatch.setattr(segmenter, "_pyvi", lambda: (other, segmenter.internals(other)))
    assert analysis._pyvi_tokens("Hà Nội") == ["một_pyvi", "khác"]

    monkeypatch.setattr(segmenter, "_pyvi", lambda: (pyvi, None))
    for text in TRICKY:
        assert analysis._pyvi_tokens(text) == pyvi.tokenize(text).split()
