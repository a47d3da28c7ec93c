"""The curated records (one file per procedure) and how bad record files are reported."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from knowledge_base.config import REPO_ROOT
from knowledge_base.normalize import folded_text
from knowledge_base.records import load_records, read_record_file, record_files

CURATED = REPO_ROOT / "knowledge_base" / "records" / "curated"

PROCEDURES_CSV = Path(__file__).parents[3] / "shared/knowledge/procedures.csv"


@pytest.fixture(scope="module")
def curated():
    procedures, problems = load_records([CURATED])
    return procedures, problems


def test_every_curated_record_validates(curated):
    procedures, problems = curated
    assert [str(p) for p in problems] == []
    assert len(procedures) == len(record_files([CURATED])) > 0


def test_every_curated_file_is_named_after_its_id():
    for path in sorted(CURATED.glob("*.yml")):
        record, problems = read_record_file(path)
        assert problems == [], path
        assert record.id == path.stem


@pytest.mark.skipif(not PROCEDURES_CSV.exists(), reason=f"{PROCEDURES_CSV} not present")
def test_every_listed_procedure_has_a_record_with_the_same_id_and_name():
    with open(PROCEDURES_CSV, encoding="utf-8", newline="") as f:
        listed = list(csv.DictReader(f))
    assert listed
    for row in listed:
        path = CURATED / f"{row['id']}.yml"
        assert path.exists(), f"no record file for {row['id']}"
        record, _ = read_record_file(path)
        assert (record.id, record.name) == (row["id"], row["name"])


def test_every_record_has_a_source_and_a_checked_date(curated):
    for procedure in curated[0]:
        assert procedure.sources, procedure.id
        assert all(source.title for source in procedure.sources), procedure.id
        assert isinstance(procedure.updated, dt.date), procedure.id


def _text_outside_notes(procedure) -> dict[str, str]:
    """Every text field of the record except `notes`, where history may be told."""
    data = procedure.model_dump(mode="json", exclude={"notes"})
    found: dict[str, str] = {}

    def walk(value, where):
        if isinstance(value, str):
            found[where] = value
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}" if where else key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")

    walk(data, "")
    return found


def test_district_level_abolished_in_2025_is_mentioned_only_in_notes(curated):
    """Since 1 July 2025 there is no cấp huyện: time, fee, agency… must not present it as current."""
    for procedure in curated[0]:
        for where, text in _text_outside_notes(procedure).items():
            assert "cap huyen" not in folded_text(text), f"{procedure.id}: {where}: {text}"


def test_time_and_fee_fields_never_name_the_district_level(curated):
    for procedure in curated[0]:
        texts = [procedure.processing_time, procedure.fee.summary, procedure.fee.exemptions]
        texts += [t for c in procedure.channels for t in (c.processing_time, c.fee)]
        for text in filter(None, texts):
            assert "cap huyen" not in folded_text(text), f"{procedure.id}: {text}"


# --- bad files are reported by path and field, and do not stop the others ---------------------------

def _problems_by_file(problems):
    return {Path(p.path).name: p for p in problems}


def test_malformed_yaml_is_reported_and_the_others_load(tmp_path, write_record):
    write_record(tmp_path)
    (tmp_path / "broken.yml").write_text("id: broken\nname: [unclosed\n  field: x\n", encoding="utf-8")

    procedures, problems = load_records([tmp_path])

    assert [p.id for p in procedures] == ["dang-ky-nuoi-ong"]
    problem = _problems_by_file(problems)["broken.yml"]
    assert problem.path == str(tmp_path / "broken.yml")
    assert problem.field == "(file)"
    assert "YML" in problem.message or "YAML" in problem.message


@pytest.mark.parametrize(
    "field, value, reported_field",
    [
        ("updated", "not a date", "updated"),
        ("level", "commune", "level"),  # a string where a list is expected
        ("level", ["district"], "level.0"),  # cấp huyện no longer exists
        ("sources", [], "sources"),
        ("fee", "50.000 đồng", "fee"),
        ("id", "Đăng Ký", "id"),
    ],
)
def test_wrong_typed_field_is_reported_with_its_name_and_the_others_load(
    tmp_path, write_record, field, value, reported_field
):
    write_record(tmp_path)
    bad = write_record(tmp_path, filename="bad.yml", **{"id": "ban-ghi-loi", field: value})

    procedures, problems = load_records([tmp_path])

    assert [p.id for p in procedures] == ["dang-ky-nuoi-ong"]
    assert [(p.path, p.field) for p in problems] == [(str(bad), reported_field)]
    assert reported_field in str(problems[0]) and "bad.yml" in str(problems[0])


def test_unknown_field_is_reported_rather_than_ignored(tmp_path, write_record):
    bad = write_record(tmp_path, filename="typo.yml", procesing_time="5 ngày")

    procedures, problems = load_records([tmp_path])

    assert procedures == []
    assert [(p.path, p.field) for p in problems] == [(str(bad), "procesing_time")]


def test_non_utf8_file_is_reported_and_the_others_load(tmp_path, write_record):
    write_record(tmp_path)
    latin = tmp_path / "latin1.yml"
    latin.write_bytes("id: dang-ky-ket-hon\nname: Đăng ký kết hôn\n".encode("cp1258", errors="replace") + b"\xff\xfe")

    procedures, problems = load_records([tmp_path])

    assert [p.id for p in procedures] == ["dang-ky-nuoi-ong"]
    problem = _problems_by_file(problems)["latin1.yml"]
    assert problem.field == "(file)" and "UTF-8" in problem.message


def test_file_that_is_not_a_mapping_is_reported(tmp_path, write_record):
    write_record(tmp_path)
    (tmp_path / "list.yml").write_text("- just\n- a list\n", encoding="utf-8")
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")

    procedures, problems = load_records([tmp_path])

    assert [p.id for p in procedures] == ["dang-ky-nuoi-ong"]
    assert sorted(_problems_by_file(problems)) == ["empty.yml", "list.yml"]


def test_duplicate_id_is_reported_with_both_files_and_the_first_one_kept(tmp_path, write_record):
    first = write_record(tmp_path, filename="a.yml")
    second = write_record(tmp_path, filename="b.yml", name="Một bản ghi khác cùng id")

    procedures, problems = load_records([tmp_path])

    assert [(p.id, p.name) for p in procedures] == [("dang-ky-nuoi-ong", "Đăng ký nuôi ong mật")]
    assert [(p.path, p.field) for p in problems] == [(str(second), "id")]
    assert str(first) in problems[0].message


def test_every_kind_of_bad_file_at_once_is_reported_and_every_good_record_loads(tmp_path, write_record):
    write_record(tmp_path)
    write_record(tmp_path, id="dang-ky-tau-ca", name="Đăng ký tàu cá")
    (tmp_path / "broken.yml").write_text("name: [unclosed\n", encoding="utf-8")
    write_record(tmp_path, filename="wrong-type.yml", id="ban-ghi-loi", updated="sáng nay")
    (tmp_path / "latin1.yml").write_bytes(b"id: x\nname: \xd0\xe3ng k\xfd\n")
    write_record(tmp_path, filename="zz-duplicate.yml", name="Bản sao cùng id")

    procedures, problems = load_records([tmp_path])

    assert sorted(p.id for p in procedures) == ["dang-ky-nuoi-ong", "dang-ky-tau-ca"]
    assert sorted((Path(p.path).name, p.field) for p in problems) == [
        ("broken.yml", "(file)"),
        ("latin1.yml", "(file)"),
        ("wrong-type.yml", "updated"),
        ("zz-duplicate.yml", "id"),
    ]


def test_json_records_load_like_yaml_ones(tmp_path, write_record, record_fields):
    (tmp_path / "tau-ca.json").write_text(
        json.dumps(record_fields(id="dang-ky-tau-ca", name="Đăng ký tàu cá"), ensure_ascii=False), encoding="utf-8"
    )
    write_record(tmp_path)

    procedures, problems = load_records([tmp_path])

    assert problems == []
    assert sorted(p.id for p in procedures) == ["dang-ky-nuoi-ong", "dang-ky-tau-ca"]
