"""Per-sender rate limits of the citizen-facing surfaces (the widget's /api/chat per session and per
client address, Telegram per chat).

One algorithm, a token bucket, in two backends: `MemoryRateLimiter` (one process; the laptop default)
and `RedisRateLimiter` (`REDIS_URL`; every process and replica shares the same buckets, updated
atomically by one Lua script on Redis's own clock). A `Rate` of "20/60" lets a sender send 20 messages
at once and then one every 3 seconds. Identities are hashed before they become keys, so Redis holds no
session or chat ids. When Redis cannot be reached the message is let through (a rate limiter must not
take the service down with it); the outage is logged once and counted.

`limiter.counters` counts decisions per scope and outcome (allowed, limited, error) for metrics.
"""
from __future__ import annotations

import asyncio
import collections
import hashlib
import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Protocol

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "tthc:rl:"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_SECONDS = {None: 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class Rate:
    """`limit` messages per `period` seconds, of which all `limit` may come at once."""

    limit: int
    period: float

    @property
    def per_second(self) -> float:
        return self.limit / self.period

    @classmethod
    def parse(cls, text: str) -> Optional["Rate"]:
        """"20/60" (per 60 s), "20/1m", "1000/1h"; "off" or "0" for no limit (None)."""
        if text.strip().lower() in ("off", "0", "none", ""):
            return None
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise ValueError(f"a rate is N/SECONDS (e.g. 20/60, 20/1m) or 'off', not {text!r}")
        return cls(int(match.group(1)), float(match.group(2)) * _UNIT_SECONDS[match.group(3)])

    def __str__(self) -> str:
        return f"{self.limit}/{self.period:g}s"


def rate_from_env(name: str, default: Optional[Rate], env: Optional[Mapping[str, str]] = None) -> Optional[Rate]:
    env = os.environ if env is None else env
    value = env.get(name)
    return default if value is None else Rate.parse(value)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next message would be allowed
    first_refusal: bool = False  # the first refusal since the last allowed message: tell the sender once

    @property
    def retry_after_seconds(self) -> int:
        """For a Retry-After header: whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after))


ALLOWED = Decision(True)


class RateLimitCounters:
    """Decisions per (scope, outcome), thread-safe; `snapshot()` for a metrics collector."""

    OUTCOMES = ("allowed", "limited", "error")

    def __init__(self) -> None:
        self._counts: "collections.Counter[tuple[str, str]]" = collections.Counter()
        self._lock = threading.Lock()

    def add(self, scope: str, outcome: str) -> None:
        with self._lock:
            self._counts[(scope, outcome)] += 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def get(self, scope: str, outcome: str) -> int:
        with self._lock:
            return self._counts[(scope, outcome)]


class RateLimiter(Protocol):
    counters: RateLimitCounters

    async def hit(self, scope: str, identity: str, rate: Optional[Rate]) -> Decision:
        """Count one message of `identity` in `scope` ("chat-session", "telegram-chat", …) against `rate`
        (None: unlimited) and say whether it may go through."""

    async def aclose(self) -> None: ...


def identity_key(scope: str, identity: str) -> str:
    """The bucket's key: the scope and a hash of the identity (no session or chat id stored as such)."""
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{scope}:{digest}"


@dataclass(frozen=True)
class _Bucket:
    tokens: float
    updated: float
    told: bool  # the sender has been refused (and told) since its last allowed message
    rate: Rate


class MemoryRateLimiter:
    """Token buckets in this process's memory. Buckets that have filled up again are forgotten, and at
    most `max_buckets` are kept (the oldest dropped), so a flood of new identities cannot exhaust memory."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000):
        self.counters = RateLimitCounters()
        self._clock = clock
        self._max = max_buckets
        self._buckets: "collections.OrderedDict[str, _Bucket]" = collections.OrderedDict()
        self._lock = threading.Lock()

    async def hit(self, scope: str, identity: str, rate: Optional[Rate]) -> Decision:
        if rate is None:
            return ALLOWED
        decision = self._take(identity_key(scope, identity), rate)
        self.counters.add(scope, "allowed" if decision.allowed else "limited")
        return decision

    def _take(self, key: str, rate: Rate) -> Decision:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            tokens = float(rate.limit) if bucket is None else min(
                float(rate.limit), bucket.tokens + max(0.0, now - bucket.updated) * rate.per_second)
            if tokens >= 1.0:
                decision = Decision(True)
                self._buckets[key] = _Bucket(tokens - 1.0, now, False, rate)
            else:
                told = bucket is not None and bucket.told
                decision = Decision(False, (1.0 - tokens) / rate.per_second, first_refusal=not told)
                self._buckets[key] = _Bucket(tokens, now, True, rate)
            self._forget_full(now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        return decision

    def _forget_full(self, now: float) -> None:
        # the least recently used buckets are dropped once full again: the same as never seen
        for _ in range(2):
            key, oldest = next(iter(self._buckets.items()))
            refilled = oldest.tokens + (now - oldest.updated) * oldest.rate.per_second
            if len(self._buckets) == 1 or refilled < oldest.rate.limit:
                return
            del self._buckets[key]

    async def aclose(self) -> None:
        pass


# KEYS[1] the bucket; ARGV capacity, tokens per millisecond. Returns {allowed, wait ms, first refusal}.
# Redis's clock (TIME) is used so that every process agrees whatever its own clock says.
TOKEN_BUCKET_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'told')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
local told = state[3]
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
  told = '0'
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * per_ms)
local allowed = 0
local wait = 0
local first = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  told = '0'
else
  wait = math.ceil((1 - tokens) / per_ms)
  if told ~= '1' then first = 1 end
  told = '1'
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now), 'told', told)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, wait, first}
"""


class RedisRateLimiter:
    """Token buckets in Redis, shared by every process using the same `prefix`."""

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, timeout: float = 0.5, client=None):
        import redis.asyncio as redis_asyncio

        self.counters = RateLimitCounters()
        self.prefix = prefix
        self._redis = client or redis_asyncio.Redis.from_url(url, socket_timeout=timeout,
                                                              socket_connect_timeout=timeout)
        self._script = self._redis.register_script(TOKEN_BUCKET_LUA)
        self._healthy = True

    async def hit(self, scope: str, identity: str, rate: Optional[Rate]) -> Decision:
        from redis.exceptions import RedisError

        if rate is None:
            return ALLOWED
        key = self.prefix + identity_key(scope, identity)
        try:
            allowed, wait_ms, first = await self._script(keys=[key], args=[rate.limit, repr(rate.per_second / 1000)])
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            self.counters.add(scope, "error")
            if self._healthy:
                logger.error("rate limits not applied, Redis unavailable (logged once until it answers): %s",
                             type(error).__name__)
                self._healthy = False
            return ALLOWED
        if not self._healthy:
            logger.warning("rate limits applied again: Redis answers")
            self._healthy = True
        decision = Decision(bool(allowed), int(wait_ms) / 1000, bool(first))
        self.counters.add(scope, "allowed" if decision.allowed else "limited")
        return decision

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_limiter(redis_url: Optional[str] = None, *, prefix: Optional[str] = None) -> RateLimiter:
    """Redis when `redis_url` is given (every process shares the limits), else this process's memory."""
    if redis_url:
        return RedisRateLimiter(redis_url, prefix=prefix or DEFAULT_PREFIX)
    return MemoryRateLimiter()
