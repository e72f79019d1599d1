"""The Vietnamese analysis shared by indexer and web app: exact terms and offsets."""

import unicodedata

import pytest

from indexer import analysis


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
