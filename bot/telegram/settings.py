"""Settings of the Telegram channel, read once from the environment."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.rasa_client import DEFAULT_URL
from bot.rate_limit import Rate, rate_from_env

# Telegram accepts 1–256 characters of A-Z a-z 0-9 _ - as a webhook secret; we ask for at least 16.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_PLACEHOLDERS = {"changeme", "change-me", "secret", "your-secret", "xxxxxxxxxxxxxxxx"}
# A person types far slower; a burst of 20 leaves room for quick button presses.
DEFAULT_CHAT_RATE = Rate(20, 60)
DEFAULT_OPS_PORT = 8090  # /health, /ready, /metrics (bot/telegram/operations.py)


class SettingsError(ValueError):
    """The environment does not configure a channel that can start; the message says what to set."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    mode: str = "polling"  # "polling" (development) or "webhook" (production)
    rasa_url: str = DEFAULT_URL
    rasa_timeout: float = 30.0
    webhook_url: Optional[str] = None  # public HTTPS URL Telegram posts updates to
    webhook_secret: Optional[str] = None
    listen: str = "0.0.0.0"
    port: int = 8443
    api_url: Optional[str] = None  # a local Bot API server (or the tests' fake one) instead of Telegram's
    chat_rate: Optional[Rate] = DEFAULT_CHAT_RATE  # messages per chat (None: unlimited)
    redis_url: Optional[str] = None  # rate limits shared by every process through Redis (else in memory)
    ops_host: str = "127.0.0.1"  # the health/readiness/metrics listener, for the monitoring network
    ops_port: Optional[int] = None  # None: no listener (a laptop's long polling)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "TelegramSettings":
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is not configured. "
                                "Create a bot with @BotFather and export TELEGRAM_BOT_TOKEN=<token>.")
        mode = env.get("TELEGRAM_MODE", "polling").strip().lower()
        if mode not in ("polling", "webhook"):
            raise SettingsError(f"TELEGRAM_MODE must be 'polling' or 'webhook', not {mode!r}")
        settings = cls(
            token=token, mode=mode,
            rasa_url=env.get("RASA_URL", DEFAULT_URL),
            rasa_timeout=float(env.get("RASA_TIMEOUT", "30")),
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0"),
            port=int(env.get("TELEGRAM_WEBHOOK_PORT", "8443")),
            api_url=env.get("TELEGRAM_API_URL") or None,
            chat_rate=_rate(env, "RATE_LIMIT_TELEGRAM_CHAT", DEFAULT_CHAT_RATE),
            redis_url=env.get("REDIS_URL") or None,
            ops_host=env.get("TELEGRAM_OPS_HOST", "127.0.0.1"),
            ops_port=_ops_port(env, mode),
        )
        if mode == "webhook":
            settings.check_webhook()
        return settings

    def check_webhook(self) -> None:
        """Webhook mode refuses to start without a public HTTPS URL and a real secret."""
        if not self.webhook_url or not self.webhook_url.startswith("https://"):
            raise SettingsError("webhook mode needs TELEGRAM_WEBHOOK_URL, the public https:// URL of this bot")
        secret = self.webhook_secret or ""
        if not _SECRET.match(secret) or secret.lower() in _PLACEHOLDERS:
            raise SettingsError("webhook mode needs TELEGRAM_WEBHOOK_SECRET: 16–256 characters of A-Z a-z 0-9 _ -, "
                                "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")


def _ops_port(env: Mapping[str, str], mode: str) -> Optional[int]:
    """TELEGRAM_OPS_PORT; when unset, DEFAULT_OPS_PORT in production or webhook mode and none on a
    laptop's long polling. "off" turns the listener off."""
    value = env.get("TELEGRAM_OPS_PORT", "").strip().lower()
    if value in ("off", "0"):
        return None
    if not value:
        production = env.get("APP_ENV", "").strip().lower() == "production"
        return DEFAULT_OPS_PORT if production or mode == "webhook" else None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"TELEGRAM_OPS_PORT must be a port number or 'off', not {value!r}")
    return int(value)


def _rate(env: Mapping[str, str], name: str, default: Rate) -> Optional[Rate]:
    try:
        return rate_from_env(name, default, env)
    except ValueError as error:
        raise SettingsError(f"{name}: {error}") from None
