"""Settings of the web widget's server, read once from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.rasa_client import DEFAULT_URL
from bot.rate_limit import Rate, rate_from_env


@dataclass(frozen=True)
class WebchatSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = DEFAULT_URL
    rasa_timeout: float = 30.0
    allowed_origins: tuple[str, ...] = ("*",)  # sites allowed to embed the widget and call the API
    # A person types far slower than 20 messages a minute; a desk's network (kiosks, the centre's Wi-Fi
    # behind one address) carries many people, hence the higher per-address rate.
    session_rate: Optional[Rate] = Rate(20, 60)
    address_rate: Optional[Rate] = Rate(300, 60)
    redis_url: Optional[str] = None  # rate limits shared by every replica through Redis (else in memory)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WebchatSettings":
        """WEBCHAT_HOST (127.0.0.1; 0.0.0.0 to serve a desk's network), WEBCHAT_PORT (8080), RASA_URL,
        RASA_TIMEOUT, WEBCHAT_ALLOWED_ORIGINS (comma-separated, default *), RATE_LIMIT_CHAT_SESSION
        (20/60), RATE_LIMIT_CHAT_ADDRESS (300/60; "off" disables either), REDIS_URL."""
        env = os.environ if env is None else env
        origins = tuple(o.strip() for o in env.get("WEBCHAT_ALLOWED_ORIGINS", "*").split(",") if o.strip())
        return cls(host=env.get("WEBCHAT_HOST", "127.0.0.1"), port=int(env.get("WEBCHAT_PORT", "8080")),
                   rasa_url=env.get("RASA_URL", DEFAULT_URL), rasa_timeout=float(env.get("RASA_TIMEOUT", "30")),
                   allowed_origins=origins or ("*",),
                   session_rate=rate_from_env("RATE_LIMIT_CHAT_SESSION", cls.session_rate, env),
                   address_rate=rate_from_env("RATE_LIMIT_CHAT_ADDRESS", cls.address_rate, env),
                   redis_url=env.get("REDIS_URL") or None)
