"""Tests of the national-portal importer on hand-written snippets and on the whole 2026 crawl."""
from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path

import pytest

from knowledge_base.portal import parse_portal_record
from knowledge_base.schema import Procedure

PORTAL_DUMP = Path(__file__).parents[3] / "shared/knowledge/national-portal-2026.jsonl.gz"
URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf7-4fc1-768b-9ba3-94be4bca58ee"
CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOCUMENT_HEADER = "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"


def raw_record(**overrides: str) -> dict:
    """A portal record shaped like the crawl, with every field a string."""
    raw = {
        "ministry_slug": "bo-cong-an",
        "ma_thu_tuc": "1.000771",
        "detail_url": URL,
        "ten_thu_tuc": "Cấp đổi thẻ căn cước",
        "so_quyet_dinh": "6968/QĐ-BCA",
        "cap_thuc_hien": "Cấp tỉnh, Cấp xã",
        "loai_thu_tuc": "TTHC được giao luật quy định chi tiết",
        "linh_vuc": "Căn cước",
        "doi_tuong_thuc_hien": "Công dân Việt Nam",
        "co_quan_co_tham_quyen": "Không có thông tin",
        "dia_chi_tiep_nhan": "",
        "co_quan_duoc_uy_quyen": "",
        "co_quan_phoi_hop": "",
        "thu_tuc_lien_quan": "Không có thông tin",
        "trinh_tu_thuc_hien": "Bước 1: Chuẩn bị hồ sơ.\nBước 2: Nộp hồ sơ tại Công an cấp xã.\nBước 3: Nhận kết quả.",
        "cach_thuc_thuc_hien": f"{CHANNEL_HEADER}Trực tiếp7 Ngày làm việcMiễn phí",
        "thanh_phan_ho_so": f"{DOCUMENT_HEADER}Tờ khai căn cước1 bản chính",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Căn cước26/2023/QH15",
        "co_quan_thuc_hien": "Công an cấp xã",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "ket_qua_xu_ly": "Thẻ căn cướcMã: KQ.G01.000123Từ khóaKhông có thông tinMô tả"
                         "Không có thông tinChọn cơ quan thực hiện",
    }
    raw.update(overrides)
    return raw


def parse(**overrides: str):
    return parse_portal_record(raw_record(**overrides))


def test_minimal_record_validates_with_identity_and_sources():
    parsed = parse()
    assert parsed.errors == []
    record = parsed.record
    Procedure.model_validate(record)
    assert record["id"] == "portal-1-000771"
    assert record["official_code"] == ["1.000771"]
    assert record["origin"] == "portal" and record["confidence"] is None and record["aliases"] == []
    assert record["updated"] == "2026-07-01"
    assert record["level"] == ["province", "commune"]
    assert record["agency"] == {"receives": "Công an cấp xã", "decides": None}
    assert record["requirements"] is None
    assert record["result"] == "Thẻ căn cước"
    assert record["steps"] == ["Bước 1: Chuẩn bị hồ sơ.", "Bước 2: Nộp hồ sơ tại Công an cấp xã.",
                               "Bước 3: Nhận kết quả."]
    assert record["sources"] == [
        {"title": "Cổng Dịch vụ công quốc gia", "url": URL, "kind": "official_portal", "retrieved": "crawl 6–7/2026"},
        {"title": "Quyết định công bố 6968/QĐ-BCA", "kind": "law"},
    ]


def test_three_channels_with_differing_times():
    table = (
        f"{CHANNEL_HEADER}Trực tiếp20 Ngày làm việc50,000 VNĐ(50.000 đồng/thẻ)Nộp tại Công an cấp xã."
        "Trực tuyến15 Ngày làm việc50,000 VNĐ(50.000 đồng/thẻ)Trực tuyến: nộp qua Cổng Dịch vụ công quốc gia."
        "Dịch vụ bưu chính20 Ngày làm việc50,000 VNĐ(50.000 đồng/thẻ)"
    )
    parsed = parse(cach_thuc_thuc_hien=table)
    channels = parsed.record["channels"]
    assert [c["kind"] for c in channels] == ["truc_tiep", "truc_tuyen", "buu_chinh"]
    assert [c["processing_time"] for c in channels] == ["20 ngày làm việc", "15 ngày làm việc", "20 ngày làm việc"]
    assert channels[0]["fee"] == "50,000 VNĐ (50.000 đồng/thẻ)"
    assert channels[0]["description"] == "Nộp tại Công an cấp xã."
    assert channels[1]["description"] == "Trực tuyến: nộp qua Cổng Dịch vụ công quốc gia."
    assert channels[1]["online_url"] == URL and "online_url" not in channels[0]
    assert parsed.record["processing_time"] == (
        "Trực tiếp: 20 ngày làm việc; Trực tuyến: 15 ngày làm việc; Dịch vụ bưu chính: 20 ngày làm việc"
    )
    assert parsed.record["fee"]["summary"] == "50,000 VNĐ (50.000 đồng/thẻ)"
    assert parsed.flags == []


def test_no_channel_information_gives_none():
    parsed = parse(cach_thuc_thuc_hien=f"{CHANNEL_HEADER}Trực tiếpKhông có thông tinKhông có thông tin")
    assert parsed.record["channels"] == [{"kind": "truc_tiep", "processing_time": None, "fee": None,
                                          "description": None}]
    assert parsed.record["processing_time"] is None and parsed.record["fee"]["summary"] is None


def test_bare_number_time_is_kept_and_flagged():
    parsed = parse(cach_thuc_thuc_hien=f"{CHANNEL_HEADER}Trực tuyến20Miễn phíDịch vụ bưu chính20Miễn phí")
    assert [c["processing_time"] for c in parsed.record["channels"]] == ["20 (không ghi đơn vị)"] * 2
    assert parsed.record["processing_time"] == "20 (không ghi đơn vị)"
    assert "time_without_unit" in parsed.flags


def test_free_fee_contradicted_by_description_is_flagged():
    table = (
        f"{CHANNEL_HEADER}Trực tiếp12 NgàyMiễn phí(Cho một loại hình sản phẩm: 8.000.000/lần.)"
        "Trực tuyến12 NgàyMiễn phíLệ phí 150.000 đồng/hồ sơ."
    )
    parsed = parse(cach_thuc_thuc_hien=table)
    assert parsed.record["channels"][0]["fee"] == "Miễn phí (Cho một loại hình sản phẩm: 8.000.000/lần.)"
    assert "fee_conflict" in parsed.flags


def test_free_fee_without_amount_is_not_a_conflict():
    table = f"{CHANNEL_HEADER}Trực tiếp5 Ngày làm việcMiễn phí(Thông tư số 64/2025/TT-BTC ngày 30/6/2025)"
    assert "fee_conflict" not in parse(cach_thuc_thuc_hien=table).flags


def test_free_fee_whose_note_leaves_the_amount_to_the_province_is_flagged():
    notes = ("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương quyết định.",
             "Theo quy định của Hội đồng nhân dân cấp tỉnh", "Mức lệ phí (nếu có) theo quyết định của HĐND cấp tỉnh.",
             "Theo mức thu lệ phí do Hội đồng nhân dân cấp tỉnh quy định.")
    for note in notes:
        table = f"{CHANNEL_HEADER}Trực tiếp5 Ngày làm việcMiễn phí({note})"
        parsed = parse(cach_thuc_thuc_hien=table)
        assert "fee_set_by_province" in parsed.flags, note
        assert parsed.record["channels"][0]["fee"].startswith("Miễn phí (")  # kept as the portal wrote it
    # the council named for something else than the fee, or a fee with its amount
    for row in ("Miễn phí(Thông tư số 64/2025/TT-BTC. Hồ sơ gửi Hội đồng nhân dân cấp xã.)",
                "50,000 VNĐ(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định)"):
        assert "fee_set_by_province" not in parse(
            cach_thuc_thuc_hien=f"{CHANNEL_HEADER}Trực tiếp5 Ngày làm việc{row}").flags, row


def test_amount_that_lost_its_thousands_is_flagged():
    table = f"{CHANNEL_HEADER}Trực tiếp3 Ngày làm việc700 VNĐ(Lệ phí 700.000 đồng/lần)"
    parsed = parse(cach_thuc_thuc_hien=table)
    assert parsed.record["channels"][0]["fee"] == "700 VNĐ (Lệ phí 700.000 đồng/lần)"
    assert "fee_amount_suspicious" in parsed.flags
    assert "fee_amount_suspicious" not in parse(
        cach_thuc_thuc_hien=f"{CHANNEL_HEADER}Trực tiếp3 Ngày làm việc70,000 VNĐ(70.000 đồng/Giấy chứng nhận)"
    ).flags


def test_a_fee_note_that_never_closes_is_kept_whole_and_flagged():
    # the portal's own cell opens more brackets than it closes: the description runs into the note
    table = (f"{CHANNEL_HEADER}Trực tiếp5 Ngày làm việc1,500,000 VNĐ(Giấy chứng nhận (loại dưới 5.700 kg"
             "(Miễn phí đến 30/6/2026)Trong thời hạn năm (05) ngày làm việc, kể từ ngày nhận đủ hồ sơ")
    parsed = parse(cach_thuc_thuc_hien=table)
    channel = parsed.record["channels"][0]
    assert channel["fee"].startswith("1,500,000 VNĐ (Giấy chứng nhận") and "Trong thời hạn" in channel["fee"]
    assert "fee_note_unclosed" in parsed.flags
    balanced = f"{CHANNEL_HEADER}Trực tiếp5 Ngày làm việc1,500,000 VNĐ(Giấy chứng nhận)Trong thời hạn 05 ngày"
    assert "fee_note_unclosed" not in parse(cach_thuc_thuc_hien=balanced).flags
    # a note that closes, followed by a description whose own bracket does not, is not that defect
    stray = f"{CHANNEL_HEADER}Trực tiếp3 Ngày làm việc1,800,000 VNĐ(/Lần)Phí đăng ký (kể từ ngày 01/7/2025"
    assert "fee_note_unclosed" not in parse(cach_thuc_thuc_hien=stray).flags


def test_time_glued_to_amount_is_not_split_by_guess():
    parsed = parse(cach_thuc_thuc_hien=f"{CHANNEL_HEADER}Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)")
    channel = parsed.record["channels"][0]
    assert channel["processing_time"] is None and channel["fee"] == "120 VNĐ (20.000 vnđ /tờ khai)"
    assert {"time_fee_merged", "fee_amount_suspicious"} <= set(parsed.flags)


def test_documents_with_templates_copies_and_originals():
    table = (
        f"{DOCUMENT_HEADER}Tờ khai theo Mẫu số 01 ban hành kèm theo Nghị định số 23/2026/NĐ-CPMẫu số 01.docx"
        "1 bản chínhBản sao giấy phép đã cấp0 bản chính,1 bản sao"
        "Giấy chứng nhận đủ điều kiện (bản chính hoặc bản sao)1 bản chính,1 bản sao"
        "Ảnh màu 4x6 cm2 bản chínhThông tin vụ việc0 bản chính"
    )
    documents = parse(thanh_phan_ho_so=table).record["documents"]
    assert documents[0] == {
        "name": "Tờ khai theo Mẫu số 01 ban hành kèm theo Nghị định số 23/2026/NĐ-CP",
        "form": "original", "copies": 1, "template": "Mẫu số 01.docx",
    }
    assert documents[1]["name"] == "Bản sao giấy phép đã cấp"
    assert (documents[1]["form"], documents[1]["copies"]) == ("copy", 1)
    assert (documents[2]["form"], documents[2]["copies"]) == ("original_or_copy", 1)
    assert (documents[3]["name"], documents[3]["copies"]) == ("Ảnh màu 4x6 cm", 2)
    assert documents[4]["name"] == "Thông tin vụ việc" and "copies" not in documents[4]


def test_count_glued_to_a_date_ending_the_name():
    table = f"{DOCUMENT_HEADER}Văn bản theo Nghị định số 70/2024/NĐ-CP ngày 25/6/20241 bản chính"
    document = parse(thanh_phan_ho_so=table).record["documents"][0]
    assert document["name"].endswith("ngày 25/6/2024") and document["copies"] == 1


def test_document_case_groups_go_to_note():
    table = (
        "Trường hợp 1: Đăng ký lần đầuTên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai1 bản chính"
        "Trường hợp 2: Đăng ký lạiTên giấy tờMẫu đơn, tờ khaiSố lượngGiấy tờ chứng minh0 bản chính,1 bản sao"
    )
    documents = parse(thanh_phan_ho_so=table).record["documents"]
    assert [(d["name"], d["note"]) for d in documents] == [
        ("Tờ khai", "Trường hợp 1: Đăng ký lần đầu"),
        ("Giấy tờ chứng minh", "Trường hợp 2: Đăng ký lại"),
    ]


def test_documents_without_a_table_are_kept_whole_and_flagged():
    parsed = parse(thanh_phan_ho_so="Hồ sơ gồm tờ khai và giấy tờ chứng minh nơi cư trú.")
    assert parsed.record["documents"] == [{"name": "Hồ sơ gồm tờ khai và giấy tờ chứng minh nơi cư trú."}]
    assert "documents_unparsed" in parsed.flags


def test_legal_basis_numbers_extracted_in_order_without_duplicates():
    legal = (
        "Tên văn bản pháp lýMã văn bảnQuy định mẫu giấy tờ liên quan đến việc nhập cảnh04/2015/TT-BCA"
        "Luật 51/2019/QH1451/2019/QH14Nghị định76/2012/NĐ-CP"
        "Luật Khiếu nại  năm 201102/2011/QH13"
        "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 quy định chi tiết Luật Hộ tịch123/2015/NĐ-CP"
        "Thông tư 57/2020/TT-BCA57/2020/TT-BCAThông tư 57/2020/TT-BCA57/2020/TT-BCA"
    )
    assert parse(can_cu_phap_ly=legal).record["legal_basis"] == [
        "Quy định mẫu giấy tờ liên quan đến việc nhập cảnh (04/2015/TT-BCA)",
        "Luật 51/2019/QH14",
        "Nghị định 76/2012/NĐ-CP",
        "Luật Khiếu nại năm 2011 (02/2011/QH13)",
        "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 quy định chi tiết Luật Hộ tịch",
        "Thông tư 57/2020/TT-BCA",
    ]


def test_result_keeps_only_result_names():
    junk = (
        "Giấy chứng nhận đăng ký xe tạm thờiMã: KQ.G01.000011Biển số xe tạm thờiMã: KQ.G01.000013"
        "Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
    )
    assert parse(ket_qua_xu_ly=junk).record["result"] == "Giấy chứng nhận đăng ký xe tạm thời; Biển số xe tạm thời"


def test_district_level_is_flagged_and_dropped():
    parsed = parse(cap_thuc_hien="Cấp huyện, Cấp xã")
    assert parsed.record["level"] == ["commune"]
    assert "abolished_district_level" in parsed.flags
    only_district = parse(cap_thuc_hien="Cấp huyện")
    assert only_district.record["level"] == ["other"]
    assert {"abolished_district_level", "level_missing"} <= set(only_district.flags)


def test_abolished_terms_are_flagged():
    parsed = parse(yeu_cau_dieu_kien="Xuất trình sổ hộ khẩu; nộp tại UBND huyện.")
    assert "mentions_abolished_terms" in parsed.flags
    assert "mentions_abolished_terms" in parsed.record["flags"]


def test_too_large_field_is_an_error():
    parsed = parse(trinh_tu_thuc_hien="x" * 200_001)
    assert parsed.record is None
    assert ("trinh_tu_thuc_hien", "field too large") in parsed.errors


@pytest.mark.parametrize("missing", ["ma_thu_tuc", "ten_thu_tuc"])
def test_missing_code_or_name_is_an_error(missing):
    raw = raw_record()
    del raw[missing]
    parsed = parse_portal_record(raw)
    assert parsed.record is None
    assert [field for field, _ in parsed.errors] == [missing]


def test_unknown_field_is_flagged_not_an_error():
    parsed = parse(ngay_cap_nhat="01/07/2026")
    assert parsed.errors == [] and parsed.record is not None
    assert "unknown_field:ngay_cap_nhat" in parsed.flags


def test_schema_violation_is_reported_with_the_field():
    parsed = parse(ten_thu_tuc="ab")  # the schema wants a name of at least 3 characters
    assert parsed.record is None
    assert [field for field, _ in parsed.errors] == ["name"]


@pytest.mark.skipif(not PORTAL_DUMP.exists(), reason="national-portal dump not present")
def test_whole_portal_dump_parses():
    with gzip.open(PORTAL_DUMP, "rt", encoding="utf-8") as lines:
        raws = [json.loads(line) for line in lines]
    assert len(raws) == 2642
    parses = [parse_portal_record(raw) for raw in raws]
    valid = [p.record for p in parses if p.record is not None]
    flags = collections.Counter(flag for p in parses for flag in p.flags)
    errors = collections.Counter(f"{field}: {message}" for p in parses for field, message in p.errors)
    print(f"\nvalid {len(valid)}/{len(raws)} ({len(valid) / len(raws):.1%})")
    for name, count in flags.most_common():
        print(f"  flag {name}: {count}")
    for name, count in errors.most_common():
        print(f"  error {name}: {count}")
    assert len(valid) >= 0.98 * len(raws)
    assert len({record["id"] for record in valid}) == len(valid)
    assert sum(bool(record["channels"]) for record in valid) >= 0.98 * len(valid)
    assert sum(bool(record["documents"]) for record in valid) >= 0.95 * len(valid)
