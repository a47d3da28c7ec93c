"""The command-line contract other tools depend on: `search --json`, `eval --questions`, and clear
errors with exit code 2 when the index or the question file cannot be used."""
from __future__ import annotations

import json

import pytest

from knowledge_base.__main__ import main

HIT_KEYS = {"id", "name", "score", "aspect"}
EVAL_KEYS = {"n", "in_scope", "recall_at_1", "recall_at_5", "mrr", "out_of_scope", "out_of_scope_rejected"}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# --- search ----------------------------------------------------------------------------------------------

def test_search_json_prints_a_list_of_hits_with_exactly_the_contract_keys(curated_env, capsys):
    code, out, err = run(["search", "đăng ký kết hôn cần giấy tờ gì", "--k", "5", "--json"], capsys)

    assert code == 0
    hits = json.loads(out)
    assert isinstance(hits, list) and 1 <= len(hits) <= 5
    assert all(set(hit) == HIT_KEYS for hit in hits)
    assert hits[0]["id"] == "dang-ky-ket-hon" and hits[0]["aspect"] == "documents"
    assert out.count("\n") == 1  # one line of JSON, nothing else on stdout


def test_search_json_keeps_vietnamese_names_readable(curated_env, capsys):
    _, out, _ = run(["search", "đăng ký kết hôn", "--json"], capsys)
    assert "Đăng ký kết hôn" in out


def test_search_k_limits_the_number_of_hits(curated_env, capsys):
    _, out, _ = run(["search", "đăng ký", "--k", "2", "--json"], capsys)
    assert len(json.loads(out)) <= 2


@pytest.mark.parametrize("question", ["công thức nấu phở bò", "giá vàng hôm nay"])
def test_search_json_prints_an_empty_list_for_an_out_of_scope_question(curated_env, capsys, question):
    code, out, _ = run(["search", question, "--json"], capsys)
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize("question", ["", "   ", "😀😀", "x" * 100_000, "<script>alert(1)</script>",
                                      "\udcff\udcfe"])  # the last: invalid UTF-8 bytes in argv
def test_search_json_prints_an_empty_list_for_an_invalid_question(curated_env, capsys, question):
    code, out, err = run(["search", question, "--json"], capsys)
    assert (code, json.loads(out)) == (0, [])
    assert "Traceback" not in err


def test_search_without_json_prints_a_readable_line_per_hit(curated_env, capsys):
    code, out, _ = run(["search", "làm hộ chiếu"], capsys)
    assert code == 0 and "cap-ho-chieu" in out.splitlines()[0]


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_search_modes_answer_through_the_same_contract(curated_env, capsys, mode):
    _, out, _ = run(["search", "đổi bằng lái xe", "--json", "--mode", mode], capsys)
    hits = json.loads(out)
    assert hits[0]["id"] == "doi-giay-phep-lai-xe" and set(hits[0]) == HIT_KEYS


# --- eval ------------------------------------------------------------------------------------------------

QUESTIONS = [
    {"question": "đăng ký kết hôn", "expected_id": "dang-ky-ket-hon", "style": "exact", "note": "ignored"},
    {"question": "lam ho chieu", "expected_id": "cap-ho-chieu", "style": "no_diacritics"},
    {"question": "dk tam tru", "expected_id": "dang-ky-tam-tru"},
    {"question": "công thức nấu phở bò", "expected_id": "dang-ky-khai-sinh"},  # a miss: nothing found
    {"question": "giá vàng hôm nay", "expected_id": None, "style": "out_of_scope"},
    {"question": "😀", "expected_id": None},  # invalid question: counts as rejected
    {"question": "đăng ký khai tử", "expected_id": None},  # answered although marked out of scope
]


@pytest.fixture
def question_file(tmp_path):
    path = tmp_path / "questions.jsonl"
    lines = [json.dumps(q, ensure_ascii=False) for q in QUESTIONS]
    lines.insert(3, "")  # blank lines are skipped
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_prints_one_json_object_with_exactly_the_contract_keys_as_its_last_line(
    curated_env, capsys, question_file
):
    code, out, _ = run(["eval", "--questions", str(question_file)], capsys)

    assert code == 0
    result = json.loads(out.strip().splitlines()[-1])
    assert set(result) == EVAL_KEYS
    assert result == {
        "n": 7, "in_scope": 4, "recall_at_1": 0.75, "recall_at_5": 0.75, "mrr": 0.75,
        "out_of_scope": 3, "out_of_scope_rejected": 0.6667,
    }


def test_eval_show_misses_keeps_the_result_as_the_last_stdout_line(curated_env, capsys, question_file):
    code, out, err = run(["eval", "--questions", str(question_file), "--show-misses"], capsys)

    assert code == 0
    assert set(json.loads(out.strip().splitlines()[-1])) == EVAL_KEYS
    missed = [json.loads(line)["question"] for line in err.strip().splitlines()]
    assert sorted(missed) == ["công thức nấu phở bò", "đăng ký khai tử"]


def test_eval_of_a_file_with_only_out_of_scope_questions_reports_null_recall(curated_env, capsys, tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text(json.dumps({"question": "giá vàng hôm nay", "expected_id": None}) + "\n", encoding="utf-8")

    _, out, _ = run(["eval", "--questions", str(path)], capsys)

    result = json.loads(out.strip().splitlines()[-1])
    assert result["in_scope"] == 0 and result["recall_at_1"] is None and result["out_of_scope_rejected"] == 1.0


@pytest.mark.parametrize(
    "content, complaint",
    [
        ('{"question": "đăng ký kết hôn", "expected_id": "dang-ky-ket-hon"}\n{not json\n', ":2: not JSON"),
        ('{"expected_id": "dang-ky-ket-hon"}\n', ":1: question"),
        ('{"question": 42, "expected_id": null}\n', ":1: question"),
        ('{"question": "đăng ký kết hôn", "expected_id": 7}\n', ":1: expected_id"),
        ('["đăng ký kết hôn", "dang-ky-ket-hon"]\n', ":1: question"),
    ],
)
def test_malformed_question_file_gets_a_clear_message_and_exit_code_2(
    curated_env, capsys, tmp_path, content, complaint
):
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")

    code, out, err = run(["eval", "--questions", str(path)], capsys)

    assert code == 2
    assert f"{path}{complaint}" in err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize("problem", ["missing", "not-utf8"])
def test_unreadable_question_file_gets_a_clear_message_and_exit_code_2(curated_env, capsys, tmp_path, problem):
    path = tmp_path / "questions.jsonl"
    if problem == "not-utf8":
        path.write_bytes(b'{"question": "\xff\xfe", "expected_id": null}\n')

    code, out, err = run(["eval", "--questions", str(path)], capsys)

    assert code == 2
    assert "cannot read questions" in err and out == ""


# --- no usable index -------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["search", "đăng ký kết hôn", "--json"], ["eval", "--questions", "q.jsonl"]])
def test_without_a_built_index_the_message_says_how_to_build_it(small_env, capsys, argv):
    code, out, err = run(argv, capsys)

    assert code == 2
    assert "python -m knowledge_base build" in err
    assert out == "" and "Traceback" not in err


def test_index_built_for_another_encoder_is_refused_with_exit_code_2(small_env, monkeypatch, capsys):
    assert main(["build"]) == 0
    monkeypatch.setenv("KB_ENCODER", "hashing-64")
    capsys.readouterr()

    code, out, err = run(["search", "đăng ký tàu cá", "--json"], capsys)

    assert code == 2 and "rebuild" in err and out == ""


def test_build_then_search_from_the_command_line(small_env, capsys):
    code, out, _ = run(["build"], capsys)
    assert code == 0 and "3 procedures" in out

    _, out, _ = run(["search", "đăng ký tàu cá", "--json"], capsys)
    assert json.loads(out)[0]["id"] == "dang-ky-tau-ca"


# --- check -----------------------------------------------------------------------------------------------

def test_check_reports_bad_records_by_file_and_field(small_env, small_records, write_record, capsys):
    assert run(["check"], capsys)[0] == 0
    bad = write_record(small_records, filename="bad.yml", id="ban-ghi-loi", updated="hôm qua")

    code, out, _ = run(["check"], capsys)

    assert code == 1
    assert f"{bad}: updated:" in out and "3 valid records, 1 problems" in out
