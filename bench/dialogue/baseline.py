"""The baseline: Rasa's own ResponseSelector trained on the same curated procedures, as a throw-away
Rasa project in a temporary folder. One retrieval intent `procedure/<id>` per curated record (its name
and aliases are the training examples), a response naming it, and a rule answering it. Greetings and
out-of-scope examples come from our own NLU data, so the baseline can decline what ours declines."""
from __future__ import annotations

from pathlib import Path

import yaml

# Modest epochs so training stays within a few minutes on 2 busy cores. DIET only tells procedure
# questions from greetings and out-of-scope here (4 intents), so it gets no transformer, as in ours.
DIET_EPOCHS = 60
RESPONSE_SELECTOR_EPOCHS = 100


def _examples(texts: list[str], taken: set[str]) -> str:
    """Training examples as Rasa's "- example" block; square brackets would read as entity markup,
    and an example already used by another intent is left out rather than made contradictory."""
    lines = []
    for text in texts:
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
        if text and text.lower() not in taken:
            taken.add(text.lower())
            lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


def _repo_examples(path: Path, intent: str) -> list[str]:
    for block in yaml.safe_load(path.read_text("utf-8"))["nlu"]:
        if block.get("intent") == intent:
            return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    return []


def write_project(project: Path, curated: Path, repo_nlu: Path) -> int:
    """Writes config, domain, NLU and rules into `project`; returns the number of procedures."""
    records = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(curated.glob("*.yml"))]
    taken: set[str] = set()
    nlu = []
    responses = {
        "utter_greet": [{"text": "Xin chào!"}],
        "utter_goodbye": [{"text": "Tạm biệt!"}],
        "utter_out_of_scope": [{"text": "Xin lỗi, tôi không trả lời được câu này."}],
    }
    for record in records:
        texts = [record["name"], *(record.get("aliases") or []), *(record.get("aliases_en") or [])]
        if record.get("name_en"):
            texts.append(record["name_en"])
        nlu.append({"intent": f"procedure/{record['id']}", "examples": _examples(texts, taken)})
        # The id in brackets lets the benchmark read the selected procedure from the REST reply.
        responses[f"utter_procedure/{record['id']}"] = [{"text": f"Thủ tục: {record['name']} [{record['id']}]"}]
    for intent, source in (("greet", "chitchat.yml"), ("goodbye", "chitchat.yml"),
                           ("out_of_scope", "out_of_scope.yml")):
        nlu.append({"intent": intent, "examples": _examples(_repo_examples(repo_nlu / source, intent), taken)})

    (project / "data").mkdir(parents=True, exist_ok=True)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)  # noqa: E731
    (project / "data" / "nlu.yml").write_text(dump({"version": "3.1", "nlu": nlu}), "utf-8")
    (project / "data" / "rules.yml").write_text(dump({"version": "3.1", "rules": [
        {"rule": "answer a procedure question", "steps": [{"intent": "procedure"}, {"action": "utter_procedure"}]},
        {"rule": "greet", "steps": [{"intent": "greet"}, {"action": "utter_greet"}]},
        {"rule": "goodbye", "steps": [{"intent": "goodbye"}, {"action": "utter_goodbye"}]},
        {"rule": "out of scope", "steps": [{"intent": "out_of_scope"}, {"action": "utter_out_of_scope"}]},
    ]}), "utf-8")
    (project / "domain.yml").write_text(dump({
        "version": "3.1",
        "intents": ["procedure", "greet", "goodbye", "out_of_scope"],
        "responses": responses,
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": False},
    }), "utf-8")
    (project / "config.yml").write_text(dump({
        "recipe": "default.v1",
        "language": "vi",
        "assistant_id": "bench-response-selector",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
            {"name": "DIETClassifier", "epochs": DIET_EPOCHS, "number_of_transformer_layers": 0,
             "constrain_similarities": True, "random_seed": 42},
            {"name": "ResponseSelector", "epochs": RESPONSE_SELECTOR_EPOCHS, "retrieval_intent": "procedure",
             "constrain_similarities": True, "random_seed": 42},
        ],
        "policies": [{"name": "RulePolicy"}],
    }), "utf-8")
    (project / "endpoints.yml").write_text("tracker_store:\n  type: InMemoryTrackerStore\n", "utf-8")
    (project / "credentials.yml").write_text("rest:\n", "utf-8")
    return len(records)


def train_argv(rasa_bin: Path, project: Path) -> list[str]:
    """The `rasa train` command for the project (run it with cwd=project: Rasa's cache goes there)."""
    return [str(rasa_bin), "train", "--fixed-model-name", "response-selector", "--out", str(project / "models")]


def model_path(project: Path) -> Path:
    return project / "models" / "response-selector.tar.gz"


def selected_procedure(parsed: dict) -> str | None:
    """The procedure id a `/model/parse` result would answer with, or None when the predicted intent
    is not the procedure retrieval intent (greeting, out of scope)."""
    if (parsed.get("intent") or {}).get("name") != "procedure":
        return None
    for selector in (parsed.get("response_selector") or {}).values():
        if not isinstance(selector, dict):
            continue
        key = (selector.get("response") or {}).get("intent_response_key") or ""
        if key.startswith("procedure/"):
            return key.split("/", 1)[1]
    return None
