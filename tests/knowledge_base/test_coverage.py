"""`coverage_report` and `python -m knowledge_base coverage` on small hand-made records (no model)."""
from __future__ import annotations

import json

import pytest

from knowledge_base.__main__ import main
from knowledge_base.coverage import CURATED_MINISTRY, UNKNOWN_MINISTRY, coverage_report, format_coverage
from knowledge_base.schema import Procedure


@pytest.fixture
def procedure(record_fields):
    def make(**fields) -> Procedure:
        return Procedure.model_validate(record_fields(**fields))

    return make


@pytest.fixture
def mixed(procedure) -> list[Procedure]:
    """One curated record, three portal records (one replaced by the curated one), one bare import."""
    return [
        procedure(id="dang-ky-khai-sinh", name="Đăng ký khai sinh", official_code=["1.001193"],
                  documents=[{"name": "Tờ khai"}], steps=["Nộp tờ khai"], legal_basis=["04/2020/TT-BTP"]),
        procedure(id="portal-1-001193", name="Đăng ký khai sinh (cổng)", official_code=["1.001193"],
                  origin="portal", ministry="Bộ Tư pháp", flags=["fee_conflict"]),
        procedure(id="portal-1-000001", name="Cấp giấy phép xây dựng", official_code=["1.000001"], origin="portal",
                  ministry="Bộ Xây dựng", level=["province", "commune"], processing_time=None, fee={},
                  channels=[{"kind": "truc_tiep", "processing_time": "15 ngày", "fee": "150.000 đồng"}],
                  flags=["unknown_level:huyện", "unknown_level:tổ", "time_without_unit"]),
        procedure(id="portal-1-000002", name="Cấp phép khai thác cát", official_code=["1.000002"], origin="portal",
                  ministry="Bộ Xây dựng", level=["central"], processing_time=None, fee={}),
        procedure(id="nhap-tay", name="Thủ tục nhập tay", origin="import", processing_time=None,
                  fee={"summary": "Không thu phí"}),
    ]


def test_counts_the_procedures_served_and_the_imported_records_curated_ones_replaced(mixed):
    report = coverage_report(mixed)
    assert (report["records"], report["procedures"], report["replaced_by_curated"]) == (5, 4, 1)


def test_groups_by_ministry_with_curated_records_under_their_own_name(mixed):
    assert coverage_report(mixed)["by_ministry"] == {
        "Bộ Xây dựng": 2, CURATED_MINISTRY: 1, UNKNOWN_MINISTRY: 1,  # the replaced Bộ Tư pháp record is not served
    }


def test_a_curated_record_that_names_its_ministry_counts_under_it(procedure):
    report = coverage_report([procedure(ministry="Bộ Công an")])
    assert report["by_ministry"] == {"Bộ Công an": 1}


def test_a_procedure_at_several_levels_counts_under_each(mixed):
    assert coverage_report(mixed)["by_level"] == {"commune": 3, "province": 1, "central": 1}


def test_groups_by_origin(mixed):
    assert coverage_report(mixed)["by_origin"] == {"portal": 2, "curated": 1, "import": 1}


def test_a_field_counts_when_the_record_or_one_of_its_channels_gives_it(mixed):
    report = coverage_report(mixed)
    assert report["with_field"] == {"fee": 3, "processing_time": 2, "documents": 1, "steps": 1, "legal_basis": 1}
    assert report["with_field_by_origin"]["portal"] == {
        "fee": 1, "processing_time": 1, "documents": 0, "steps": 0, "legal_basis": 0,
    }
    assert set(report["with_field_by_origin"]) == {"curated", "portal", "import"}


def test_counts_each_kind_of_flag_once_per_procedure(mixed):
    report = coverage_report(mixed)
    assert report["flagged"] == 1  # the flagged Bộ Tư pháp record was replaced
    assert report["by_flag"] == {"unknown_level": 1, "time_without_unit": 1}


def test_an_empty_catalogue_reports_zeros_and_still_formats():
    report = coverage_report([])
    assert report["procedures"] == 0 and report["by_ministry"] == {} and report["flagged"] == 0
    assert format_coverage(report).startswith("0 procedures")


def test_the_text_report_names_every_group(mixed):
    text = format_coverage(coverage_report(mixed))
    for expected in ("4 procedures", "1 imported records replaced", "Bộ Xây dựng", CURATED_MINISTRY, "commune",
                     "portal", "processing_time", "time_without_unit"):
        assert expected in text


def test_cli_prints_the_report_as_one_json_object(configure_kb, tmp_path, write_record, capsys):
    folder = tmp_path / "records"
    write_record(folder)
    write_record(folder, id="portal-1-000009", name="Cấp phép nuôi trồng thủy sản", origin="portal",
                 ministry="Bộ Nông nghiệp và Môi trường", flags=["fee_conflict"])
    (folder / "hong.yml").write_text("id: [unclosed", encoding="utf-8")
    configure_kb(folder)

    assert main(["coverage", "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert out.count("\n") == 1
    assert report["procedures"] == 2 and report["record_problems"] == 1
    assert report["by_ministry"] == {"Bộ Nông nghiệp và Môi trường": 1, CURATED_MINISTRY: 1}
    assert report["by_flag"] == {"fee_conflict": 1}


def test_cli_prints_readable_text_by_default(configure_kb, small_records, capsys):
    configure_kb(small_records)
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 procedures") and "By ministry:" in out and "Flagged on import" in out


def test_a_curated_record_replaces_the_outdated_versions_it_supersedes(procedure):
    from knowledge_base.records import merge_curated_first

    curated = procedure(id="lien-thong", name="Liên thông khai sinh", official_code=["3.000722"],
                        supersedes=["2.000986"])
    outdated = procedure(id="portal-2-000986", name="Liên thông khai sinh (cũ)", official_code=["2.000986"],
                         origin="portal")
    other = procedure(id="portal-2-001023", name="Liên thông khai sinh, BHYT", official_code=["2.001023"],
                      origin="portal")
    catalogue = merge_curated_first([curated, outdated, other])
    assert [p.id for p in catalogue.procedures] == ["lien-thong", "portal-2-001023"]
    assert catalogue.second_sources == {"lien-thong": [outdated]}
    assert curated.official_code == ["3.000722"]  # not claimed as its own code
