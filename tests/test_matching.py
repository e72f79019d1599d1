"""Finding an article however the reader types it: accents, variants, aliases, syntax."""

import unicodedata

import pytest

from indexer import analysis
from webui import create_app
from webui.core.generation import LiveIndex
from webui.core.hits import lead_syllables
from webui.core.query import parse
from webui.core.generation import live_mask
from webui.core.ranking import WINDOW_BONUS, PassageBonus, ProximityBonus
from webui.core.retrieval import retrieve
from webui.core.postings import postings
from webui.core.scoring import Evaluator
from webui.core.spelling import vocabulary
from indexer.aliases import alias_keys, find_aliases

from conftest import index_of


def article(title, body, date="2024-01-15", source="baochinhphu.vn"):
    day, month, year = date[8:], date[5:7], date[:4]
    return f"{title}\n\n({source}) - \n\nNgày {day}/{month}/{year}, {body}\n\nThu Hà\n"


ARTICLES = {
    "hoa-binh.txt": article("Giữ gìn hòa bình khu vực", "các nước cam kết giữ gìn hòa bình."),
    "hoa-hoc.txt": article("Olympic hóa học quốc tế", "học sinh đoạt huy chương hóa học."),
    "hoa-si.txt": article("Triển lãm của họa sĩ trẻ", "nhiều họa sĩ trẻ trưng bày tác phẩm."),
    "thuy-loi.txt": article("Nâng cấp công trình thuỷ lợi", "tỉnh đầu tư hệ thống thuỷ lợi mới."),
    "gtvt.txt": article("Bộ Giao thông vận tải họp về cao tốc",
                        "Bộ Giao thông vận tải đã họp bàn tiến độ cao tốc."),
    "gtvt-abbr.txt": article("Bộ GTVT kiểm tra cầu yếu", "Bộ GTVT yêu cầu kiểm tra cầu yếu.",
                             date="2019-05-02"),
    "tphcm.txt": article("Thành phố Hồ Chí Minh mở tuyến metro",
                         "Thành phố Hồ Chí Minh vận hành tuyến metro số 1."),
    "ubnd.txt": article("UBND tỉnh Quảng Nam họp báo", "UBND tỉnh Quảng Nam thông tin kết quả."),
    "phrase.txt": article("Diễn tập an toàn thông tin", "diễn tập an toàn thông tin năm nay."),
    "scattered.txt": article("Thông tin về an ninh và giao thông",
                             "thông tin cho người dân về an toàn giao thông và an ninh trật tự."),
    "hue.txt": article("Lễ hội Thừa Thiên Huế", "tỉnh Thừa Thiên Huế tổ chức lễ hội."),
    "danang.txt": article("Đà Nẵng đón khách quốc tế", "Đà Nẵng đón nhiều khách quốc tế.",
                          date="2025-06-01"),
    "lanterns-old.txt": article("Lễ hội đèn lồng phố cổ",
                                "lễ hội đèn lồng phố cổ thắp sáng nghìn chiếc đèn lồng.",
                                date="2016-04-30"),
    "lanterns-new.txt": article("Lễ hội đèn lồng phố cổ",
                                "lễ hội đèn lồng phố cổ khai mạc.", date="2026-10-01"),
    "emulation.txt": article("Phát động thi đua cuối năm", "cơ quan phát động thi đua."),
    "bring.txt": article("Trời mưa thì đưa trẻ vào nhà", "khi mưa to thì đưa trẻ vào nhà."),
    "person.txt": article("Thứ trưởng Đặng Thị Ngọc Thịnh dự hội nghị chuyển đổi số",
                          "Thứ trưởng Bộ Y tế Đặng Thị Ngọc Thịnh dự hội nghị chuyển đổi số."),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = index_of(tmp_path_factory.mktemp("articles"), ARTICLES)
    return create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()


def search(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, "per_page": 100, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(result):
    return [hit["id"] for hit in result["results"]]


def client_of(make_index, files: dict[str, str], **settings):
    """A test client on an index of the given articles."""
    root, _ = make_index(files)
    return create_app({"INDEX_DIR": str(root), "TESTING": True, **settings}).test_client()


@pytest.mark.parametrize("q, expected", [
    ("chuyen doi so", "person"),
    ("dang thi ngoc thinh", "person"),
    ("da nang", "danang"),
    ("DA NANG", "danang"),
    ("thuy loi", "thuy-loi"),
])
def test_queries_without_accents_find_accented_text(client, q, expected):
    assert ids(search(client, q))[0] == expected


def test_accented_query_matches_its_accents_unaccented_query_matches_any(client):
    # the exact form first; being rare here, the other accents follow it
    assert ids(search(client, "thi đua")) == ["emulation", "bring"]
    assert set(ids(search(client, "thi dua"))) == {"emulation", "bring"}
    # when the accents typed find nothing, any accents do
    assert ids(search(client, "thí đùa"))[0] in {"emulation", "bring"}


def test_other_accents_are_left_out_when_the_exact_form_is_common(make_index):
    from webui.core.retrieval import FEW_EXACT

    files = {f"emulation-{n}.txt": article(f"Phát động thi đua đợt {n}", "cơ quan thi đua.")
             for n in range(FEW_EXACT)}
    files["bring.txt"] = article("Trời mưa thì đưa trẻ vào nhà", "khi mưa thì đưa trẻ vào.")
    client = client_of(make_index, files)
    assert "bring" not in ids(search(client, "thi đua"))
    assert "bring" in ids(search(client, "thi dua"))


def test_accented_query_ranks_its_exact_form_first(client):
    assert ids(search(client, "hòa"))[0] == "hoa-binh"
    assert ids(search(client, "hóa"))[0] == "hoa-hoc"
    assert ids(search(client, "họa"))[0] == "hoa-si"
    # typed without accents, all three are found
    assert {"hoa-binh", "hoa-hoc", "hoa-si"} <= set(ids(search(client, "hoa")))


@pytest.mark.parametrize("q", [
    "thuỷ lợi", "thủy lợi", "THỦY LỢI", unicodedata.normalize("NFD", "thủy lợi"),
])
def test_tone_placement_case_and_unicode_form_do_not_matter(client, q):
    assert ids(search(client, q))[0] == "thuy-loi"


def test_old_and_new_tone_placement_find_each_other(client):
    assert ids(search(client, "hoà bình"))[0] == "hoa-binh"  # the article writes "hòa bình"


@pytest.mark.parametrize("q, expected", [("Nội", None), ("Thiên Huế", "hue"), ("Huế", "hue")])
def test_a_syllable_inside_a_word_is_found(client, q, expected):
    result = search(client, q)
    if expected:
        assert ids(result)[0] == expected
    else:
        assert result["total"] == 0  # no article names Hà Nội here


def test_the_phrase_ranks_above_scattered_syllables(client):
    found = ids(search(client, "an toàn thông tin"))
    assert found.index("phrase") < found.index("scattered")
    assert ids(search(client, "an toan thong tin"))[0] == "phrase"


def test_proximity_reads_the_syllables_the_indexer_stored(make_index):
    """The indexer stores the title's and the lead's syllables in order; ranking finds the
    query's pairs there, as it would in the text of an index written before they were stored."""
    root, _ = make_index({"a.txt": article("Hoà Bình: AN-TOÀN giao thông",
                                           "bảo đảm an toàn thông tin và giao thông.")})
    with LiveIndex(root) as live, live.generation().searcher() as searcher:
        fields = searcher.stored_fields(0)
    title, text = fields["syllables"]
    assert title == "hoà bình an toàn giao thông"
    assert text == "ngày 15 01 2024 bảo đảm an toàn thông tin và giao thông"
    older = {name: value for name, value in fields.items() if name != "syllables"}
    assert lead_syllables(older) == lead_syllables(fields)
    bonus = {}
    for q in ("an toàn giao thông", "an toan giao thong", "giao thông an toàn", "xe buýt điện"):
        proximity = ProximityBonus(parse(q))
        bonus[q] = proximity(fields)
        assert proximity(older) == bonus[q], q
    assert (bonus["an toàn giao thông"] == bonus["an toan giao thong"]
            > bonus["giao thông an toàn"] > bonus["xe buýt điện"] == 0)


FILLER = ("Mùa mưa năm nay đến sớm hơn mọi năm. Người dân vùng trũng đã chuẩn bị thuyền và "
          "lương thực. Chính quyền các xã thường trực suốt đêm. ")


def test_an_article_holding_the_query_in_one_passage_ranks_above_one_scattering_it(make_index):
    """The same words, as often, the same pairs side by side, the same length: the article
    that says them in one sentence is the one a reader who remembers that sentence means."""
    together = "lũ lụt ở Quảng Bình được cứu trợ kịp thời. " + FILLER * 3
    scattered = ("lũ lụt ở " + FILLER + "Quảng Bình được " + FILLER + "cứu trợ kịp thời. "
                 + FILLER)
    assert sorted(analysis.syllables(together)) == sorted(analysis.syllables(scattered))
    client = client_of(make_index, {"together.txt": article("Tin miền Trung", together),
                                    "scattered.txt": article("Tin miền Trung", scattered)})
    for q in ("cứu trợ Quảng Bình lũ lụt", "cuu tro quang binh lu lut",
              "vì sao Quảng Bình cứu trợ lũ lụt kịp thời"):
        assert ids(search(client, q)) == ["together", "scattered"], q
    with LiveIndex(client.application.config["INDEX_DIR"]) as live:
        gen = live.generation()
        with gen.searcher() as searcher:
            fields = {f["id"]: f for f in map(searcher.stored_fields, range(2))}
            evaluator = Evaluator(searcher, postings(gen), live_mask(gen))
            units = {q: retrieve(parse(q), evaluator, searcher.reader(), None, True).units
                     for q in ("Quảng Bình cứu trợ lũ lụt", "Quảng Bình cứu trợ lũ lụt 5/2021")}
    passage = PassageBonus(units["Quảng Bình cứu trợ lũ lụt"], vocabulary(gen))
    assert passage(fields["together"]) == pytest.approx(WINDOW_BONUS)  # all of it in one place
    assert 0 < passage(fields["scattered"]) < WINDOW_BONUS / 2
    # a date the query names is the article's date, not words to find beside the others
    dated = units["Quảng Bình cứu trợ lũ lụt 5/2021"]
    assert PassageBonus(dated, vocabulary(gen), dated=True)(fields["together"]) == \
        pytest.approx(WINDOW_BONUS)
    assert PassageBonus(dated, vocabulary(gen))(fields["together"]) < WINDOW_BONUS


@pytest.mark.parametrize("q, expected", [
    ("Bộ GTVT", {"gtvt", "gtvt-abbr"}),
    ("bộ giao thông vận tải", {"gtvt", "gtvt-abbr"}),
    ("bo gtvt", {"gtvt", "gtvt-abbr"}),
    ("TP.HCM metro", {"tphcm"}),
    ("tphcm", {"tphcm"}),
    ("Ủy ban nhân dân Quảng Nam", {"ubnd"}),
    ("uy ban nhan dan quang nam", {"ubnd"}),
])
def test_aliases_match_both_ways(client, q, expected):
    assert set(ids(search(client, q))) == expected


@pytest.mark.parametrize("q", ["Sở Giáo dục và Đào tạo Hoà Bình", "so gd-dt hoa binh",
                               "Sở GD&ĐT Hòa Bình"])
def test_a_field_of_a_ministry_matches_its_abbreviation(make_index, q):
    client = client_of(make_index, {
        "abbr.txt": article("Bắt trưởng phòng khảo thí Sở GD-ĐT Hoà Bình",
                            "Sở GD-ĐT tỉnh Hoà Bình có cán bộ bị bắt."),
        "full.txt": article("Sở Giáo dục và Đào tạo Hoà Bình họp",
                            "Sở Giáo dục và Đào tạo tỉnh Hoà Bình họp giao ban."),
        "other.txt": article("Sở Y tế Hoà Bình họp", "Sở Y tế tỉnh Hoà Bình họp giao ban."),
    })
    # the department's two spellings first; another department of the province after them
    assert set(ids(search(client, q))[:2]) == {"abbr", "full"}


def test_a_snippet_marks_the_form_the_article_writes(client):
    hits = {hit["id"]: hit for hit in search(client, "bo gtvt")["results"]}
    assert "<mark" in hits["gtvt"]["snippet"] + hits["gtvt"]["title_html"]
    assert "<mark" in hits["gtvt-abbr"]["snippet"] + hits["gtvt-abbr"]["title_html"]


def test_an_article_records_every_alias_form_it_writes():
    folded = analysis.folded("Bộ GTVT và Bộ Giao thông vận tải, cùng UBND tỉnh")
    keys = alias_keys(folded)
    # one key per occurrence, both forms; the field inside the name ("GTVT") counts too
    assert keys.count("bo_giao_thong_van_tai") == 2 and keys.count("gtvt") == 2
    assert keys.count("ubnd") == 1 and len(keys) == 5
    assert alias_keys(analysis.folded("giao thông")) == []


def test_alias_rule_finds_the_longest_form():
    folded = analysis.folded("họp tại Bộ Giao thông vận tải hôm qua")
    ((start, end, group),) = find_aliases(folded)
    assert folded[start:end] == ["bo", "giao", "thong", "van", "tai"]
    assert ("bo", "gtvt") in group


@pytest.mark.parametrize("q, expected", [
    ('"hòa bình"', {"hoa-binh"}),
    ("Olympic OR triển lãm", {"hoa-hoc", "hoa-si"}),
    ("hoa -họa", {"hoa-binh", "hoa-hoc"}),
    ("hoa NOT họa", {"hoa-binh", "hoa-hoc"}),
    ("title:metro", {"tphcm"}),
    ("ministry:GTVT", {"gtvt", "gtvt-abbr"}),
    ('ministry:"bo y te"', {"person"}),
    ('person:"Đặng Thị Ngọc Thịnh"', {"person"}),
    ("person:thinh", {"person"}),
    ("cao tốc ministry:GTVT", {"gtvt"}),
    ("chuyển*", {"person"}),
])
def test_query_language(client, q, expected):
    assert set(ids(search(client, q))) == expected


def test_or_of_accented_words_ranks_exact_forms_first(client):
    # folded matching is loose by design ("hoa" matches "họa"), the exact forms come first
    assert set(ids(search(client, "hòa OR hóa"))[:2]) == {"hoa-binh", "hoa-hoc"}


def test_field_words_are_not_searched_as_text(client):
    assert search(client, "title:")["total"] == len(ARTICLES)  # nothing to search: list all


def test_parse_keeps_words_together_for_segmentation():
    parsed = parse('hà nội "an toàn" -bão OR lũ title:huế')
    assert [c.text for c in parsed.groups[0]] == ["hà nội"]
    assert parsed.negated[0].text == "bão"


@pytest.mark.parametrize("q, suggestion", [
    ("hoa binh", "hoà bình"),
    ("dang thi ngoc thinh", "đặng thị ngọc thịnh"),
    ("hòa bìnhh", "hoà bình"),
])
def test_did_you_mean_is_offered(client, q, suggestion):
    result = search(client, q)
    assert result["suggestion"] == suggestion
    assert result["query"] == q  # never applied silently


@pytest.mark.parametrize("q", ["hòa bình", "Đà Nẵng", "xyzzyq", '"hoa binh"', "title:hoa"])
def test_no_suggestion_when_the_query_is_right_or_unknown(client, q):
    assert search(client, q)["suggestion"] is None


def test_did_you_mean_link_on_the_page(client):
    page = client.get("/", query_string={"q": "hoa binh"}).get_data(as_text=True)
    assert "hoà bình" in page


def test_recent_sort_favours_newer_articles_of_close_relevance(client):
    by_relevance = ids(search(client, "đèn lồng"))
    recent = ids(search(client, "đèn lồng", sort="recent"))
    assert by_relevance == ["lanterns-old", "lanterns-new"]  # it says "đèn lồng" twice
    assert recent == ["lanterns-new", "lanterns-old"]


@pytest.mark.parametrize("terms, expected", [
    ((("thi", "đua"), ()), "Chỉ thị về <mark>thi đua</mark> &amp; <mark>Thi Đua</mark>"),
    (((), ("thi", "dua")), "Chỉ <mark>thị</mark> về <mark>thi đua</mark> &amp; <mark>Thi Đua</mark>"),
    ((("hòa",), ()), "Chỉ thị về thi đua &amp; Thi Đua"),
])
def test_highlight_marks_exact_forms_of_accented_words(terms, expected):
    from webui.core.highlight import highlight

    assert highlight("Chỉ thị về thi đua & Thi Đua", terms, whole=True) == expected


def test_highlight_offsets_survive_tone_placement_and_escaping():
    from webui.core.highlight import highlight

    text = "<b>Hoà bình</b> & hòa bình"
    assert highlight(text, (("hòa", "bình"), ()), whole=True) == (
        "&lt;b&gt;<mark>Hoà bình</mark>&lt;/b&gt; &amp; <mark>hòa bình</mark>")


def test_nothing_found_is_not_called_relaxed(client):
    result = search(client, "xyzzyq plugh")
    assert result["total"] == 0 and result["relaxed"] is False


def test_unaccented_query_prefers_the_reading_its_best_matches_give(make_index, monkeypatch):
    import webui.core.ranking as search_module

    client = client_of(make_index, {
        "emulation-1.txt": article("Phát động thi đua yêu nước",
                                   "Cơ quan phát động phong trào thi đua yêu nước năm 2024."),
        "emulation-2.txt": article("Tổng kết phong trào thi đua",
                                   "Hội nghị tổng kết phong trào thi đua của khối."),
        "bring.txt": article("Thì đưa", "Thì đưa, thì đưa."),
    }, RESULT_CACHE=0)
    assert ids(search(client, "thi dua"))[-1] == "bring"
    # by term scores alone the short article would come first
    monkeypatch.setattr(search_module, "RESTORED_WEIGHT", 0)
    assert ids(search(client, "thi dua"))[0] == "bring"
