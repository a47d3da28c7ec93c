"""`python -m bot.webchat`: the widget's server (WEBCHAT_HOST/WEBCHAT_PORT, default 127.0.0.1:8080; RASA_URL)."""
from __future__ import annotations

import logging

import uvicorn

from ops import logs, metrics, profile

from .app import create_app
from .settings import WebchatSettings


def main() -> None:
    profile.start_checks("webchat")  # refuses production with a missing or placeholder secret
    logs.configure("webchat")
    metrics.register_store_collector()
    settings = WebchatSettings.from_env()
    logging.getLogger("bot.webchat").info("demo desk page: http://%s:%s/demo (Rasa replicas: %s)", settings.host,
                                          settings.port, settings.rasa_url)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=True, log_config=logs.uvicorn_log_config("webchat"))


if __name__ == "__main__":
    main()
