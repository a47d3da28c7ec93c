"""Prometheus metrics of the entry point (webchat) and the Rasa client, and the store's figures.

Names start with `tthc_`. A turn is one citizen message answered (or not) through `bot.rasa_client`;
its channel is the metadata channel (webchat, telegram). A *fallback* turn is one whose replies include
a response that means the assistant could not answer: Rasa's citizen channel returns each reply's
response name (bot/channels/citizen.py), so this is seen from outside the dialogue code.
Fallback rate in PromQL: rate(tthc_fallback_turns_total[5m]) / rate(tthc_turns_total{outcome="answered"}[5m]).
"""
from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
import weakref
from typing import Iterable, Optional, Protocol

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, disable_created_metrics,
                               generate_latest)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

disable_created_metrics()  # the *_created series double the output and no dashboard uses them

logger = logging.getLogger(__name__)

# Responses that say "I could not answer this" (not found, about no procedure, asking beyond one, of a field
# or a procedure the data lacks, unreadable, another language).
FALLBACK_RESPONSES = frozenset({"utter_not_found", "utter_not_a_procedure", "utter_beyond_procedures",
                                "utter_not_in_catalogue", "utter_outside_scope", "utter_no_words",
                                "utter_other_language"})
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)

TURNS = Counter("tthc_turns", "Citizen turns sent to Rasa, by channel and outcome (answered, unavailable)",
                ["channel", "outcome"])
TURN_SECONDS = Histogram("tthc_turn_seconds", "Time from a citizen message to Rasa's answer, by channel",
                         ["channel"], buckets=LATENCY_BUCKETS)
FALLBACK_TURNS = Counter("tthc_fallback_turns", "Turns answered with a could-not-answer response", ["channel"])
REPLIES = Counter("tthc_replies", "Bot messages by response name (custom text: 'other')", ["response"])
RASA_ERRORS = Counter("tthc_rasa_errors", "Failed calls to a Rasa replica, by replica and kind "
                      "(unreachable, http_error, timeout, no_reply)", ["replica", "kind"])
RASA_FAILOVERS = Counter("tthc_rasa_failovers", "Messages sent to another replica because the sender's own was down")
RASA_REPLICA_UP = Gauge("tthc_rasa_replica_up", "1 while a Rasa replica answers, 0 after it failed", ["replica"])

# The action server's (actions/server.py).
ACTIONS = Counter("tthc_actions", "Custom actions run, by action and outcome (ok, error)", ["action", "outcome"])
ACTION_SECONDS = Histogram("tthc_action_seconds", "Time to run a custom action", ["action"],
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0))
# What the survey's submit action answered says what happened to the rating.
RATING_OUTCOMES = {"utter_survey_thanks": "saved", "utter_survey_updated": "updated",
                   "utter_survey_not_saved": "not_saved", "utter_survey_already_rated": "refused"}
RATINGS_SUBMITTED = Counter("tthc_ratings_submitted", "Survey submissions by outcome (saved, updated, not_saved, "
                            "refused)", ["outcome"])
ALERTS_CREATED = Counter("tthc_alerts_created", "Ratings that raised an alert for the unit")


def observe_turn(channel: Optional[str], seconds: float, responses: Iterable[Optional[str]]) -> None:
    channel = channel or "unknown"
    TURNS.labels(channel, "answered").inc()
    TURN_SECONDS.labels(channel).observe(seconds)
    names = list(responses)
    for name in names:
        REPLIES.labels(name or "other").inc()
    if FALLBACK_RESPONSES.intersection(names):
        FALLBACK_TURNS.labels(channel).inc()


def observe_unavailable(channel: Optional[str], seconds: float) -> None:
    channel = channel or "unknown"
    TURNS.labels(channel, "unavailable").inc()
    TURN_SECONDS.labels(channel).observe(seconds)


class StoreCollector:
    """Ratings stored and alerts by status, read from the store at scrape time (cached for `ttl`
    seconds): counted where they are written, so every replica's ratings are included."""

    def __init__(self, ttl: float = 15.0):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[float, list] = (0.0, [])

    def _read(self) -> list:
        from sqlalchemy import func, select

        from store import Alert, Rating, SurveyInvitation, database

        with database().session() as session:
            ratings = session.scalar(select(func.count()).select_from(Rating)) or 0
            revisions = session.scalar(select(func.coalesce(func.sum(Rating.revisions), 0))) or 0
            invitations = session.scalar(select(func.count()).select_from(SurveyInvitation)) or 0
            alerts = dict(session.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
        stored = GaugeMetricFamily("tthc_ratings_stored", "Ratings in the store (one per dossier and sender)")
        stored.add_metric([], ratings)
        updates = GaugeMetricFamily("tthc_rating_revisions", "Times citizens re-submitted a rating (updates)")
        updates.add_metric([], revisions)
        issued = GaugeMetricFamily("tthc_survey_invitations", "Survey links issued")
        issued.add_metric([], invitations)
        by_status = GaugeMetricFamily("tthc_alerts", "Alerts for units, by handling status", labels=["status"])
        for status in ("new", "in_progress", "handled"):
            by_status.add_metric([status], alerts.get(status, 0))
        up = GaugeMetricFamily("tthc_store_up", "1 when the store answered the last scrape")
        up.add_metric([], 1)
        return [stored, updates, issued, by_status, up]

    def collect(self):
        with self._lock:
            at, cached = self._cached
            if time.monotonic() - at > self.ttl:
                try:
                    cached = self._read()
                except Exception as error:  # a scrape must not fail because the database is down
                    logger.warning("store metrics unavailable: %s", error.__class__.__name__)
                    up = GaugeMetricFamily("tthc_store_up", "1 when the store answered the last scrape")
                    up.add_metric([], 0)
                    cached = [up]
                self._cached = (time.monotonic(), cached)
            return list(cached)


class DecisionCounts(Protocol):
    """What a rate limiter counts (bot.rate_limit.RateLimitCounters): decisions per (scope, outcome)."""

    def snapshot(self) -> dict[tuple[str, str], int]: ...


class RateLimitCollector:
    """`tthc_rate_limit_decisions_total{scope, outcome}` (allowed, limited, error) read at scrape time from
    the rate limiters this process uses. The limiters keep their own counts (ops/ knows nothing of bot/);
    a limiter that is gone stops being counted, so a restarted app's counter starts again, as a restarted
    process's would."""

    NAME = "tthc_rate_limit_decisions"
    HELP = ("Rate-limit decisions of this process by scope (chat-session, chat-address, telegram-chat) and "
            "outcome (allowed, limited, error: Redis unavailable, let through)")

    def __init__(self) -> None:
        self._sources: "weakref.WeakSet[DecisionCounts]" = weakref.WeakSet()
        self._lock = threading.Lock()

    def watch(self, counts: DecisionCounts) -> None:
        with self._lock:
            self._sources.add(counts)

    def describe(self):
        return [CounterMetricFamily(self.NAME, self.HELP, labels=["scope", "outcome"])]

    def collect(self):
        with self._lock:
            sources = list(self._sources)
        totals: dict[tuple[str, str], int] = {}
        for source in sources:
            for key, count in source.snapshot().items():
                totals[key] = totals.get(key, 0) + count
        family = CounterMetricFamily(self.NAME, self.HELP, labels=["scope", "outcome"])
        for (scope, outcome), count in sorted(totals.items()):
            family.add_metric([scope, outcome], count)
        return [family]


RATE_LIMITS = RateLimitCollector()
REGISTRY.register(RATE_LIMITS)


def watch_rate_limiter(limiter) -> None:
    """Export `limiter.counters` (a bot.rate_limit limiter) on this process's /metrics."""
    RATE_LIMITS.watch(limiter.counters)


_store_collector: Optional[StoreCollector] = None


def register_store_collector() -> None:
    global _store_collector
    if _store_collector is None:
        _store_collector = StoreCollector()
        REGISTRY.register(_store_collector)


def may_scrape(client_host: Optional[str]) -> bool:
    """Metrics are for the monitoring network: by default only loopback and private addresses may read
    them (METRICS_ALLOW_ANY=1 lifts this, e.g. behind a proxy that already restricts /metrics).
    Starlette's in-process TestClient calls itself "testclient"."""
    if os.environ.get("METRICS_ALLOW_ANY") == "1":
        return True
    try:
        address = ipaddress.ip_address(client_host or "")
    except ValueError:
        return client_host == "testclient"
    return address.is_loopback or address.is_private


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


async def starlette_endpoint(request):
    """`GET /metrics` for the Starlette processes (webchat entry point, Telegram's listener): private
    addresses only, the exposition rendered off the event loop."""
    import asyncio

    from starlette.responses import JSONResponse, Response

    if not may_scrape(request.client.host if request.client else None):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    body, content_type = await asyncio.to_thread(exposition)
    return Response(body, media_type=content_type)
