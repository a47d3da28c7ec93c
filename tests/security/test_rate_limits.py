"""Per-sender rate limits: the token bucket in memory and in the real Redis on 127.0.0.1:6379 (a unique
key prefix per test), and the Telegram channel telling a too-fast citizen once to wait."""
from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from bot.rate_limit import MemoryRateLimiter, Rate, RedisRateLimiter, create_limiter, identity_key

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:  # no server: the Redis variants cannot run here
        return f"no Redis at {REDIS_URL} ({type(error).__name__})"
    return None


@pytest.fixture
def redis_prefix():
    problem = redis_problem()
    if problem:
        pytest.skip(problem)
    import redis

    prefix = f"test:rl:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request):
    """Makes a limiter of one backend (call it inside the test's event loop; close it there)."""
    if request.param == "memory":
        return MemoryRateLimiter
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: RedisRateLimiter(REDIS_URL, prefix=prefix)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_burst_up_to_the_limit_passes_then_the_sender_waits(make_limiter):
    rate = Rate(3, 0.6)  # 3 at once, then one every 0.2 s

    async def scenario():
        limiter = make_limiter()
        burst = [await limiter.hit("chat-session", "alice", rate) for _ in range(5)]
        other = await limiter.hit("chat-session", "bob", rate)
        other_scope = await limiter.hit("chat-address", "alice", rate)
        await asyncio.sleep(burst[3].retry_after + 0.05)
        refilled = await limiter.hit("chat-session", "alice", rate)
        refused_again = await limiter.hit("chat-session", "alice", rate)
        await limiter.aclose()
        return burst, other, other_scope, refilled, refused_again

    burst, other, other_scope, refilled, refused_again = run(scenario())
    assert [d.allowed for d in burst] == [True, True, True, False, False]
    assert [d.first_refusal for d in burst[3:]] == [True, False]  # told once, not at every message
    assert 0.1 < burst[3].retry_after <= 0.21 and burst[3].retry_after_seconds == 1
    assert other.allowed and other_scope.allowed  # buckets are per identity and per scope
    assert refilled.allowed
    assert not refused_again.allowed and refused_again.first_refusal  # a new refusal after an allowed message


def test_no_rate_means_no_limit(make_limiter):
    async def scenario():
        limiter = make_limiter()
        decisions = [await limiter.hit("telegram-chat", "42", None) for _ in range(50)]
        await limiter.aclose()
        return decisions
    assert all(d.allowed for d in run(scenario()))


def test_decisions_are_counted_for_metrics(make_limiter):
    async def scenario():
        limiter = make_limiter()
        for _ in range(4):
            await limiter.hit("telegram-chat", "42", Rate(2, 60))
        snapshot = limiter.counters.snapshot()
        await limiter.aclose()
        return snapshot
    assert run(scenario()) == {("telegram-chat", "allowed"): 2, ("telegram-chat", "limited"): 2}


def test_redis_limits_are_shared_by_every_process_and_hold_no_ids(redis_prefix):
    import redis

    rate = Rate(4, 60)

    async def scenario():
        replicas = [RedisRateLimiter(REDIS_URL, prefix=redis_prefix) for _ in range(2)]
        decisions = await asyncio.gather(*(replicas[n % 2].hit("chat-session", "web-session-0001", rate)
                                           for n in range(10)))
        for limiter in replicas:
            await limiter.aclose()
        return decisions
    decisions = run(scenario())
    assert sum(d.allowed for d in decisions) == 4  # atomic: no lost update between the two clients
    client = redis.Redis.from_url(REDIS_URL)
    keys = [key.decode() for key in client.scan_iter(redis_prefix + "*")]
    assert keys == [redis_prefix + identity_key("chat-session", "web-session-0001")]
    assert "web-session-0001" not in keys[0]
    assert 0 < client.pttl(keys[0]) <= 61_000  # a bucket disappears once it would be full again


def test_redis_down_lets_messages_through_and_says_so_once(caplog):
    caplog.set_level(logging.DEBUG, logger="bot.rate_limit")

    async def scenario():
        limiter = RedisRateLimiter("redis://127.0.0.1:1/0", timeout=0.2)
        decisions = [await limiter.hit("chat-session", "alice", Rate(1, 60)) for _ in range(3)]
        await limiter.aclose()
        return limiter, decisions
    limiter, decisions = run(scenario())
    assert all(d.allowed for d in decisions)
    assert limiter.counters.snapshot() == {("chat-session", "error"): 3}
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_memory_keeps_a_bounded_number_of_buckets():
    clock = [0.0]
    limiter = MemoryRateLimiter(clock=lambda: clock[0], max_buckets=100)

    async def scenario():
        for n in range(1000):
            await limiter.hit("chat-address", f"10.0.{n // 256}.{n % 256}", Rate(5, 60))
    run(scenario())
    assert len(limiter._buckets) <= 100


@pytest.mark.parametrize("text, rate", [("20/60", Rate(20, 60)), ("20/1m", Rate(20, 60)), (" 5 / 2.5 ", Rate(5, 2.5)),
                                        ("1000/1h", Rate(1000, 3600)), ("off", None), ("0", None)])
def test_rates_are_read_from_settings(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["20", "a/60", "0/60", "5/0", "-1/60", "5/60x"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError, match="N/SECONDS"):
        Rate.parse(text)


def test_redis_url_selects_the_shared_backend():
    assert isinstance(create_limiter(None), MemoryRateLimiter)
    limiter = create_limiter(REDIS_URL, prefix="test:")
    assert isinstance(limiter, RedisRateLimiter)
    run(limiter.aclose())


# ---------------------------------------------------------------- Telegram
def test_telegram_tells_a_too_fast_citizen_once_and_sends_nothing_more_to_rasa(fake_telegram, fake_rasa):
    from telegram import Update

    from bot.telegram import texts
    from bot.telegram.app import build_application
    from bot.telegram.settings import TelegramSettings
    from channel_fakes import callback_update, message_update

    settings = TelegramSettings(token="123456:TEST-token", api_url=fake_telegram.url, rasa_url=fake_rasa.url,
                                rasa_timeout=5, chat_rate=Rate(3, 60))

    async def scenario():
        application = build_application(settings)
        async with application:
            await application.post_init(application)
            for n in range(6):
                await application.process_update(Update.de_json(
                    dict(message_update(f"câu hỏi số {n}", user_id=4242), update_id=n + 1), application.bot))
            await application.process_update(Update.de_json(
                dict(callback_update("b:whatever", message_id=1000, user_id=4242), update_id=20), application.bot))
            await application.process_update(Update.de_json(
                dict(message_update("tôi là người khác", user_id=5151), update_id=21), application.bot))
            await application.post_shutdown(application)
    run(scenario())

    assert fake_rasa.messages() == ["câu hỏi số 0", "câu hỏi số 1", "câu hỏi số 2", "tôi là người khác"]
    told = texts.text("rate_limited", "vi")
    assert fake_telegram.sent_texts().count(told) == 1
    assert fake_telegram.called("answerCallbackQuery")  # the pressed button stops spinning, silently


def test_telegram_rate_comes_from_the_environment():
    from bot.telegram.settings import DEFAULT_CHAT_RATE, SettingsError, TelegramSettings

    base = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    assert TelegramSettings.from_env(base).chat_rate == DEFAULT_CHAT_RATE
    assert TelegramSettings.from_env(dict(base, RATE_LIMIT_TELEGRAM_CHAT="5/10")).chat_rate == Rate(5, 10)
    assert TelegramSettings.from_env(dict(base, RATE_LIMIT_TELEGRAM_CHAT="off")).chat_rate is None
    assert TelegramSettings.from_env(dict(base, REDIS_URL=REDIS_URL)).redis_url == REDIS_URL
    with pytest.raises(SettingsError, match="RATE_LIMIT_TELEGRAM_CHAT"):
        TelegramSettings.from_env(dict(base, RATE_LIMIT_TELEGRAM_CHAT="fast"))
