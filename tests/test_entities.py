"""Entity extraction: ministries, persons and dates, rule by rule and trap by trap; the gold set."""

import datetime as dt
import importlib.util
import json
import sys

import pytest
from markupsafe import escape

from conftest import DATA, PROJECT, SEED, shared_path
from indexer import dates, parse
from indexer.article import Article
from indexer.extract import (
    GAZETTEER_DIR, byline, extract, find_persons, gazetteer, is_vietnamese_syllable,
)
from indexer.schema import NO_DATE, document
from indexer.sources import read_records
from webui import create_app


def ministries(text: str) -> list[str]:
    return gazetteer().find(text)


# -- the gazetteer ------------------------------------------------------------------------------

BEFORE_2025 = [
    "Bộ Quốc phòng", "Bộ Công an", "Bộ Ngoại giao", "Bộ Nội vụ", "Bộ Tư pháp",
    "Bộ Kế hoạch và Đầu tư", "Bộ Tài chính", "Bộ Công Thương",
    "Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Giao thông vận tải", "Bộ Xây dựng",
    "Bộ Tài nguyên và Môi trường", "Bộ Thông tin và Truyền thông",
    "Bộ Lao động - Thương binh và Xã hội", "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ", "Bộ Giáo dục và Đào tạo", "Bộ Y tế", "Ủy ban Dân tộc",
    "Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ", "Văn phòng Chính phủ",
]
SINCE_2025 = ["Bộ Nông nghiệp và Môi trường", "Bộ Dân tộc và Tôn giáo"]


def test_gazetteer_holds_every_ministry_before_and_after_the_reorganisation():
    names = [m.name for m in gazetteer().ministries]
    assert sorted(names) == sorted(BEFORE_2025 + SINCE_2025)
    current = [m.name for m in gazetteer().ministries if not m.until]
    assert len(current) == 17  # 14 ministries and 3 ministerial-level agencies since 1 March 2025


def test_gazetteer_is_consistent():
    data = json.loads((GAZETTEER_DIR / "ministries.json").read_text(encoding="utf-8"))
    names = {m["name"] for m in data["ministries"]}
    aliases = [a for m in data["ministries"] for a in m.get("aliases", [])]
    assert len(aliases) == len(set(aliases)) and not names & set(aliases)
    for m in data["ministries"]:
        assert set(m.get("successors", [])) <= names, m["name"]
        assert bool(m.get("until")) == bool(m.get("successors")), m["name"]
        assert ministries(m["name"]) == [m["name"]]
        for alias in m.get("aliases", []):
            assert ministries(alias) == [m["name"]], alias


@pytest.mark.parametrize("name, predecessors", [
    ("Bộ Xây dựng", {"Bộ Giao thông vận tải"}),
    ("Bộ Tài chính", {"Bộ Kế hoạch và Đầu tư"}),
    ("Bộ Nông nghiệp và Môi trường",
     {"Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Tài nguyên và Môi trường"}),
    ("Bộ Khoa học và Công nghệ", {"Bộ Thông tin và Truyền thông"}),
    ("Bộ Dân tộc và Tôn giáo", {"Ủy ban Dân tộc"}),
    ("Bộ Nội vụ", {"Bộ Lao động - Thương binh và Xã hội"}),
    ("Bộ Quốc phòng", set()),
])
def test_with_predecessors(name, predecessors):
    found = gazetteer().with_predecessors(name)
    assert found[0] == name and set(found[1:]) == predecessors


# -- names through a real index -----------------------------------------------------------------

def test_every_canonical_name_comes_back_as_written(make_index):
    """Indexer, Whoosh and the web app give back each gazetteer name as the gazetteer writes it,
    commas included ("Bộ Văn hóa, Thể thao và Du lịch"), in facets, filters and articles."""
    names = [m.name for m in gazetteer().ministries]
    lines = [json.dumps({"id": f"m{i}", "title": f"Tin {i}", "date": "2024-05-06",
                         "body": f"Đại diện {name} phát biểu tại hội nghị."}, ensure_ascii=False)
             for i, name in enumerate(names)]
    # all of them in one article: the stored list keeps them apart
    lines.append(json.dumps({"id": "all", "title": "Tất cả", "date": "2024-05-07",
                             "body": "\n".join(f"Đại diện {n} phát biểu." for n in names)},
                            ensure_ascii=False))
    root, report = make_index({"names.jsonl": "\n".join(lines) + "\n"})
    assert report.indexed == len(names) + 1 and not report.skipped
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()

    facet = client.get("/api/facets/ministry", query_string={"prefix": "", "limit": 100}).get_json()
    assert {v["value"]: v["count"] for v in facet["values"]} == {n: 2 for n in names}
    assert client.get("/api/articles/all").get_json()["ministries"] == names
    for i, name in enumerate(names):
        assert client.get(f"/api/articles/m{i}").get_json()["ministries"] == [name]
        found = client.get("/api/search", query_string={"ministry": name, "facet_size": 100})
        result = found.get_json()
        assert sorted(hit["id"] for hit in result["results"]) == sorted(["all", f"m{i}"])
        assert all(name in hit["ministries"] for hit in result["results"])
        assert {v["value"] for v in result["facets"]["ministry"]} == set(names)
        typed = client.get("/api/search", query_string={"q": f'ministry:"{name}"'}).get_json()
        assert sorted(hit["id"] for hit in typed["results"]) == sorted(["all", f"m{i}"])
        page = client.get(f"/articles/m{i}").get_data(as_text=True)
        assert f">{escape(name)}</a>" in page


# -- ministries: the rules ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # full names, and capitalisation and separator variants
    ("Bộ Thông tin và Truyền thông tổ chức hội nghị", ["Bộ Thông tin và Truyền thông"]),
    ("Bộ Giao thông Vận tải", ["Bộ Giao thông vận tải"]),
    ("Timo hợp tác Bộ Nông Nghiệp và Môi Trường", ["Bộ Nông nghiệp và Môi trường"]),
    ("Bộ Thông tin - Truyền thông, Bộ Thông tin truyền thông", ["Bộ Thông tin và Truyền thông"]),
    ("Bộ Lao động-Thương binh và Xã hội", ["Bộ Lao động - Thương binh và Xã hội"]),
    ("Bộ Lao động, Thương binh và Xã hội (cũ)", ["Bộ Lao động - Thương binh và Xã hội"]),
    ("Bộ Tài nguyên - môi trường", ["Bộ Tài nguyên và Môi trường"]),
    ("Bộ Kế hoạch - đầu tư", ["Bộ Kế hoạch và Đầu tư"]),
    ("Bộ Văn hoá, Thể thao và Du lịch", ["Bộ Văn hóa, Thể thao và Du lịch"]),
    ("Bộ Hòa bình", []),
    # abbreviations
    ("Bộ TT&TT và Bộ TT-TT", ["Bộ Thông tin và Truyền thông"]),
    ("Bộ GD&ĐT, Bộ GDĐT, Bộ GD-ĐT", ["Bộ Giáo dục và Đào tạo"]),
    ("Bộ LĐ-TB&XH", ["Bộ Lao động - Thương binh và Xã hội"]),
    ("Bộ LĐ - TB & XH", ["Bộ Lao động - Thương binh và Xã hội"]),
    ("Bộ VH-TT&DL", ["Bộ Văn hóa, Thể thao và Du lịch"]),
    ("Bộ NN&PTNT", ["Bộ Nông nghiệp và Phát triển nông thôn"]),
    ("Thống đốc NHNN chủ trì", ["Ngân hàng Nhà nước Việt Nam"]),
    ("văn bản số 351/TB-VPCP", ["Văn phòng Chính phủ"]),
    ("TTCP kết luận", ["Thanh tra Chính phủ"]),
    # titles
    ("Bộ trưởng Bộ Y tế phát biểu", ["Bộ Y tế"]),
    ("Thứ trưởng Bộ TT&TT dự họp", ["Bộ Thông tin và Truyền thông"]),
    ("Bộ trưởng Y tế cho biết", ["Bộ Y tế"]),
    ("theo bộ trưởng Thông tin và truyền thông Trương Minh Tuấn", ["Bộ Thông tin và Truyền thông"]),
    ("nguyên Bộ trưởng KH & ĐT", ["Bộ Kế hoạch và Đầu tư"]),
    ("Bộ trưởng Bộ Quốc phòng Phan Văn Giang", ["Bộ Quốc phòng"]),
    # lower case where the rest of the name is capitalised
    ("theo bộ Công an", ["Bộ Công an"]),
    ("cơ quan điều tra bộ Công an", ["Bộ Công an"]),
    ("thanh tra Chính phủ vào cuộc", ["Thanh tra Chính phủ"]),
    # sub-units that name their ministry
    ("Cục Cảnh sát giao thông (Bộ Công an)", ["Bộ Công an"]),
    ("Cục Quản lý Khám chữa bệnh - Bộ Y tế", ["Bộ Y tế"]),
    ("Cục Giám sát và Thẩm định (Cục XIII), Thanh tra Chính phủ", ["Thanh tra Chính phủ"]),
    ("Vụ Truyền thông Ngân hàng Nhà nước", ["Ngân hàng Nhà nước Việt Nam"]),
    # elliptical lists
    ("Bộ Công Thương, Tài chính và Ngân hàng Nhà nước xây dựng",
     ["Bộ Công Thương", "Bộ Tài chính", "Ngân hàng Nhà nước Việt Nam"]),
    ("các bộ Công an, Quốc phòng, Y tế", ["Bộ Công an", "Bộ Quốc phòng", "Bộ Y tế"]),
    ("Bộ Y tế, Công an tỉnh Hà Nam", ["Bộ Y tế"]),
    # a former ministry keeps its own name, even in a 2026 article
    ("Bộ GTVT cũ (nay là Bộ Xây dựng)", ["Bộ Giao thông vận tải", "Bộ Xây dựng"]),
    ("Thứ trưởng Bộ GTVT Nguyễn Danh Huy", ["Bộ Giao thông vận tải"]),
    ("Bộ Nông nghiệp và Môi trường, Bộ Dân tộc và Tôn giáo",
     ["Bộ Nông nghiệp và Môi trường", "Bộ Dân tộc và Tôn giáo"]),
    # NFD input and the other tone placement are the same text
    ("Bộ Văn hóa, Thể thao và Du lịch".replace("ó", "o\u0301"),
     ["Bộ Văn hóa, Thể thao và Du lịch"]),
    ("Bộ Văn hoá, Thể thao và Du lịch", ["Bộ Văn hóa, Thể thao và Du lịch"]),
])
def test_ministry_rules(text, expected):
    assert ministries(text) == expected


@pytest.mark.parametrize("text", [
    "Bộ Ngoại giao Mỹ",
    "Bộ Quốc phòng Nga",
    "Bộ Giao thông vận tải Trung Quốc thông báo",
    "Bộ Giao thông Liên bang Úc",
    "Bộ trưởng Y tế Ấn Độ Harsh Vardhan",
    "Bộ trưởng Nội vụ Pakistan",
    "Bộ trưởng Y tế Robert F. Kennedy Jr.",  # a foreign minister without a country
    "phát ngôn viên Bộ Quốc phòng Jens Flosdorff",
    "Bộ Chính trị",
    "ủy viên Bộ Chính trị",
    "Điều 260 Bộ luật Hình sự",
    "Bộ luật Lao động",
    "bộ đội biên phòng",
    "bộ phận một cửa",
    "Bộ môn Phẫu thuật Tạo hình",
    "Bộ Chỉ huy quân sự tỉnh Quảng Trị",
    "Bộ tư lệnh Quân đoàn 3",
    "Sở Y tế Hà Nội",
    "Sở GTVT Nghệ An",
    "Sở Kế hoạch và Đầu tư Hà Nội",
    "Phòng GD-ĐT quận",
    "Công an TPHCM",
    "cán bộ tài chính",
    "bộ trưởng y tế",
    "Bộ đã triển khai",  # a bare "Bộ"
    "Chính phủ và Thủ tướng",
    "Uỷ ban Tư pháp Quốc hội",
    "ngân hàng TMCP Nhà nước",
    "các ngân hàng nhà nước",
    "(Mic.gov.vn) - Bộ",
    "Nhnn",
])
def test_not_ministries(text):
    assert ministries(text) == []


# -- persons: the rules -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # titles and honorifics stripped
    ("Thứ trưởng Phan Tâm đọc giao ước.", ["Phan Tâm"]),
    ("đồng chí Đặng Thị Ngọc Thịnh phát biểu", ["Đặng Thị Ngọc Thịnh"]),
    ("Đại tướng Phan Văn Giang dâng hương", ["Phan Văn Giang"]),
    ("PGS.TS Nguyễn Trúc Lê, Hiệu trưởng", ["Nguyễn Trúc Lê"]),
    ("GS.TS. BS Nguyễn Tấn Bỉnh cho rằng", ["Nguyễn Tấn Bỉnh"]),
    ("Ông Trương Gia Bình, Chủ tịch", ["Trương Gia Bình"]),
    # the organisation between the title and the name
    ("Thứ trưởng Bộ TT&TT Phan Tâm nhấn mạnh", ["Phan Tâm"]),
    ("Thứ trưởng Bộ GTVT Nguyễn Nhật", ["Nguyễn Nhật"]),
    ("gửi Chủ nhiệm Uỷ ban Tư pháp Quốc hội Lê Thị Nga.", ["Lê Thị Nga"]),
    ("Phó Chủ tịch thường trực UBND TP. Hồ Chí Minh Lê Thanh Liêm ký", ["Lê Thanh Liêm"]),
    ("Phó Giám đốc ĐHQG Hà Nội Nguyễn Hoàng Hải", ["Nguyễn Hoàng Hải"]),
    ("Chủ tịch UBND tỉnh Gia Lai Võ Ngọc Thành", ["Võ Ngọc Thành"]),
    ("Phó Chủ tịch UBND tỉnh Vi Thị Lan cho biết", ["Vi Thị Lan"]),
    ("Thứ trưởng Lã Văn Lực và Đại tá Thân Quốc Vinh", ["Lã Văn Lực", "Thân Quốc Vinh"]),
    # a full name without a title: three syllables from a family name
    ("; Thào Xuân Sùng, Ủy viên TW Đảng", ["Thào Xuân Sùng"]),
    # later short references are the same person
    ("Thứ trưởng Phan Tâm đọc giao ước. Ông Tâm cho biết", ["Phan Tâm"]),
    ("đồng chí Đặng Thị Ngọc Thịnh phát biểu; bà Thịnh nhấn mạnh", ["Đặng Thị Ngọc Thịnh"]),
    ("PGS.TS Trúc Lê cho rằng... PGS.TS Nguyễn Trúc Lê", ["Nguyễn Trúc Lê"]),
    ("cháu Bảo Trân đã mang... em Nguyễn Ngọc Bảo Trân", ["Nguyễn Ngọc Bảo Trân"]),
    ("bà Đỗ Thị Kim Liên (hay còn gọi là Shark Liên)", ["Đỗ Thị Kim Liên"]),
    ("Chủ tịch Hồ Chí Minh. Hồ Chủ tịch, Bác Hồ", ["Hồ Chí Minh"]),
    ("Hoà bình, hòa bình: ông Nguyễn Hoà Bình và ông Nguyễn Hòa Bình", ["Nguyễn Hoà Bình"]),
    # foreign names, after a title (with their country) or an honorific
    ("Tổng thống Emmanuel Macron thăm Hà Nội", ["Emmanuel Macron"]),
    ("Tổng thống Mỹ Joe Biden cho biết", ["Joe Biden"]),
    ("Ngoại trưởng Australia Marise Payne tuyên bố", ["Marise Payne"]),
    ("Bộ trưởng Y tế Ấn Độ Harsh Vardhan cho biết", ["Harsh Vardhan"]),
    ("Người phát ngôn Bộ Ngoại giao Mỹ Ned Price", ["Ned Price"]),
    ("Chủ tịch Trung Quốc Tập Cận Bình", ["Tập Cận Bình"]),
    ("ông Uông Văn Bân, phát ngôn viên", ["Uông Văn Bân"]),
    ("Ông Pierre Flamen (hiện sống tại Montreuil)", ["Pierre Flamen"]),
    ("HLV Ariel Perdiechizi và trọng tài Nicolás Kresta", ["Ariel Perdiechizi", "Nicolás Kresta"]),
    ("Bộ trưởng Y tế Robert F. Kennedy Jr. đã", ["Robert F. Kennedy Jr."]),
    ("Bà Kim Yo-jong, em gái", ["Kim Yo-jong"]),
    ("Tướng Vincent K. Brooks, tư lệnh", ["Vincent K. Brooks"]),
    ("Giám đốc Điều hành (GĐĐH) Richard Masters", ["Richard Masters"]),
    ("Chủ tịch HĐND TP Nguyễn Thị Quyết Tâm đã yêu cầu", ["Nguyễn Thị Quyết Tâm"]),
    # a title after the name
    ("Jamie Carragher, bình luận viên của kênh Sky Sport", ["Jamie Carragher"]),
    ("là Florentino Perez, chủ tịch CLB Real Madrid", ["Florentino Perez"]),
    ("Real Madrid, chủ tịch Florentino Perez cho biết", ["Florentino Perez"]),
    ("Ed Woodward (Phó chủ tịch Man Utd) và Tom Werner", ["Ed Woodward"]),
    ("Trao đổi với Tuổi Trẻ Online, GS.TSKH. Nguyễn Ngọc Lung", ["Nguyễn Ngọc Lung"]),
    # foreign titles, and what stands between them and the name
    ("Thư ký Báo chí Nhà Trắng Jen Psaki cho biết", ["Jen Psaki"]),
    ("Đệ nhất phu nhân Jill Biden, Đệ nhị phu quân Douglas Emhoff cũng tham dự",
     ["Jill Biden", "Douglas Emhoff"]),
    ("gồm Chủ tịch Hạ viện Nancy Pelosi, Chủ tịch Thượng viện Patrick Leahy",
     ["Nancy Pelosi", "Patrick Leahy"]),
    ("xuất hiện khi nhà báo Sean Ingle của tờ The Guardian tiết lộ", ["Sean Ingle"]),
    ("các tên tuổi như Sir Alex Ferguson, Ferdinand", ["Alex Ferguson"]),
    # the official of a club or a body named before the name
    ("Phó chủ tịch Man Utd Ed Woodward cũng bị chỉ trích", ["Ed Woodward"]),
    ('Chủ tịch Juventus, Andrea Agnelli: "Tôi không muốn', ["Andrea Agnelli"]),
    ("Ngoài Agnelli, Chủ tịch UEFA, Aleksander Ceferin, lên án", ["Aleksander Ceferin"]),
    ("Chủ tịch Ủy ban nhân dân tỉnh Phạm Thiện Nghĩa yêu cầu", ["Phạm Thiện Nghĩa"]),
    # two spellings of one foreign name are one person; of a Vietnamese name, two persons
    ("Chủ tịch UEFA Aleksander Ceferin ... Chủ tịch UEFA Alexander Ceferin thề",
     ["Aleksander Ceferin"]),
    ("ông Warren Buffett và ông Warren Buffet", ["Warren Buffett"]),
    ("ông Nguyễn Văn An và ông Nguyễn Văn Anh", ["Nguyễn Văn An", "Nguyễn Văn Anh"]),
    # a person the text also names a place after, where a title introduces him
    ("Chủ tịch Tôn Đức Thắng. Trường ĐH Tôn Đức Thắng", ["Tôn Đức Thắng"]),
    ("Ông Lý Á Bằng cho biết. Thái Hoà yêu cầu Lý Á Bằng trả tiền", ["Lý Á Bằng"]),
    ("hai mẹ Việt Nam anh hùng Phan Thị So và Lê Thị Truyền (huyện Củ Chi).",
     ["Phan Thị So", "Lê Thị Truyền"]),
    ("Cử tri Hồ Quang Chính (quận 3) thì kiến nghị", ["Hồ Quang Chính"]),
    # foreign names listed beside a person's, and what is listed beside one but no person
    ("các tên tuổi như Mesut Özil, Arsène Wenger và Sir Alex Ferguson",
     ["Mesut Özil", "Arsène Wenger", "Alex Ferguson"]),
    ("các cầu thủ Andre Herreira, James Milner... cũng", ["Andre Herreira", "James Milner"]),
    ("ông Harry Kane, The Hobbit, Miss Earth, Mẹ Sumo, Đắk Lắk và Lafelle Limited",
     ["Harry Kane"]),
    ("Đầu tháng 9, Phạm Trọng Nghĩa, Quảng Ngãi, có chuyến", ["Phạm Trọng Nghĩa"]),
])
def test_person_rules(text, expected):
    assert find_persons(text) == expected


@pytest.mark.parametrize("text", [
    # places, streets, schools, parks, museums, addresses named after people
    "tại TP Hồ Chí Minh, TP. Hồ Chí Minh và TP.\nHồ Chí Minh",
    "trên đường Lê Lợi và Đường Lê Lợi",
    "đường Võ Văn Kiệt, phường Phạm Ngũ Lão",
    "trường Nguyễn Du, trường THPT Nguyễn Du, Trường THPT Phan Chu Trinh",
    "Trường THCS Nguyễn Duy Hiệu",
    "công viên Lê Thị Riêng",
    "Bảo tàng Hồ Chí Minh",
    "công viên tượng đài Chủ tịch Hồ Chí Minh",
    "số 5 Trần Thánh Tông, Hà Nội",
    "số 8B phố Lê Trực",
    "sân bay quốc tế Indira Gandhi",
    "Viện Pasteur TP HCM",
    # organisations and companies
    "tập đoàn Lã Vọng",
    "Ban Tuyên giáo Trung ương",
    "Cục Thuế Bắc Ninh",
    "Giám đốc marketing Saigon Co.op",
    "Bộ Nông Nghiệp và Môi Trường",
    # countries and places after titles
    "Chủ tịch Hà Nội và Chủ tịch UBND TP Hội An",
    "Tổng thống Mỹ Trump",
    "Hà Lan, Nhật Bản, Bồ Đào Nha, Chu Lai, Yên Bái",
    "Tết Đinh Dậu 2017",
    "trận đấu giữa Serbia và Bồ Đào Nha",
    "Chủ tịch Uỷ ban châu Âu Ursula von der Leyen",
    "ông tuyên bố European Super League sẽ",
    "Trường THPT chuyên Lê Hồng Phong",
    "Theo tờ Sky Sports, Giám đốc điều hành",
    "Taiwan Semiconductor Manufacturing Inc, nhà sản xuất chip",
    # clubs and competitions
    "Lúc này, European Super League chỉ còn 4 đội: Real Madrid, Man Utd và Man City",
    "Chủ tịch Real Madrid, người đứng đầu Premier League",
    # institutions named after persons, in the same text or beside places
    "Hiệu trưởng trường ĐH Tôn Đức Thắng; Phó Giám đốc BV Bạch Mai",
    "Năm nay Chu Văn An đạt ba giải. Trường THPT Chu Văn An",
    "gồm Chu Văn An, Cầu Giấy, Nghĩa Tân, Trưng Vương, Ngô Sĩ Liên, Thanh Xuân và",
    "các trường trung học cơ sở: Chu Văn An (quận Tây Hồ); Ngô Sĩ Liên (quận Hoàn Kiếm)",
    "đường Nguyễn Hữu Cảnh. Nguyễn Hữu Cảnh là tuyến huyết mạch",
    "chủ tịch UBND phường Lê Hồng Phong, TP Thái Bình",
    "5 nhà báo Al Jazeera thiệt mạng",
    "Chủ tịch HĐQT Công ty CP Enclave Phú Quốc; còn ở Shark Tank Việt Nam thì",
    # names cut short to hide them
    "vợ chồng ông Bảo Th., ngụ quận Hải Châu; Lê Quốc Th. 400 triệu đồng",
    # one syllable, initials
    "ông Tư chạy xe ôm",
    "Nguyễn Văn H. (35 tuổi)",
    "Ảnh: Nguyễn Văn Anh",
    "Ảnh: TẤN LỰC",
])
def test_not_persons(text):
    assert find_persons(text) == []


def test_the_byline_is_the_author_not_a_person():
    body = "Ông Nguyễn Văn Thể cho biết dịch đã được kiểm soát.\nChâu Như Quỳnh"
    article = extract(Article(id="x", title="Tiêu đề", body=body))
    assert article.persons == ["Nguyễn Văn Thể"]
    assert article.author == "Châu Như Quỳnh"
    assert find_persons("Bài của Châu Như Quỳnh viết", author="Châu Như Quỳnh") == []


@pytest.mark.parametrize("body, signed, author", [
    ("Nội dung bài.\nNhật Hồng", "Nhật Hồng", "Nhật Hồng"),
    ("Nội dung bài.\nH.Long", "H.Long", ""),
    ("Nội dung bài.\nTheo Sputnik", "Theo Sputnik", ""),
    ("Nội dung bài, không có tên ở cuối.", "", ""),
])
def test_byline(body, signed, author):
    assert byline(body) == signed
    assert extract(Article(id="x", title="t", body=body)).author == author


def test_a_source_author_is_kept():
    article = extract(Article(id="x", title="t", body="Bài viết.\nNhật Hồng", author="Thu Hà"))
    assert article.author == "Thu Hà"


@pytest.mark.parametrize("word, vietnamese", [
    ("Nguyễn", True), ("Thịnh", True), ("khuya", True), ("Quý", True),
    ("Robert", False), ("Castex", False), ("Jean", False), ("Phoak", False),
])
def test_vietnamese_syllables(word, vietnamese):
    assert is_vietnamese_syllable(word) is vietnamese


# -- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Sáng ngày 23/3/2017, tại Hà Nội", dt.date(2017, 3, 23)),
    ("Chiều 5-4-2021, Bộ Y tế", dt.date(2021, 4, 5)),
    ("ngày 5-4-2021, Bộ Y tế", dt.date(2021, 4, 5)),
    ("Hà Nội, ngày 12 tháng 3 năm 2024 - Hội nghị", dt.date(2024, 3, 12)),
    ("Ngày 14/02/2020, tại cửa khẩu", dt.date(2020, 2, 14)),
    ("Tối 2.10.2025, Bộ Nông nghiệp và Môi trường", dt.date(2025, 10, 2)),
    ("12g35 ngày 1-5-2018, hưởng thọ 91 tuổi", dt.date(2018, 5, 1)),
    ("Ngày 3/23/2017 (month first: the day-first reading is impossible)", dt.date(2017, 3, 23)),
    ("Ngày 2017-03-23, hội nghị", dt.date(2017, 3, 23)),
    # impossible dates
    ("Ngày 31/2/2020 là ngày không có", None),
    ("Ngày 13/13/2020", None),
    ("Ngày 5/4/2999", None),
    # no year, no date
    ("Sáng 10-2, Thứ trưởng", None),
    ("Không có ngày tháng nào", None),
    # deadlines, ranges, documents, earlier events
    ("Ngày 5/9, bộ GTVT yêu cầu báo cáo về bộ trước 10/09/2019.", None),
    ("Từ ngày 12 đến 14/11/2018, hội nghị diễn ra", None),
    ("kỷ niệm 80 năm Quốc khánh (2-9-1945 - 2-9-2025), Sacombank", None),
    ("theo Nghị định số 116/2020/NĐ-CP ngày 25/9/2020 của Chính phủ", None),
    ("Trước đó, ngày 17/3/2021, Cục quản lý thị trường", None),
])
def test_date_from_text(text, expected):
    assert dates.date_from_text(text) == expected


def test_a_date_after_the_opening_is_a_reference_not_the_publication_date():
    text = "Hội nghị bàn về thi đua. Các đơn vị báo cáo. " + "Chỉ thị ngày 15/4/2014."
    assert dates.date_from_text(text) is None
    assert dates.date_from_text("Hội nghị bàn về thi đua. " * 30 + "Ngày 15/4/2014.") is None
    second = "Cháu Trân mang tiền đến UBND xã.\nÔng Cẩm cho biết, lúc 11h ngày 29/4/2021, em nhặt"
    assert dates.date_from_text(second) == dt.date(2021, 4, 29)


def test_the_opening_is_the_summary_when_there_is_one():
    summary, body = "Uỷ ban Kiểm tra Trung ương đã xem xét.", "Từ ngày 12/11/2018, ..."
    assert dates.date_from_opening(summary, body) is None
    assert dates.date_from_opening("", "Ngày 3/11/2016, TPBank khai trương") == dt.date(2016, 11, 3)


@pytest.mark.parametrize("name, expected", [
    ("mic-2017-03-23.txt", dt.date(2017, 3, 23)),
    ("bai-viet-2021-02-30.txt", None),
    ("bai-viet.txt", None),
])
def test_date_from_name(name, expected):
    assert dates.date_from_name(name) == expected


def test_publication_date_from_data_then_text_then_file_name():
    data = {"id": "a", "title": "t", "date": "2021-04-05", "body": "Ngày 1/1/2020, ..."}
    assert parse.parse_json(data, "f.jsonl", 1).published == dt.date(2021, 4, 5)
    data = {"id": "a", "title": "t", "date": None, "summary": "Ngày 1/1/2020, hội nghị.",
            "body": "Ngày 2/2/2020."}
    assert parse.parse_json(data, "f.jsonl", 1).published == dt.date(2020, 1, 1)
    text = "Tiêu đề\n\nNội dung không có ngày.\n\nXuân Lộc\n"
    assert parse.parse_text(text, "x/tin-2019-05-06.txt").published == dt.date(2019, 5, 6)
    assert parse.parse_text("Tiêu đề\n\nChiều 5-4-2021, họp.", "tin-2019-05-06.txt").published == (
        dt.date(2021, 4, 5))


def test_an_undated_article_is_indexed_under_no_date():
    article = parse.parse_text("Tiêu đề\n\nNội dung không có ngày.", "khong-ngay.txt")
    assert article.published is None
    assert document(extract(article))["month"] == NO_DATE


# -- the seed and the samples -------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    (record,) = list(read_records(SEED))
    return extract(parse.parse_record(record))


def test_seed_entities(seed):
    assert seed.ministries == [
        "Bộ Giao thông vận tải", "Bộ Thông tin và Truyền thông", "Bộ Tài nguyên và Môi trường",
    ]
    assert "Bộ Chính trị" not in seed.ministries  # "Chỉ thị 34-CT/TW ... của Bộ Chính trị"
    assert seed.persons == [
        "Đặng Thị Ngọc Thịnh", "Trương Quang Nghĩa", "Thào Xuân Sùng", "Phan Tâm"]
    assert seed.author == "Xuân Lộc"
    assert seed.published == dt.date(2017, 3, 23)


# Read from each sample article by hand: its ministries and officials, in order of mention.
SAMPLES = [
    ("2017-03-28-phat-dong-thi-dua-bo-tttt", ["Bộ Thông tin và Truyền thông"], ["Tạ Quang Khải"]),
    ("2017-06-14-tiem-chung-mo-rong", ["Bộ Y tế"], ["Nghiêm Thị Hồng Nhung"]),
    ("2017-09-08-kiem-tra-nam-hoc-moi", ["Bộ Giáo dục và Đào tạo"], ["Khúc Minh Đức"]),
    ("2017-11-20-an-toan-giao-thong-cuoi-nam", ["Bộ Giao thông vận tải", "Bộ Công an"],
     ["Trịnh Xuân Hiệp"]),
    ("2018-01-16-tong-ket-nganh-tai-nguyen", ["Bộ Tài nguyên và Môi trường"],
     ["Kiều Thị Thanh Bình"]),
    ("2018-05-10-phong-chong-thien-tai",
     ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Quốc phòng"],
     ["Mạc Đình Sơn", "Vi Thị Lan"]),
    ("2018-08-22-giam-tai-benh-vien", ["Bộ Y tế"], ["Nghiêm Thị Hồng Nhung"]),
    ("2018-12-05-hoa-don-dien-tu",
     ["Bộ Tài chính", "Bộ Kế hoạch và Đầu tư", "Bộ Thông tin và Truyền thông"],
     ["Âu Thị Mai Phương"]),
    ("2019-03-12-an-toan-thong-tin-chinh-phu-dien-tu",
     ["Bộ Thông tin và Truyền thông", "Bộ Nội vụ"],
     ["Tạ Quang Khải", "Đinh Công Bảo"]),
    ("2019-07-04-lay-y-kien-bo-luat-lao-dong", ["Bộ Lao động - Thương binh và Xã hội"],
     ["Lã Văn Lực"]),
    ("2019-11-07-dich-vu-cong-cu-tru", ["Bộ Công an", "Bộ Tư pháp"], ["Thân Quốc Vinh"]),
    ("2020-02-14-phong-chong-dich-cua-khau", ["Bộ Y tế", "Bộ Quốc phòng"],
     ["Nghiêm Thị Hồng Nhung", "Vi Thị Lan"]),
    ("2020-06-18-chuan-bi-ky-thi-tot-nghiep", ["Bộ Giáo dục và Đào tạo", "Bộ Công an", "Bộ Y tế"],
     ["Khúc Minh Đức", "Bế Thị Ngọc Hân"]),
    ("2020-10-21-mua-lu-mien-trung",
     ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Quốc phòng", "Bộ Công Thương"],
     ["Mạc Đình Sơn"]),
    ("2021-04-05-dien-tap-an-toan-thong-tin", ["Bộ Thông tin và Truyền thông", "Bộ Công an"],
     ["Đinh Công Bảo", "Thân Quốc Vinh"]),
    ("2021-06-25-rac-thai-nhua-dai-duong", ["Bộ Tài nguyên và Môi trường"],
     ["Kiều Thị Thanh Bình"]),
    ("2021-09-15-khoi-phuc-van-tai-tphcm", ["Bộ Giao thông vận tải", "Bộ Y tế"],
     ["Trịnh Xuân Hiệp"]),
    ("2021-12-09-nhnn-ho-tro-lai-suat", ["Ngân hàng Nhà nước Việt Nam", "Bộ Tài chính"],
     ["Phí Thị Thu Trang"]),
    ("2022-03-30-khoi-nghiep-sang-tao", ["Bộ Khoa học và Công nghệ"], ["Cù Huy Phong"]),
    ("2022-05-17-dao-tao-nghe-doanh-nghiep",
     ["Bộ Lao động - Thương binh và Xã hội", "Bộ Giáo dục và Đào tạo"],
     ["Lã Văn Lực"]),
    ("2022-08-11-cung-ung-thuoc", ["Bộ Y tế", "Bộ Tài chính"],
     ["Nghiêm Thị Hồng Nhung", "Âu Thị Mai Phương"]),
    ("2022-11-24-khoi-thi-dua-tong-ket",
     ["Bộ Thông tin và Truyền thông", "Ngân hàng Nhà nước Việt Nam", "Bộ Xây dựng"],
     ["Tạ Quang Khải", "Phí Thị Thu Trang"]),
    ("2023-02-20-hoc-ba-so", ["Bộ Giáo dục và Đào tạo", "Bộ Thông tin và Truyền thông"],
     ["Khúc Minh Đức", "Bế Thị Ngọc Hân"]),
    ("2023-07-13-giai-ngan-von-dau-tu-cong", ["Bộ Tài chính", "Bộ Kế hoạch và Đầu tư"],
     ["Âu Thị Mai Phương"]),
    ("2023-10-17-escaping-test", ["Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"],
     ["Đinh Công Bảo"]),
    ("2024-03-12-cao-toc-bac-nam", ["Bộ Giao thông vận tải", "Bộ Xây dựng"], ["Trịnh Xuân Hiệp"]),
    ("2024-06-06-ton-vinh-doi-moi-sang-tao", ["Bộ Khoa học và Công nghệ", "Bộ Tài chính"],
     ["Cù Huy Phong"]),
    ("2024-09-12-khac-phuc-sat-lo-lang-son",
     ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Tài nguyên và Môi trường"],
     ["Mạc Đình Sơn", "Vi Thị Lan"]),
    ("2025-03-18-bo-khcn-chuyen-doi-so",
     ["Bộ Khoa học và Công nghệ", "Bộ Thông tin và Truyền thông"],
     ["Tạ Quang Khải", "Cù Huy Phong"]),
    ("2025-04-22-chuan-bi-dau-tu-duong-sat",
     ["Bộ Xây dựng", "Bộ Tài chính", "Bộ Nông nghiệp và Môi trường", "Bộ Giao thông vận tải"],
     ["Trịnh Xuân Hiệp"]),
    ("2025-07-09-ung-pho-mua-mua-bao",
     ["Bộ Nông nghiệp và Môi trường", "Bộ Quốc phòng", "Bộ Công an"],
     ["Kiều Thị Thanh Bình", "Mạc Đình Sơn"]),
    ("2025-10-28-mo-rong-quyen-loi-bhyt", ["Bộ Y tế", "Bộ Tài chính"], ["Nghiêm Thị Hồng Nhung"]),
    ("2026-01-15-bo-noi-vu-lao-dong-viec-lam", ["Bộ Nội vụ"], ["Lã Văn Lực"]),
    ("2026-03-05-von-cho-tang-truong",
     ["Bộ Tài chính", "Ngân hàng Nhà nước Việt Nam", "Bộ Xây dựng"],
     ["Âu Thị Mai Phương", "Phí Thị Thu Trang"]),
    ("nodate-bo-phan-mot-cua", ["Bộ Công an", "Bộ Tư pháp"], ["Thân Quốc Vinh"]),
    ("nodate-nong-nghiep-tuan-hoan-vung-cao",
     ["Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Công Thương"],
     ["Vi Thị Lan"]),
    ("nodate-suc-khoe-tam-than-hoc-duong", ["Bộ Giáo dục và Đào tạo", "Bộ Y tế"],
     ["Bế Thị Ngọc Hân"]),
]


@pytest.mark.parametrize("name, expected_ministries, expected_persons", SAMPLES)
def test_sample_entities(name, expected_ministries, expected_persons):
    (record,) = list(read_records(DATA / "samples" / f"sample-{name}.txt"))
    article = extract(parse.parse_record(record))
    assert (article.ministries, article.persons) == (expected_ministries, expected_persons)


def test_every_sample_is_in_the_table():
    files = sorted(p.stem.removeprefix("sample-") for p in (DATA / "samples").glob("*.txt"))
    assert files == sorted(name for name, _, _ in SAMPLES)


# -- the gold set -------------------------------------------------------------------------------

def _bench():
    """bench/entities.py, whose scores the gold tests check."""
    name = "bench_entities"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, PROJECT / "bench" / "entities.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def gold_scores():
    corpus = shared_path("corpus")
    bench = _bench()
    gold = bench.read_gold()
    return bench.TARGETS, bench.evaluate(gold, bench.read_articles(gold, corpus))


@pytest.mark.corpus
@pytest.mark.parametrize("kind", ["ministries", "persons"])
def test_gold_set_precision_and_recall(gold_scores, kind):
    targets, (ministry_score, person_score, _) = gold_scores
    score = {"ministries": ministry_score, "persons": person_score}[kind]
    errors = "\n".join(score.errors)
    assert score.precision >= targets[kind]["precision"], errors
    assert score.recall >= targets[kind]["recall"], errors


@pytest.mark.corpus
def test_gold_set_dates(gold_scores):
    targets, (_, _, date_score) = gold_scores
    assert date_score.accuracy >= targets["dates"]["accuracy"], "\n".join(date_score.errors)
    assert date_score.right + date_score.wrong >= 15  # the set has dates to score
