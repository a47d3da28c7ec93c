"""`python -m knowledge_base import FILE`: bulk records from CSV/JSON/JSONL exports. Invalid rows are
reported with file, row and field; valid rows are still written."""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from knowledge_base.__main__ import main
from knowledge_base.records import load_records

CSV_COLUMNS = ["id", "name", "field", "level", "official_code", "aliases", "documents", "fee",
               "processing_time", "source_title", "source_url", "updated"]


def run_import(path: Path, dest: Path, capsys) -> tuple[int, str, str]:
    code = main(["import", str(path), "--dest", str(dest)])
    out = capsys.readouterr()
    return code, out.out, out.err


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def numbered(record_fields, n: int) -> list[dict]:
    return [record_fields(id=f"thu-tuc-so-{i}", name=f"Thủ tục thử nghiệm số {i}",
                          steps=[f"Bước {j}: nộp tờ khai số {i}-{j} tại bộ phận một cửa" for j in range(4)])
            for i in range(n)]


def test_jsonl_valid_row_is_written_and_invalid_row_reported_with_file_row_and_field(tmp_path, capsys, record_fields):
    source = write_jsonl(tmp_path / "export.jsonl", [
        record_fields(id="dang-ky-nuoi-ong"),
        record_fields(id="cap-phep-cu", level=["district"]),
    ])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code == 0
    assert f"{source}:2: level.0:" in err
    assert "imported 1 records" in out and "1 rejected" in out
    assert sorted(p.name for p in dest.glob("*.json")) == ["dang-ky-nuoi-ong.json"]
    json.loads((dest / "dang-ky-nuoi-ong.json").read_text(encoding="utf-8"))
    procedures, problems = load_records([dest])
    assert problems == []
    assert [(p.id, p.name, p.processing_time) for p in procedures] == [
        ("dang-ky-nuoi-ong", "Đăng ký nuôi ong mật", "05 ngày làm việc")
    ]


def test_jsonl_line_that_is_not_json_is_reported_with_its_row(tmp_path, capsys, record_fields):
    source = tmp_path / "export.jsonl"
    source.write_text(json.dumps(record_fields(), ensure_ascii=False) + "\n{not json\n[1, 2]\n", encoding="utf-8")

    code, out, err = run_import(source, tmp_path / "imported", capsys)

    assert code == 0
    assert f"{source}:2: (row): not JSON" in err
    assert f"{source}:3: (row):" in err
    assert "imported 1 records" in out


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


CSV_ROW = {
    "id": "dang-ky-tau-ca",
    "name": "Đăng ký tàu cá",
    "field": "Thủy sản",
    "level": "province",
    "official_code": "1.004359",
    "aliases": "đăng ký thuyền | đăng ký tàu đánh cá",
    "documents": "Tờ khai đăng ký tàu cá | Giấy chứng nhận an toàn kỹ thuật",
    "fee": "70.000 đồng/lần",
    "processing_time": "03 ngày làm việc",
    "source_title": "Cổng Dịch vụ công quốc gia",
    "source_url": "https://dichvucong.gov.vn",
    "updated": "2026-02-01",
}


def test_csv_export_rows_become_records_and_a_bad_row_is_reported(tmp_path, capsys):
    source = write_csv(tmp_path / "export.csv", [
        CSV_ROW,
        {**CSV_ROW, "id": "dang-ky-thuyen-buom", "name": "Đăng ký thuyền buồm", "updated": "hôm qua"},
    ])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code == 0
    assert f"{source}:3: updated:" in err  # row 1 is the header
    assert "imported 1 records" in out
    procedures, problems = load_records([dest])
    assert problems == []
    [procedure] = procedures
    assert procedure.id == "dang-ky-tau-ca" and procedure.official_code == ["1.004359"]
    assert procedure.aliases == ["đăng ký thuyền", "đăng ký tàu đánh cá"]
    assert [d.name for d in procedure.documents] == ["Tờ khai đăng ký tàu cá", "Giấy chứng nhận an toàn kỹ thuật"]
    assert procedure.fee.summary == "70.000 đồng/lần"
    assert procedure.level == ["province"]
    assert (procedure.sources[0].title, procedure.sources[0].url) == ("Cổng Dịch vụ công quốc gia",
                                                                      "https://dichvucong.gov.vn")


def test_truncated_gzip_is_reported_and_earlier_rows_are_still_written(tmp_path, capsys, record_fields):
    rows = numbered(record_fields, 40)
    packed = gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())
    source = tmp_path / "export.jsonl.gz"
    source.write_bytes(packed[: len(packed) * 2 // 3])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code == 0
    assert str(source) in err and "truncated" in err
    written = sorted(p.stem for p in dest.glob("*.json"))
    assert 0 < len(written) < len(rows)
    assert written == sorted(r["id"] for r in rows[: len(written)])  # a prefix of the file, nothing skipped
    procedures, problems = load_records([dest])
    assert problems == [] and len(procedures) == len(written)


def test_complete_gzip_export_imports_every_row(tmp_path, capsys, record_fields):
    rows = numbered(record_fields, 5)
    source = tmp_path / "export.jsonl.gz"
    source.write_bytes(gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()))

    code, out, err = run_import(source, tmp_path / "imported", capsys)

    assert (code, err) == (0, "")
    assert "imported 5 records" in out


def test_duplicated_id_is_reported_and_the_first_row_kept(tmp_path, capsys, record_fields):
    source = write_jsonl(tmp_path / "export.jsonl", [
        record_fields(name="Đăng ký nuôi ong mật"),
        record_fields(name="Đăng ký nuôi ong (bản trùng)"),
    ])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code == 0
    assert f"{source}:2: id: duplicate of row 1" in err
    [procedure], _ = load_records([dest])
    assert procedure.name == "Đăng ký nuôi ong mật"


def test_five_megabyte_field_is_refused_as_too_large(tmp_path, capsys, record_fields):
    source = write_jsonl(tmp_path / "export.jsonl", [
        record_fields(id="ban-ghi-khong-lo", notes="x" * 5_000_000),
        record_fields(),
    ])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code == 0
    assert f"{source}:1: notes: field too large" in err
    assert sorted(p.stem for p in dest.glob("*.json")) == ["dang-ky-nuoi-ong"]


def test_five_megabyte_list_item_is_refused_as_too_large(tmp_path, capsys, record_fields):
    source = write_jsonl(tmp_path / "export.jsonl", [record_fields(steps=["Bước 1", "x" * 5_000_000])])

    code, out, err = run_import(source, tmp_path / "imported", capsys)

    assert "field too large" in err


def test_five_megabyte_csv_cell_is_reported_with_its_row_and_later_rows_still_load(tmp_path, capsys):
    source = write_csv(tmp_path / "export.csv", [
        {**CSV_ROW, "id": "ban-ghi-khong-lo", "documents": "x" * 5_000_000},
        CSV_ROW,
    ])
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert f"{source}:2: documents: field too large" in err
    assert (dest / "dang-ky-tau-ca.json").exists()


@pytest.mark.parametrize("name", ["export.xlsx", "export.txt", "export"])
def test_unknown_format_gets_a_clear_message(tmp_path, capsys, name):
    source = tmp_path / name
    source.write_text("id,name\nx,y\n", encoding="utf-8")
    dest = tmp_path / "imported"

    code, out, err = run_import(source, dest, capsys)

    assert code != 0
    assert "unknown format" in err and ".csv" in err and ".jsonl" in err
    assert "imported 0 records" in out
    assert not dest.exists() or not any(dest.iterdir())


def test_missing_file_is_reported_without_a_traceback(tmp_path, capsys):
    source = tmp_path / "nowhere.jsonl"

    code, out, err = run_import(source, tmp_path / "imported", capsys)

    assert code != 0
    assert str(source) in err and "Traceback" not in err


def test_json_array_export_is_imported(tmp_path, capsys, record_fields):
    source = tmp_path / "export.json"
    source.write_text(json.dumps(numbered(record_fields, 3), ensure_ascii=False), encoding="utf-8")

    code, out, err = run_import(source, tmp_path / "imported", capsys)

    assert (code, err) == (0, "")
    procedures, problems = load_records([tmp_path / "imported"])
    assert problems == [] and len(procedures) == 3


def test_import_refuses_to_replace_a_folder_it_did_not_write(tmp_path, capsys, record_fields):
    hand_made = tmp_path / "curated"
    hand_made.mkdir()
    (hand_made / "dang-ky-khai-sinh.yml").write_text("id: dang-ky-khai-sinh\n", encoding="utf-8")
    source = write_jsonl(tmp_path / "export.jsonl", [record_fields(id="dang-ky-nuoi-ong")])
    code, _, err = run_import(source, hand_made, capsys)
    assert code == 2 and "did not write" in err
    assert sorted(p.name for p in hand_made.iterdir()) == ["dang-ky-khai-sinh.yml"]


def test_reimport_replaces_its_own_folder_and_drops_records_gone_from_the_source(tmp_path, capsys, record_fields):
    dest = tmp_path / "imported"
    first = write_jsonl(tmp_path / "first.jsonl", [record_fields(id="thu-tuc-a"), record_fields(id="thu-tuc-b")])
    assert run_import(first, dest, capsys)[0] == 0
    second = write_jsonl(tmp_path / "second.jsonl", [record_fields(id="thu-tuc-b")])
    assert run_import(second, dest, capsys)[0] == 0
    assert sorted(p.stem for p in dest.glob("*.json")) == ["thu-tuc-b"]


def test_rows_without_origin_are_loaded_as_imports_not_curated(tmp_path, capsys, record_fields):
    dest = tmp_path / "imported"
    row = {k: v for k, v in record_fields(id="thu-tuc-a").items() if k != "origin"}
    assert run_import(write_jsonl(tmp_path / "x.jsonl", [row]), dest, capsys)[0] == 0
    records, problems = load_records([dest])
    assert not problems and records[0].origin == "import"
