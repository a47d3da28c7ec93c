"""Demo data (`python -m store demo`): a few months of clearly-marked survey invitations, ratings, alerts
and unanswered questions for several units of the demo province, so a fresh install shows a living
dashboard.

Everything goes through the code the real survey uses — `surveys.issue_invitation`, `ratings.submit_rating`
(which raises the alerts), `alerts.update_alert`, `questions.log_unanswered_question` — and only afterwards,
in one transaction, are the rows' timestamps moved back into the past months (with the agency's own
assessment of each dossier, which the one-stop software would send later: one write instead of one per
rating). Demo rows are marked, without any schema change: ratings, alerts and unanswered questions
have a conversation id starting with `demo-`, invitations a channel starting with `demo-` (and one-dossier
codes starting with `DEMO-`). Same seed and same day give the same data. Texts and proportions: demo.yml.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import delete, func, or_, select, update

from .db import REPO_ROOT, database, is_production
from .models import Alert, Rating, SurveyInvitation, UnansweredQuestion

DEMO_PREFIX = "demo-"
DOSSIER_PREFIX = "DEMO-"
DATA_FILE = Path(__file__).with_name("demo.yml")
CURATED_RECORDS = REPO_ROOT / "knowledge_base" / "records" / "curated"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_MONTHS = 6
MAX_MONTHS = 36
DEFAULT_SEED = 61  # Decree 61/2018, for want of a better reason

# shares of the ways a rating arrives, and of the other random choices (tuned by eye on the dashboard)
# (a poster or chat survey is a return without an issue of its own, so these keep the response rate below 100 %)
DOSSIER_VISITS, POSTER_VISITS = 0.8, 0.12  # the rest: a survey started in a chat, no link
DOSSIER_LINK_ANSWERED = 0.6
AGENCY_ASSESSED = 0.8
SIPAS_ANSWERED = 0.6
COMMENTED = 0.35
REVISED = 0.03
ENGLISH = 0.05
CITIZEN_POINTS = {"very_satisfied": (0.9, 0.1, 0.0), "satisfied": (0.6, 0.35, 0.05),
                  "dissatisfied": (0.2, 0.4, 0.4)}  # chances of 2, 1, 0 points
# 0 points for attitude means "gây phiền hà, nhũng nhiễu" (an alert of its own): rarer than other zeros
ATTITUDE_POINTS = {"very_satisfied": (0.95, 0.05, 0.0), "satisfied": (0.7, 0.3, 0.0),
                   "dissatisfied": (0.35, 0.5, 0.15)}
SIPAS_CHOICES = {"very_satisfied": (5, 5, 5, 4), "satisfied": (4, 4, 4, 3, 5), "dissatisfied": (1, 2, 2, 3, 3)}


class DemoRefused(RuntimeError):
    """The demo command will not run here (production without --force, or demo data already present)."""


@dataclass
class DemoSummary:
    units: list[str]
    start: dt.date
    end: dt.date
    invitations: int = 0
    ratings: int = 0
    alerts: int = 0
    questions: int = 0

    def __str__(self) -> str:
        return (f"demo data for {len(self.units)} units, {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}: "
                f"{self.invitations} survey links, {self.ratings} ratings, {self.alerts} alerts, "
                f"{self.questions} unanswered questions")


# ------------------------------------------------------------------ which rows are demo rows
def _demo_clauses():
    prefix = dict(autoescape=True)
    demo_ratings = select(Rating.id).where(Rating.conversation_id.startswith(DEMO_PREFIX, **prefix))
    return {
        Alert: or_(Alert.conversation_id.startswith(DEMO_PREFIX, **prefix), Alert.rating_id.in_(demo_ratings)),
        Rating: Rating.conversation_id.startswith(DEMO_PREFIX, **prefix),
        # an invitation a real rating points at is kept, so removing the demo never breaks real data
        SurveyInvitation: SurveyInvitation.channel.startswith(DEMO_PREFIX, **prefix)
        & ~SurveyInvitation.id.in_(select(Rating.invitation_id).where(
            Rating.invitation_id.is_not(None), ~Rating.conversation_id.startswith(DEMO_PREFIX, **prefix))),
        UnansweredQuestion: UnansweredQuestion.conversation_id.startswith(DEMO_PREFIX, **prefix),
    }


def demo_counts() -> dict[str, int]:
    """Demo rows per table."""
    with database().session() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model).where(clause))
                for model, clause in _demo_clauses().items()}


def has_demo_data() -> bool:
    return any(demo_counts().values())


def has_ratings() -> bool:
    """Any rating at all, demo or real."""
    with database().session() as session:
        return session.scalar(select(Rating.id).limit(1)) is not None


def remove_demo_data() -> dict[str, int]:
    """Delete the demo rows (alerts first, for the foreign keys), in one transaction; real rows stay."""
    removed = {}
    with database().session() as session:
        for model, clause in _demo_clauses().items():
            removed[model.__tablename__] = session.execute(
                delete(model).where(clause).execution_options(synchronize_session=False)).rowcount
    return removed


# ------------------------------------------------------------------ generating
def _data() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def _months(today: dt.date, count: int) -> list[tuple[int, int]]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _working_days(year: int, month: int, today: dt.date) -> list[dt.date]:
    """Monday to Friday, and Saturday (some desks open in the morning), up to today."""
    days = [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return [d for d in days if d <= today and d.weekday() < 6]


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _procedures(unit) -> list[str]:
    known = {p.stem for p in CURATED_RECORDS.glob("*.yml")}
    return [p for p in unit.procedures if not known or p in known]


@dataclass
class _Visit:
    when: dt.datetime  # the citizen was served (UTC)
    rated: Optional[dt.datetime]  # the survey was submitted (UTC), None when a dossier link went unanswered
    unit: str
    desk: Optional[str]
    kind: str  # dossier | poster | chat
    channel: str
    overall: str
    procedure: Optional[str]
    dossier: Optional[str] = None
    comment: Optional[str] = None
    language: str = "vi"
    citizen: dict = field(default_factory=dict)
    sipas: dict = field(default_factory=dict)
    agency: Optional[dict] = None
    revision: Optional[dt.datetime] = None  # when the citizen submitted again for the same dossier


def _plan(rng: random.Random, data: dict, unit_list, months: list[tuple[int, int]], today: dt.date,
          now: dt.datetime, scale: float) -> list[_Visit]:
    visits: list[_Visit] = []
    for unit_number, (unit, profile) in enumerate(unit_list, start=1):
        procedures = _procedures(unit)
        sequence = 0
        for year, month in months:
            days = _working_days(year, month, today)
            if not days:
                continue
            share = len(days) / len(_working_days(year, month, dt.date(year, month, 28) + dt.timedelta(days=7)))
            count = max(1, round(profile["per_month"] * scale * share * rng.uniform(0.75, 1.25)))
            for _ in range(count):
                day = rng.choice(days)
                latest = 11 * 60 if day.weekday() == 5 else 16 * 60 + 30
                minute = rng.randint(7 * 60 + 30, latest)
                when = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), LOCAL).astimezone(dt.timezone.utc)
                if when > now:
                    continue
                roll = rng.random()
                kind = "dossier" if roll < DOSSIER_VISITS else "poster" if roll < DOSSIER_VISITS + POSTER_VISITS \
                    else "chat"
                overall = _pick(rng, profile["levels"])
                channel = "qr" if kind == "poster" else _pick(rng, data["channels"])
                if kind == "chat" and channel == "qr":
                    channel = "webchat"
                rated = when + dt.timedelta(minutes=rng.randint(3, 60 * 24 * 3) if kind == "dossier" else
                                            rng.randint(1, 20))
                if rated > now or (kind == "dossier" and rng.random() > DOSSIER_LINK_ANSWERED):
                    rated = None
                sequence += 1
                visit = _Visit(when=when, rated=rated, unit=unit.code,
                               desk=rng.choice(unit.desks).code if unit.desks else None, kind=kind, channel=channel,
                               overall=overall, procedure=rng.choice(procedures) if procedures else None)
                if kind == "dossier" or (kind == "chat" and rng.random() < 0.5):
                    visit.dossier = f"{DOSSIER_PREFIX}{unit_number:02d}-{day:%y%m%d}-{sequence:04d}"
                visit.citizen = {key: None if rng.random() < 0.04 else rng.choices(
                    (2, 1, 0), weights=(ATTITUDE_POINTS if key == "attitude" else CITIZEN_POINTS)[overall])[0]
                    for key in ("contacts", "bodies", "publicity", "attitude")}
                if rng.random() < SIPAS_ANSWERED:
                    visit.sipas = {aspect: rng.choice(SIPAS_CHOICES[overall])
                                   for aspect in ("access", "procedure", "officials", "result", "feedback")}
                visit.language = "en" if rng.random() < ENGLISH else "vi"
                if rng.random() < COMMENTED:
                    pool = data["comments"][overall]
                    english = [c for c in pool if c.isascii()]
                    visit.comment = rng.choice(english if visit.language == "en" and english else pool)
                if visit.dossier and rng.random() < AGENCY_ASSESSED:
                    late = overall == "dissatisfied" and rng.random() < 0.5
                    visit.agency = {"total_time": 0 if late else 2, "step_time": 1 if late else 2, "one_stop": 2,
                                    "feedback": rng.choice((2, 2, 1)), "online": rng.choice((2, 2, 1, 0)),
                                    "contacts": 2, "bodies": 2, "publicity": 2, "attitude": 2}
                if visit.rated and visit.kind == "dossier" and rng.random() < REVISED:
                    revision = visit.rated + dt.timedelta(hours=rng.randint(1, 48))
                    visit.revision = revision if revision <= now else None
                visits.append(visit)
    visits.sort(key=lambda v: (v.rated or v.when, v.unit))
    _special_comments(visits, data["special_comments"])
    return visits


def _special_comments(visits: list[_Visit], special: dict) -> None:
    """The HTML, abusive-treatment and phone-number comments, once each, on the first fitting ratings."""
    rated = [v for v in visits if v.rated]
    wanted = [("html", lambda v: v.overall == "satisfied"), ("abusive", lambda v: v.overall == "satisfied"),
              ("phone", lambda v: v.overall == "dissatisfied")]
    used: set[int] = set()
    for key, fits in wanted:
        for visit in rated:
            if id(visit) not in used and fits(visit):
                visit.comment, visit.language = special[key], "vi"
                used.add(id(visit))
                break


def _units(data: dict):
    """(unit, profile) of the demo's units found in the deployment's units file; without them (another
    province's file), the first rateable units with an average profile."""
    import units

    directory = units.directory()
    chosen = [(directory.units[code], profile) for code, profile in data["units"].items() if code in directory]
    if not chosen:
        profile = {"per_month": 10, "levels": {"very_satisfied": 0.45, "satisfied": 0.42, "dissatisfied": 0.13}}
        chosen = [(unit, profile) for unit in directory.rateable()[:5]]
    return chosen


def fill_demo_data(months: int = DEFAULT_MONTHS, *, seed: int = DEFAULT_SEED, today: Optional[dt.date] = None,
                   scale: float = 1.0) -> DemoSummary:
    """Generate the demo rows for the last `months` months up to `today` (Vietnam time; default today).
    `scale` multiplies the ratings per month (tests use less). On any failure the demo rows written so
    far are removed again."""
    from .alerts import update_alert
    from .questions import log_unanswered_question
    from .ratings import AGENCY_COLUMNS, RatingInput, submit_rating
    from .surveys import issue_invitation

    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months is 1 to {MAX_MONTHS}")
    now = dt.datetime.now(dt.timezone.utc)
    today = today or now.astimezone(LOCAL).date()
    now = min(now, dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), LOCAL).astimezone(dt.timezone.utc)
              - dt.timedelta(minutes=1))
    rng = random.Random(seed)
    data = _data()
    unit_list = _units(data)
    month_list = _months(today, months)
    visits = _plan(rng, data, unit_list, month_list, today, now, scale)
    summary = DemoSummary(units=[u.code for u, _ in unit_list], start=dt.date(*month_list[0], 1), end=today)

    invitation_times: dict[int, tuple[dt.datetime, Optional[dt.datetime]]] = {}
    rating_times: dict[int, tuple[dt.datetime, Optional[dt.datetime]]] = {}
    alert_times: dict[int, dt.datetime] = {}
    question_times: dict[int, dt.datetime] = {}
    agency: dict[int, dict[str, int]] = {}
    try:
        # one poster link per desk, printed at the start of the period
        posters: dict[tuple[str, Optional[str]], int] = {}
        first_day = dt.datetime.combine(summary.start, dt.time(7), LOCAL).astimezone(dt.timezone.utc)
        for unit, _ in unit_list:
            for desk in unit.desks or [None]:
                invitation = issue_invitation(unit.code, desk=desk and desk.code, channel=f"{DEMO_PREFIX}poster")
                posters[unit.code, desk and desk.code] = invitation.claims.invitation_id
                invitation_times[invitation.claims.invitation_id] = (first_day, None)

        for number, visit in enumerate(visits, start=1):
            conversation = f"{DEMO_PREFIX}{visit.channel}-{number:05d}"
            invitation_id = None
            if visit.kind == "dossier":
                invitation = issue_invitation(visit.unit, desk=visit.desk, dossier_code=visit.dossier,
                                              procedure_id=visit.procedure, channel=f"{DEMO_PREFIX}{visit.channel}")
                invitation_id = invitation.claims.invitation_id
                invitation_times[invitation_id] = (visit.when, visit.rated)
            elif visit.kind == "poster":
                invitation_id = posters.get((visit.unit, visit.desk))
            if not visit.rated:
                continue
            answers = RatingInput(unit=visit.unit, overall=visit.overall, conversation_id=conversation,
                                  desk=visit.desk, dossier_code=visit.dossier, procedure_id=visit.procedure,
                                  channel=visit.channel, language=visit.language, invitation_id=invitation_id,
                                  citizen=dict(visit.citizen), sipas=dict(visit.sipas), comment=visit.comment)
            result = submit_rating(answers)
            rating_times[result.rating_id] = (visit.rated, None)
            if result.alert_id:
                alert_times[result.alert_id] = visit.rated
            if visit.revision:  # the same citizen changes an answer: the update path of the duplicate rule
                answers.citizen = {**answers.citizen, "publicity": 2}
                submit_rating(answers)
                rating_times[result.rating_id] = (visit.rated, visit.revision)
            if visit.agency:
                agency[result.rating_id] = visit.agency

        # alerts are worked through: old ones mostly handled, recent ones still new
        handled: dict[int, dt.datetime] = {}
        for alert_id, created in sorted(alert_times.items()):
            age = (now - created).days
            chances = (0.7, 0.2) if age > 30 else (0.4, 0.4) if age > 7 else (0.0, 0.2)
            roll = rng.random()
            status = "handled" if roll < chances[0] else "in_progress" if roll < sum(chances) else None
            if status:
                update_alert(alert_id, status, rng.choice(data["alert_notes"][status]))
                handled[alert_id] = min(now, created + dt.timedelta(hours=rng.randint(2, 24 * min(age, 10) + 2)))

        for unit, _ in unit_list:
            for year, month in month_list:
                days = _working_days(year, month, today)
                for _ in range(round(rng.randint(1, 4) * min(scale, 1)) if days else 0):
                    reason = rng.choice(sorted(data["questions"]))
                    text = rng.choice(data["questions"][reason])
                    day = rng.choice(days)
                    asked = dt.datetime.combine(day, dt.time(rng.randint(7, 21), rng.randint(0, 59)), LOCAL) \
                        .astimezone(dt.timezone.utc)
                    if asked > now:
                        continue
                    channel = rng.choice(("webchat", "telegram"))
                    candidates = rng.sample(_procedures(unit), k=min(2, len(_procedures(unit)))) \
                        if reason == "no_match" else ()
                    question_id = log_unanswered_question(
                        text, reason=reason, channel=channel, unit=unit.code, language="vi",
                        conversation_id=f"{DEMO_PREFIX}{channel}-q{len(question_times) + 1:04d}", candidates=candidates)
                    question_times[question_id] = asked

        # finally move every row to the time it stands for (one transaction)
        with database().session() as session:
            if invitation_times:
                session.execute(update(SurveyInvitation), [{"id": i, "issued_at": issued, "used_at": used}
                                                           for i, (issued, used) in invitation_times.items()])
            if rating_times:
                session.execute(update(Rating), [
                    {"id": i, "created_at": created, "updated_at": updated,
                     **{AGENCY_COLUMNS[key]: agency.get(i, {}).get(key) for key in AGENCY_COLUMNS}}
                    for i, (created, updated) in rating_times.items()])
            if alert_times:
                session.execute(update(Alert), [{"id": i, "created_at": created, "updated_at": handled.get(i)}
                                                for i, created in alert_times.items()])
            if question_times:
                session.execute(update(UnansweredQuestion), [{"id": i, "asked_at": asked}
                                                             for i, asked in question_times.items()])
    except BaseException:
        try:
            remove_demo_data()
        except Exception:  # the database itself failed: the original error is the one to report
            pass
        raise
    summary.invitations, summary.ratings = len(invitation_times), len(rating_times)
    summary.alerts, summary.questions = len(alert_times), len(question_times)
    return summary


# ------------------------------------------------------------------ the command
def run_demo(months: int = DEFAULT_MONTHS, *, reset: bool = False, if_empty: bool = False, force: bool = False,
             seed: int = DEFAULT_SEED, today: Optional[dt.date] = None, scale: float = 1.0) -> str:
    """What `python -m store demo` does; returns what to print, raises DemoRefused with the reason."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months is 1 to {MAX_MONTHS}")
    if is_production() and not force:
        raise DemoRefused("APP_ENV=production: demo data is not written to a production database "
                          "(add --force if this really is a demonstration server)")
    if if_empty and has_ratings():
        return "the database already has ratings: no demo data added"
    removed = ""
    if reset:
        counts = remove_demo_data()
        removed = f"removed earlier demo data ({counts['ratings']} ratings); "
    elif has_demo_data():
        raise DemoRefused("demo data is already there: `python -m store demo --reset` replaces it")
    return removed + str(fill_demo_data(months, seed=seed, today=today, scale=scale))
