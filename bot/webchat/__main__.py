"""`python -m bot.webchat`: the widget's server (WEBCHAT_HOST/WEBCHAT_PORT, default 127.0.0.1:8080; RASA_URL)."""
from __future__ import annotations

import logging
import os

import uvicorn

from .app import create_app
from .settings import WebchatSettings


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = WebchatSettings.from_env()
    print(f"[webchat] demo desk page: http://{settings.host}:{settings.port}/demo  (Rasa at {settings.rasa_url})",
          flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=True)


if __name__ == "__main__":
    main()
