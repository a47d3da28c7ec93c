"""`python -m bot.telegram`: the Telegram channel. Long polling by default; TELEGRAM_MODE=webhook for
production (TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_WEBHOOK_LISTEN/PORT)."""
from __future__ import annotations

import asyncio
import logging
import sys

from ops import logs, profile

from .app import run_polling, serve_webhook
from .settings import SettingsError, TelegramSettings


def main() -> int:
    profile.start_checks("telegram")  # production: the webhook secret must be a real one
    logs.configure("telegram")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per getUpdates otherwise
    try:
        settings = TelegramSettings.from_env()
    except SettingsError as error:
        print(f"[telegram] not started: {error}", file=sys.stderr)
        return 2
    if settings.mode == "webhook":
        asyncio.run(serve_webhook(settings))
    else:
        run_polling(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
