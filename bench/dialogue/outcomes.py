"""What a system did with one evaluation question: answered a procedure (right or wrong), offered
buttons to choose between procedures, or declined; and the shares over the evaluation set."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

CHOOSE_PAYLOAD = "/choose_procedure"


def choice_prompts(domain_file: Path) -> set[str]:
    """The texts of our "which procedure do you mean?" response, every language variant."""
    domain = yaml.safe_load(domain_file.read_text("utf-8"))
    return {variant["text"] for variant in domain["responses"]["utter_choose_procedure"]}


def our_outcome(replies: list[dict], procedure_id: str | None, choose_texts: set[str]) -> tuple[str | None, list[str]]:
    """(procedure answered, procedures offered as buttons) for our bot's first turn of a conversation.
    A new conversation has no procedure under discussion, so a set `procedure_id` slot is this turn's
    answer; the "nearest procedures" buttons of a not-found reply are not a choice offered."""
    choices = []
    if any(reply.get("text") in choose_texts for reply in replies):
        for reply in replies:
            for button in reply.get("buttons") or []:
                payload = button.get("payload") or ""
                if payload.startswith(CHOOSE_PAYLOAD):
                    choices.append(json.loads(payload[len(CHOOSE_PAYLOAD):]).get("procedure_id"))
    return (None if choices else procedure_id), choices


def tally(outcomes: list[tuple[str | None, list[str]]], expected: list[str | None]) -> dict:
    """Counts over the questions; `expected` is None for an out-of-scope question."""
    counts = dict.fromkeys(["in_scope", "out_scope", "right", "choice_with_right", "wrong", "declined_in",
                            "declined_out"], 0)
    for (answer, choices), wanted in zip(outcomes, expected):
        if wanted:
            counts["in_scope"] += 1
            if answer == wanted:
                counts["right"] += 1
            elif wanted in choices:
                counts["choice_with_right"] += 1
            elif answer or choices:
                counts["wrong"] += 1
            else:
                counts["declined_in"] += 1
        else:
            counts["out_scope"] += 1
            counts["declined_out"] += not answer and not choices
    return counts


def share(counts: dict, key: str) -> float | None:
    total = counts["out_scope"] if key == "declined_out" else counts["in_scope"]
    return counts[key] / total if total else None
