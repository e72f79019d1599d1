"""Finding the article in the reader's own words: every query word optional, weighed.

Searches go through the search core (webui.core.search) on a real index built in a temporary
folder; no web app.
"""

from __future__ import annotations

import pytest

from webui.core import LiveIndex, SearchRequest, search
import numpy as np

from webui.core.generation import days, live_mask
from webui.core.query import parse
from webui.core.retrieval import dates_named, retrieve, units_of
from webui.core.postings import postings
from webui.core.scoring import Evaluator
from webui.core.spelling import vocabulary

from conftest import index_of


def article(title: str, body: str, date: str = "2024-01-15") -> str:
    day, month, year = date[8:], date[5:7], date[:4]
    return f"{title}\n\n(baochinhphu.vn) - \n\nNgày {day}/{month}/{year}, {body}\n\nThu Hà\n"


ARTICLES = {
    "gold.txt": article("Giá vàng tăng mạnh trong tuần",
                        "giá vàng miếng tăng mạnh do nhu cầu mua vào của người dân."),
    "gold-tax.txt": article("Đề xuất đánh thuế giao dịch vàng",
                            "Bộ Tài chính đề xuất đánh thuế giao dịch vàng miếng."),
    "deputy.txt": article("Bổ nhiệm Thứ trưởng Bộ Tài chính",
                          "Thủ tướng bổ nhiệm ông Nguyễn Văn Phúc làm Thứ trưởng Bộ Tài chính."),
    "hanoi.txt": article("Hà Nội mở rộng tuyến xe buýt điện",
                         "thành phố Hà Nội mở thêm ba tuyến xe buýt điện nội đô."),
    "hcmc.txt": article("TP.HCM khởi công tuyến metro số 2",
                        "TP.HCM khởi công tuyến metro Bến Thành - Tham Lương."),
    "covid.txt": article("Ca mắc Covid-19 giảm dần ở miền Bắc",
                         "số ca mắc Covid-19 ở các tỉnh miền Bắc giảm dần."),
    "school.txt": article("Giáo dục đại học cần tự chủ",
                          "hội thảo bàn về tự chủ trong giáo dục đại học."),
    "delivery.txt": article("Người dân được giao đất ở tái định cư",
                            "các hộ dân được giao đất ở khu tái định cư mới."),
    "flood.txt": article("Lũ lớn tại Quảng Bình", "mưa lớn gây lũ tại Quảng Bình.",
                         date="2020-10-20"),
    "flood-old.txt": article("Lũ lớn tại Quảng Bình", "mưa lớn gây lũ tại Quảng Bình.",
                             date="2016-10-15"),
    "quote.txt": article("Phát biểu tại hội nghị", "ông nói: chúng ta phải đi nhanh hơn nữa."),
    "scattered.txt": article("Đi nhanh", "chúng ta cần đi xa; phải nhanh hơn và hơn nữa."),
    "nasa.txt": article("NASA công bố ngân sách năm tới",
                        "Cơ quan Hàng không Vũ trụ Mỹ (NASA) công bố ngân sách. NASA cho biết "
                        "ngân sách của NASA tăng."),
    "mars.txt": article("Trực thăng Ingenuity bay lần đầu trên sao Hỏa",
                        "chiếc trực thăng nhỏ của NASA cất cánh trên sao Hỏa."),
}


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    root = index_of(tmp_path_factory.mktemp("articles"), ARTICLES)
    with LiveIndex(root) as live:
        yield live.generation()


def find(generation, q: str, **request) -> list[str]:
    return [h["id"] for h in search(SearchRequest(q=q, **request), generation).hits]


def result(generation, q: str):
    return search(SearchRequest(q=q), generation)


def test_an_article_missing_a_word_is_still_found_and_ranked_by_how_much_it_holds(generation):
    # no article says "hôm qua"; the one holding every other word comes first, then the one
    # holding fewer of them
    assert find(generation, "hôm") == []
    found = find(generation, "giá vàng miếng tăng mạnh hôm qua")
    assert found[0] == "gold"
    assert find(generation, "đề xuất thuế vàng miếng tăng mạnh")[:2] == ["gold-tax", "gold"]


def test_a_question_finds_the_article_that_never_asks_it(generation):
    assert find(generation, "vì sao giá vàng tăng mạnh")[0] == "gold"
    assert find(generation, "ai được bổ nhiệm làm thứ trưởng bộ tài chính")[0] == "deputy"


def test_mixed_accents_find_the_article(generation):
    assert find(generation, "Hà Nội mo rong tuyen xe buýt điện")[0] == "hanoi"


@pytest.mark.parametrize("q, expected", [
    ("xe buýt điện Hanoi", "hanoi"),
    ("metro HCMC khởi công", "hcmc"),
    ("Covid19 miền Bắc giảm", "covid"),
])
def test_latin_and_joined_forms(generation, q, expected):
    assert find(generation, q)[0] == expected


def test_a_name_weighs_the_same_written_in_full_or_abbreviated(generation):
    """NASA's seven-syllable full name is one thing an article names, as rare as NASA: summing
    its syllables' rarity let it outweigh the rest of the query, so an article naming NASA
    held most of any query that spelt the name out."""
    def shares(q: str) -> list[float]:
        with generation.searcher() as searcher:
            evaluator = Evaluator(searcher, postings(generation), live_mask(generation))
            units = units_of(parse(q), searcher.reader(), vocabulary(generation),
                             lambda f, t: evaluator.postings.doc_frequency(searcher, f, t))
        total = sum(u.weight for u in units)
        return [round(u.weight / total, 6) for u in units]

    assert shares("Cơ quan Hàng không Vũ trụ Mỹ trực thăng sao Hỏa") == shares(
        "NASA trực thăng sao Hỏa")
    assert find(generation, "Cơ quan Hàng không Vũ trụ Mỹ trực thăng sao Hỏa")[0] == "mars"


def test_one_slip_of_a_letter_is_read_as_the_word(generation):
    assert find(generation, "tự chủ giáo dụcc đại học")[0] == "school"


def test_a_quoted_phrase_and_an_excluded_word_stay_strict(generation):
    assert find(generation, '"đi nhanh hơn nữa"') == ["quote"]
    assert set(find(generation, "đi nhanh hơn nữa")) >= {"quote", "scattered"}
    assert "gold" not in find(generation, "giá vàng -miếng")
    assert find(generation, "vàng -miếng") == []


def test_a_lone_unknown_word_is_offered_a_spelling_not_matched_as_another(generation):
    found = result(generation, "giáo dụcc")
    assert found.suggestion == "giáo dục"  # the closest real word, not "giao được"
    assert result(generation, "giaoo").total == 0


def test_did_you_mean_never_drops_an_or(generation):
    assert result(generation, "vàngg OR lũ").suggestion == "vàng OR lũ"


def test_a_date_the_query_names_ranks_that_article_first(generation):
    assert find(generation, "lũ lớn Quảng Bình tháng 10/2020")[0] == "flood"
    assert find(generation, "lũ lớn Quảng Bình năm 2016")[0] == "flood-old"


def test_dates_named_in_a_query():
    assert dates_named("lễ hội tháng 4/2017") == [(20170401, 20170431)]
    assert dates_named("ngày 23/3/2017") == [(20170323, 20170325)]
    assert dates_named("năm 2025") == [(20250101, 20251231)]
    assert dates_named("Covid-19 và 5G") == []


@pytest.mark.parametrize("q", [
    "giá vàng miếng tăng mạnh hôm qua", "vì sao giá vàng tăng", "đề xuất thuế vàng miếng",
    "ha noi xe buyt dien", "Hanoi tuyến xe buýt", "covid19 mien bac", "giáo dụcc đại học",
    '"đi nhanh" hơn nữa', "lũ Quảng Bình 10/2020", "vàng -thuế", "title:vàng tăng",
    "chúng ta phải đi nhanh", "ông Phúc thứ trưởng bộ tài chính được bổ nhiệm",
])
def test_pruned_retrieval_is_the_exhaustive_one(generation, q):
    """Scoring only the articles holding an essential unit finds and scores what scoring
    every article does."""
    with generation.searcher() as searcher:
        evaluator = Evaluator(searcher, postings(generation), live_mask(generation))

        def run(prune: bool):
            return retrieve(parse(q), evaluator, searcher.reader(), vocabulary(generation),
                            scored=True, days=days(generation), prune=prune)

        pruned, exhaustive = run(True), run(False)
    assert exhaustive.mask.any(), "a query that finds nothing tests nothing"
    assert np.array_equal(pruned.mask, exhaustive.mask)
    matched = exhaustive.mask
    assert np.allclose(pruned.score[matched], exhaustive.score[matched], rtol=1e-5)
    assert (pruned.relaxed, pruned.accents_loose) == (exhaustive.relaxed,
                                                       exhaustive.accents_loose)
