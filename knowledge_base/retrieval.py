"""Hybrid procedure search: BM25 and dense scores per passage, fused per procedure, with a
calibrated "no answer" threshold so out-of-scope questions get no procedure."""
from __future__ import annotations

from dataclasses import dataclass, field

import faiss
import numpy as np

from . import scope as scoping
from . import vectors
from .answerability import MODEL_FILE as NO_ANSWER_FILE
from .answerability import FeatureReader, NoAnswerModel
from .aspects import asked_aspect
from .config import Settings
from .index import BuiltIndex, IndexError_, load
from .normalize import MAX_QUERY_CHARS, clean, folded_text, has_words, looks_english
from .out_of_scope_phrases import load_phrases
from .ranking import best_first
from .reranker import DEPTH as RERANK_DEPTH
from .ages import age_order
from .example_questions import model_file
from .reranker import MODEL_FILE as RERANKER_FILE
from .reranker import CandidateFeatures, Reranker
from .thesaurus import Thesaurus
from .thesaurus import default as load_thesaurus
from .translate import english_to_vietnamese, search_texts
from .uncovered import Subject, UncoveredFields, default_fields
from .variants import group_numbers, representative

# Tuned on tests/knowledge_base/dev_questions.jsonl (never on the evaluation set): see README.
DENSE_WEIGHT = 0.1
# English questions are also matched in Vietnamese (translate.py), so the encoder's say on them is
# no larger than on Vietnamese ones: 0.5 → 0.1 raised recall@1 on tests/knowledge_base/english_dev.jsonl
ENGLISH_DENSE_WEIGHT = 0.1
DENSE_FLOOR = 0.25  # cosine below this says nothing about relatedness for this encoder
ASPECT_WEIGHT = {"overview": 1.0}
OTHER_ASPECT_WEIGHT = 0.8
NO_ANSWER_BELOW = 0.2  # used when the build was not calibrated (see calibration.py)
# A question naming a subject of a field the catalogue lacks (uncovered.py) that none of the
# UNCOVERED_CHECKED best choices mentions is answered only when the no-answer model is surer than its
# own bar (~0.35): from its uncovered_bar on (answerability.py).
UNCOVERED_CHECKED = 3
DENSE_CANDIDATES = 64
# A question encoded in int8 (KB_QUESTION_PRECISION, bert_int8.py) is scored again with its float32
# vector when int8's error could have changed a decision: its no-answer probability lies this close to a
# bar deciding it, or its two best choices' reranker confidences lie this close to each other. On the dev
# questions (dev, national_dev, english_dev; national and curated indexes) int8 moved the probability by
# 0.017 at the 99th percentile (0.021 at most) and the two best confidences' gap by 0.028 (a few
# outliers up to 0.15); see bench/README.md for how many questions are scored twice.
REFINE_MARGIN = 0.03
# The procedures with the best lexical evidence also get their exact dense evidence: outside the
# DENSE_CANDIDATES nearest passages a procedure would count 0 there while its rivals count ~0.6, which
# put "Trình báo mất hộ chiếu" below "Cấp hộ chiếu" for "report my lost passport" (dev: recall@1 up
# on all three dev sets; 16 and 64 gave the same)
LEXICAL_CANDIDATES_DENSE = 16


# How likely a citizen means a procedure before reading the question: curated records are the
# procedures citizens ask about most; an imported record is one of thousands of specialised ones,
# and one whose name still says district level (abolished 1 July 2025) is rarely the one meant.
CURATED_PRIOR = 1.0
IMPORTED_PRIOR = 0.85
ABOLISHED_LEVEL_PRIOR = 0.6
_ABOLISHED_IN_NAME = ("cap huyen", "ubnd huyen", "quan huyen")


def _rescaled(cosines: np.ndarray) -> np.ndarray:
    """Cosines as dense evidence: 0 at DENSE_FLOOR and below, 1 at 1."""
    return np.clip((cosines - DENSE_FLOOR) / (1 - DENSE_FLOOR), 0, 1)


def procedure_prior(procedure) -> float:
    prior = CURATED_PRIOR if procedure.origin == "curated" else IMPORTED_PRIOR
    if any(marker in folded_text(procedure.name) for marker in _ABOLISHED_IN_NAME):
        prior *= ABOLISHED_LEVEL_PRIOR
    return prior


class InvalidQuery(ValueError):
    """A question that cannot be searched; the message is safe to show to a person."""


@dataclass(frozen=True)
class Hit:
    id: str
    name: str
    score: float
    aspect: str
    official_code: list[str] = field(default_factory=list)
    lexical: float = 0.0
    dense: float = 0.0
    variants: tuple[str, ...] = ()  # the same procedure at other levels or places (variants.py)
    # the reranker's probability that this is the procedure meant, among the choices it reordered
    # (None without a reranker): how close two choices really are, whatever their fused scores
    confidence: float | None = None

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4), "aspect": self.aspect}


def validate_query(query: object) -> str:
    if isinstance(query, bytes):
        try:
            query = query.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidQuery("the question is not valid UTF-8 text") from None
    if not isinstance(query, str):
        raise InvalidQuery("the question must be text")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the question is longer than {MAX_QUERY_CHARS} characters")
    text = clean(query)
    if not has_words(text):
        raise InvalidQuery("the question has no words to search for")
    return text


class ProcedureScores:
    """Per-procedure evidence for one question."""

    def __init__(self, n: int):
        self.lexical = np.zeros(n, dtype=np.float32)
        self.lexical_passage = np.full(n, -1, dtype=np.int64)
        self.dense = np.zeros(n, dtype=np.float32)
        self.dense_passage = np.full(n, -1, dtype=np.int64)
        self.fused = np.zeros(n, dtype=np.float32)  # set by ProcedureSearch.fuse
        self.query_terms: list[str] = []
        self.texts: list[str] = []  # the question as searched: as typed, and translated when English
        self.passage_lexical: np.ndarray | None = None  # per passage, the lexical score (reranker features)


class ProcedureSearch:
    def __init__(self, index: BuiltIndex, *, dense_weight: float = DENSE_WEIGHT,
                 english_dense_weight: float = ENGLISH_DENSE_WEIGHT,
                 no_answer_below: float | None = None, use_lexical: bool = True, use_dense: bool = True,
                 no_answer_model: NoAnswerModel | None | bool = True, thesaurus: Thesaurus | None | bool = True,
                 translate: bool = True, reranker: Reranker | None | bool = True,
                 uncovered: UncoveredFields | None | bool = True, background: "ProcedureSearch | None" = None,
                 out_of_scope: bool = True):
        self.index = index
        # the wider catalogue a deployment holding only some procedures declines the others with (scope.py)
        self.background = background
        # questions no procedure answers, beside how citizens ask for procedures (out_of_scope.py)
        self.declined = index.out_of_scope if out_of_scope else None
        # and what a question asks that no procedure answers: advice, a fine's amount (out_of_scope_phrases.yml)
        self.phrases = load_phrases()
        self.scope = scoping.Scope(index.procedures.values()) if background is not None else None
        # subjects of fields the catalogue has no procedures of (uncovered_fields.yml)
        self.uncovered = default_fields() if uncovered is True else (uncovered or None)
        self._mentioned: dict[int, set[str]] = {}  # per procedure, the uncovered subjects its record mentions
        self.translate = translate  # English questions also searched in Vietnamese (translate.py)
        # everyday words -> official wording (thesaurus_vi.yml); a broken file is refused with its name and line
        self.thesaurus = load_thesaurus() if thesaurus is True else (thesaurus or None)
        self.dense_weight = dense_weight if use_lexical and use_dense else (1.0 if use_dense else 0.0)
        self.english_dense_weight = english_dense_weight
        calibrated = index.manifest.get("calibration", {}).get("no_answer_below")
        self.no_answer_below = no_answer_below if no_answer_below is not None else (
            calibrated if calibrated is not None else NO_ANSWER_BELOW)
        self.use_lexical = use_lexical
        self.use_dense = use_dense
        self._aspect_weight = np.array(
            [ASPECT_WEIGHT.get(p.aspect, OTHER_ASPECT_WEIGHT) for p in index.passages], dtype=np.float32
        )
        self._is_name = np.array([p.is_name for p in index.passages], dtype=bool)
        faiss.omp_set_num_threads(1)  # one query at a time: a second thread only adds contention
        self.prior = np.array([procedure_prior(index.procedures[i]) for i in index.procedure_ids], dtype=np.float32)
        # variants of one procedure (same name, other level or place) are one choice in the results
        procedures = [index.procedures[i] for i in index.procedure_ids]
        self.groups = group_numbers(procedures)
        self._levels = [p.level for p in procedures]
        sizes = np.bincount(self.groups)
        self._variants = {int(g): np.nonzero(self.groups == g)[0] for g in np.nonzero(sizes > 1)[0]}
        # the fitted no-answer model (answerability.py) serves hybrid search with the encoder it was
        # fitted for; otherwise, and when a threshold is given explicitly, the calibrated threshold decides
        examples = bool(index.manifest.get("example_questions"))  # the models were fitted with them or not
        model = (NoAnswerModel.load(model_file(NO_ANSWER_FILE, examples)) if no_answer_model is True
                 else (no_answer_model or None))
        usable = (model is not None and no_answer_below is None and use_lexical and use_dense
                  and model.encoder == index.manifest.get("model"))
        self.no_answer_model = model if usable else None
        self._features = FeatureReader(index, self.groups) if usable else None
        # the learned reranker (reranker.py) likewise serves only hybrid search with its own encoder
        reranker = Reranker.load(model_file(RERANKER_FILE, examples)) if reranker is True else (reranker or None)
        self.reranker = reranker if (reranker is not None and use_lexical and use_dense
                                     and reranker.encoder == index.manifest.get("model")) else None
        self._candidate_features = CandidateFeatures(index) if self.reranker is not None else None
        # int8 question vectors (encoder.py): questions near a decision's bar are scored again exactly
        self._approximate = use_dense and bool(getattr(index.encoder, "approximate", False))
        self._vectors = vectors.stored_vectors(index.dense) if use_dense and use_lexical else None
        rows_of: dict[int, list[int]] = {}
        for row, passage in enumerate(index.dense_rows):
            rows_of.setdefault(int(index.passage_procedure[passage]), []).append(row)
        self._dense_rows_of = {k: np.array(v, dtype=np.int64) for k, v in rows_of.items()}

    def score_procedures(self, text: str) -> "ProcedureScores":
        """Lexical and dense evidence for every procedure (the best passage of each)."""
        n_procedures = len(self.index.procedure_ids)
        scores = ProcedureScores(n_procedures)
        # an English question is also searched in Vietnamese (translate.py): curated records have
        # English names, imported ones only Vietnamese
        scores.texts = search_texts(text) if self.translate else [text]
        if self.use_lexical:
            # the question as typed and its rewrites in official wording: per passage the better score
            # counts, and the words of the version that matched best explain the match
            best = None
            rewrites = self.thesaurus.rewrites(text) if self.thesaurus else ()
            vietnamese = not looks_english(text)
            for number, variant in enumerate([*scores.texts, *rewrites]):
                terms = self.index.lexical.query_terms(variant, vietnamese=vietnamese)
                passage_lexical = self._lexical_passages(terms)
                if number == 0 or (passage_lexical is not None and (
                        best is None or passage_lexical.max() > best.max())):
                    scores.query_terms = terms
                if passage_lexical is not None:
                    best = passage_lexical if best is None else np.maximum(best, passage_lexical)
            if best is not None:
                scores.passage_lexical = best
                self._best_per_procedure(best, scores.lexical, scores.lexical_passage)
        if self.use_dense:
            self._add_dense(scores, self.index.encoder.encode_queries([text])[0])
        scores.fused = self.fuse(scores.lexical, scores.dense, self.dense_weight_for(text))
        return scores

    def exactly_scored(self, text: str, scores: ProcedureScores) -> ProcedureScores:
        """The question's scores again, its dense evidence from its float32 vector (the lexical evidence
        is the same): for an int8-encoded question whose decision lies within int8's error."""
        exact = ProcedureScores(len(self.index.procedure_ids))
        exact.lexical, exact.lexical_passage = scores.lexical, scores.lexical_passage
        exact.query_terms, exact.texts, exact.passage_lexical = scores.query_terms, scores.texts, scores.passage_lexical
        self._add_dense(exact, self.index.encoder.exact_queries([text])[0])
        exact.fused = self.fuse(exact.lexical, exact.dense, self.dense_weight_for(text))
        return exact

    def _add_dense(self, scores: ProcedureScores, query_vector: np.ndarray) -> None:
        """Per procedure, the best passage's cosine (rescaled above DENSE_FLOOR, weighted by aspect)."""
        cosines, numbers = vectors.search_vectors(self.index.dense, query_vector, DENSE_CANDIDATES)
        keep = numbers >= 0
        passage_scores = np.zeros(len(self.index.passages), dtype=np.float32)
        passage_scores[self.index.dense_rows[numbers[keep]]] = _rescaled(cosines[keep])
        if self._vectors is not None:
            lexical_best = best_first(scores.lexical, LEXICAL_CANDIDATES_DENSE)
            rows = [self._dense_rows_of[p] for p in lexical_best.tolist()
                    if scores.lexical[p] > 0 and p in self._dense_rows_of]
            if rows:
                rows = np.concatenate(rows)
                cosines = self._vectors[rows] @ np.asarray(query_vector, dtype=np.float32)
                passage_scores[self.index.dense_rows[rows]] = _rescaled(cosines)
        self._best_per_procedure(passage_scores * self._aspect_weight, scores.dense, scores.dense_passage)

    def _lexical_passages(self, terms: list[str]) -> np.ndarray | None:
        """BM25 share of the question each passage matches (names must match both ways)."""
        shares = self.index.lexical.shares(terms)
        if shares is None:
            return None
        query_covered, both = shares
        return np.where(self._is_name, both, query_covered * self._aspect_weight)

    def fuse(self, lexical: np.ndarray, dense: np.ndarray, dense_weight: float) -> np.ndarray:
        """One score per procedure: the weighted evidence times the procedure's prior."""
        return ((1 - dense_weight) * lexical + dense_weight * dense) * self.prior

    def dense_weight_for(self, text: str) -> float:
        """The packaged encoder only understands English: its say weighs more on English questions."""
        if not (self.use_lexical and self.use_dense):
            return self.dense_weight
        return self.english_dense_weight if looks_english(text) else self.dense_weight

    def search(self, query: object, k: int = 5, *, with_rejected: bool = False, level: str | None = None) -> list[Hit]:
        """The k best procedures for the question; empty when none is good enough. `level` is the
        citizen's own level (commune, province) when known: of a procedure's variants, that one is shown."""
        text = validate_query(query)
        scores = self.score_procedures(text)
        order, confidences, probability = self._decisions(text, scores, k, level, with_rejected)
        if self._approximate and self._within_int8_error(text, confidences, probability):
            scores = self.exactly_scored(text, scores)
            order, confidences, probability = self._decisions(text, scores, k, level, with_rejected)
        question_aspect = asked_aspect(text)
        threshold = self.no_answer_below
        if self.no_answer_model is not None:
            if probability is not None:
                if probability < self.no_answer_model.threshold:
                    return []
                if (probability < self.no_answer_model.uncovered_bar
                        and self.unmentioned_subjects(text, [c[0] for c in order])):
                    return []
            threshold = 0.0  # the model decided for the question as a whole
        # asked like a question no procedure answers, not like one citizens ask for a procedure (out_of_scope.py)
        if not with_rejected and self.declined is not None and self.declined.declines(
                text, probability, phrased=self.asks_beyond_procedures(text)):
            return []
        hits = []
        for rank, (number, score, variants) in enumerate(order):
            if score <= 0 or (score < threshold and not with_rejected):
                break
            passage = (scores.lexical_passage[number] if scores.lexical[number] >= scores.dense[number]
                       else scores.dense_passage[number])
            procedure = self.index.procedures[self.index.procedure_ids[number]]
            hits.append(Hit(
                id=procedure.id, name=procedure.name, score=score,
                aspect=question_aspect or self.index.passages[passage].aspect,
                official_code=list(procedure.official_code),
                lexical=float(scores.lexical[number]), dense=float(scores.dense[number]),
                variants=tuple(self.index.procedure_ids[v] for v in variants if v != number),
                confidence=None if confidences is None else float(confidences[rank]),
            ))
        if hits and not with_rejected and self.outside_scope(text, level) is not None:
            return []
        return hits

    def asks_beyond_procedures(self, text: str) -> bool:
        """Whether the question holds a phrase of what no procedure answers (out_of_scope_phrases.yml)."""
        return self.phrases.found(text) is not None

    def asked_out_of_scope(self, query: object) -> bool:
        """Whether the question is asked like one no procedure answers (out_of_scope.py), whatever the
        no-answer model says; False when the check is off or the index has nothing to compare."""
        return self.declined is not None and self.declined.asked_like(validate_query(query))

    def outside_scope(self, query: object, level: str | None = None) -> Hit | None:
        """With a background catalogue: its procedure the question is about when this index does not hold
        it (nor a close choice beside it). None without a background."""
        if self.background is None:
            return None
        return scoping.outside_scope(self.background, self.scope, validate_query(query), level)

    def ranked(self, fused: np.ndarray, k: int, level: str | None = None) -> list[tuple[int, float, list[int]]]:
        """The k best procedures, one per group of variants: (procedure shown, the group's best score,
        the group's members)."""
        out: list[tuple[int, float, list[int]]] = []
        seen: set[int] = set()
        for number in best_first(fused, 4 * k + 16):  # a few groups of variants fit in this window
            group = int(self.groups[number])
            if group in seen:
                continue
            seen.add(group)
            members = self._variants.get(group)
            if members is None:
                out.append((int(number), float(fused[number]), []))
            else:
                members = sorted(members.tolist(), key=lambda m: -float(fused[m]))
                out.append((representative(members, fused, self._levels, level), float(fused[number]), members))
            if len(out) == k:
                break
        return out

    def reranked(self, scores: ProcedureScores, k: int, level: str | None = None
                 ) -> list[tuple[int, float, list[int]]]:
        """The k best choices after the learned reranker reordered the RERANK_DEPTH best by fused score
        (each keeps its fused score: the no-answer decision and the callers' thresholds read that)."""
        return self.reranked_with_confidence(scores, k, level)[0]

    def reranked_with_confidence(self, scores: ProcedureScores, k: int, level: str | None = None
                                 ) -> tuple[list[tuple[int, float, list[int]]], np.ndarray]:
        """`reranked`, and per choice the reranker's probability (a softmax over the choices it reordered)."""
        candidates = [c for c in self.ranked(scores.fused, max(k, RERANK_DEPTH), level) if c[1] > 0]
        if len(candidates) < 2:
            return candidates[:k], np.ones(len(candidates[:k]))
        values = self.reranker.scores(self.candidate_features(scores, candidates))
        order = np.argsort(-values, kind="stable")
        probabilities = np.exp(values[order] - values[order[0]])
        probabilities /= probabilities.sum()
        return [candidates[i] for i in order[:k]], probabilities[:k]

    def candidate_features(self, scores: ProcedureScores, candidates: list[tuple[int, float, list[int]]]) -> np.ndarray:
        if self._candidate_features is None:  # built once: it reads every procedure's name
            self._candidate_features = CandidateFeatures(self.index)
        reader = self._candidate_features
        return reader.features(scores.query_terms, candidates, scores.lexical, scores.dense,
                               scores.passage_lexical, scores.texts)

    def _decisions(self, text: str, scores: ProcedureScores, k: int, level: str | None, with_rejected: bool
                   ) -> tuple[list[tuple[int, float, list[int]]], np.ndarray | None, float | None]:
        """The choices in order, the reranker's confidence in each, and the no-answer model's probability
        (None when it does not decide: no model, or the rejected choices are wanted too)."""
        depth = max(k, RERANK_DEPTH)
        if self.reranker is not None:
            order, confidences = self.reranked_with_confidence(scores, depth, level)
        else:
            order, confidences = self.ranked(scores.fused, depth, level), None
        # a question giving an age: of a procedure's age variants, the one for that age first (ages.py)
        procedures = [self.index.procedures[self.index.procedure_ids[c[0]]] for c in order]
        positions = age_order(text, [(p.name, p.name_en) for p in procedures])
        order = [order[p] for p in positions][:k]
        if confidences is not None:
            confidences = confidences[positions][:k]
        probability = None
        if self.no_answer_model is not None and not with_rejected:
            probability = self.answer_probability(text, scores)
        return order, confidences, probability

    def _within_int8_error(self, text: str, confidences: np.ndarray | None, probability: float | None) -> bool:
        """Whether an int8 question vector could have decided differently from its float32 one: the
        no-answer probability within REFINE_MARGIN of a bar that decides this question, or the two best
        choices' confidences within REFINE_MARGIN of each other."""
        if confidences is not None and len(confidences) > 1 and confidences[0] - confidences[1] < REFINE_MARGIN:
            return True
        if probability is None:
            return False
        if abs(probability - self.no_answer_model.threshold) < REFINE_MARGIN:
            return True
        # the stricter bar decides only questions naming an uncovered subject: looked for only near it
        return (abs(probability - self.no_answer_model.uncovered_bar) < REFINE_MARGIN and self.uncovered is not None
                and bool(self.uncovered.subjects(text)))

    def answer_probability(self, text: str, scores: ProcedureScores) -> float:
        """The fitted no-answer model's probability that the best procedure answers the question."""
        return float(self.no_answer_model.probability(self.question_features(text, scores))[0])

    def unmentioned_subjects(self, text: str, numbers: list[int], english: bool | None = None) -> set[Subject]:
        """The subjects of uncovered fields the question names that none of the UNCOVERED_CHECKED best
        choices (procedure numbers, best first) mentions anywhere in its record (`english`: as
        `UncoveredFields.subjects`)."""
        if self.uncovered is None:
            return set()
        subjects = self.uncovered.subjects(text, english)
        for number in numbers[:UNCOVERED_CHECKED]:
            if not subjects:
                break
            mentioned = self._mentioned.get(number)
            if mentioned is None:
                mentioned = self._mentioned[number] = self.uncovered.mentioned(
                    [self.index.passages[i].text for i in self.index.record_passages_of(number)])
            subjects = {s for s in subjects if s.phrase not in mentioned}
        return subjects

    def uncovered_subjects(self, text: str, hits: list[Hit]) -> set[Subject]:
        """The subjects of uncovered fields the question names that none of its best hits (as
        `search(text, with_rejected=True)` gave them) mentions: what to tell a citizen whose question
        found no procedure ("thuộc lĩnh vực Y tế"), without searching again. An English question is read
        in its Vietnamese search text too ("work permit": "giấy phép lao động", translate.py), but only
        for this telling: the search's own check (`unmentioned_subjects`, whose bar is fitted with the
        no-answer model) reads the question as asked."""
        numbers = [self.index.procedure_numbers[h.id] for h in hits]
        subjects = self.unmentioned_subjects(text, numbers)
        translation = english_to_vietnamese(text) if self.translate else None
        if translation:  # a word the glossary left in English is no Vietnamese subject ("in an" is not "in ấn")
            subjects |= self.unmentioned_subjects(translation, numbers, english=True)
        return subjects

    def answers(self, text: str, scores: ProcedureScores) -> bool:
        """Whether the best procedure really answers the question (the fitted no-answer model)."""
        if self.no_answer_model is None:
            return float(scores.fused.max(initial=0.0)) >= self.no_answer_below
        return self.no_answer_model.answers(self.question_features(text, scores))

    def question_features(self, text: str, scores: ProcedureScores) -> np.ndarray:
        if self._features is None:  # built once: it sorts every passage by procedure
            self._features = FeatureReader(self.index, self.groups)
        reader = self._features
        return reader.features(text, scores.query_terms, scores.fused, scores.lexical, scores.dense)

    def _best_per_procedure(self, passage_scores: np.ndarray, best: np.ndarray, best_passage: np.ndarray) -> None:
        """Per procedure, the best passage score and which passage gave it."""
        candidates = np.nonzero(passage_scores > 0)[0]
        owners = self.index.passage_procedure[candidates]
        values = passage_scores[candidates]
        np.maximum.at(best, owners, values)
        winners = values >= best[owners]
        best_passage[owners[winners]] = candidates[winners]


def load_search(settings: Settings, **options) -> ProcedureSearch:
    """The search the settings describe: their index, and the background catalogue if one is set."""
    background_settings = settings.background()
    background = None
    if background_settings is not None:
        try:  # its own records are in its build; only the encoder must match
            background = ProcedureSearch(load(background_settings, check_corpus=False), **options)
        except IndexError_ as error:
            raise IndexError_(
                f"background index (KB_BACKGROUND_INDEX_DIR={settings.background_index_dir}): {error} "
                f"(it is built like any index: KB_INDEX_DIR={settings.background_index_dir} with the whole "
                "catalogue's records, the default KB_RECORDS_DIRS; scripts/setup builds var/index)") from None
    return ProcedureSearch(load(settings), background=background, **options)
