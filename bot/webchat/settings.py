"""Settings of the web widget's server, read once from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.rasa_client import DEFAULT_URL


@dataclass(frozen=True)
class WebchatSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = DEFAULT_URL
    rasa_timeout: float = 30.0
    allowed_origins: tuple[str, ...] = ("*",)  # sites allowed to embed the widget and call the API

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WebchatSettings":
        """WEBCHAT_HOST (127.0.0.1; 0.0.0.0 to serve a desk's network), WEBCHAT_PORT (8080), RASA_URL,
        RASA_TIMEOUT, WEBCHAT_ALLOWED_ORIGINS (comma-separated, default *)."""
        env = os.environ if env is None else env
        origins = tuple(o.strip() for o in env.get("WEBCHAT_ALLOWED_ORIGINS", "*").split(",") if o.strip())
        return cls(host=env.get("WEBCHAT_HOST", "127.0.0.1"), port=int(env.get("WEBCHAT_PORT", "8080")),
                   rasa_url=env.get("RASA_URL", DEFAULT_URL), rasa_timeout=float(env.get("RASA_TIMEOUT", "30")),
                   allowed_origins=origins or ("*",))
