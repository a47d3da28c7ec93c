"""Building the PTB Application, and running it by long polling (development) or behind a webhook
(production: a Starlette app served by uvicorn that refuses requests without Telegram's secret token).
In production and webhook mode a second, private listener answers /health, /ready and /metrics
(operations.py)."""
from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import BotCommand, Update
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          MessageHandler, TypeHandler, filters)

from bot.limits import MAX_UPDATE_BYTES, InputRejected, parse_json_object, read_body
from bot.rasa_client import RasaClient
from bot.rate_limit import create_limiter

from ops import metrics

from . import handlers, operations, texts
from .replies import CALLBACK_PREFIX, ButtonStore
from .settings import TelegramSettings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
MAX_UPDATE_DEPTH = 16  # replies quoting replies nest a few levels; ours never go past 8


def keep_personal_data_out_of_logs() -> None:
    """PTB's DEBUG lines carry whole updates and Bot API parameters (citizens' names, texts, chat ids),
    and httpx's INFO lines the Bot API URL with the bot's token: neither goes below INFO / WARNING,
    whatever LOG_LEVEL says."""
    for name, lowest in (("telegram", logging.INFO), ("httpx", logging.WARNING)):
        named = logging.getLogger(name)
        if named.getEffectiveLevel() < lowest:
            named.setLevel(lowest)


def build_application(settings: TelegramSettings, *, webhook: bool = False) -> Application:
    async def post_init(application: Application) -> None:
        application.bot_data[handlers.RASA] = RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)
        application.bot_data[handlers.BUTTONS] = ButtonStore()
        application.bot_data[handlers.LIMITER] = create_limiter(settings.redis_url)
        metrics.watch_rate_limiter(application.bot_data[handlers.LIMITER])  # its decisions on /metrics
        application.bot_data[handlers.CHAT_RATE] = settings.chat_rate
        for language in texts.LANGUAGES:
            commands = [BotCommand(name, description) for name, description in texts.commands(language).items()]
            # Vietnamese is the menu of everyone whose Telegram is not in English
            await application.bot.set_my_commands(
                commands, language_code=None if language == texts.DEFAULT_LANGUAGE else language)
        if settings.ops_port:
            server = operations.OperationsServer(application, settings.ops_host, settings.ops_port)
            await server.start()
            application.bot_data[operations.SERVER] = server

    async def post_shutdown(application: Application) -> None:
        server = application.bot_data.pop(operations.SERVER, None)
        if server is not None:
            await server.stop()
        rasa = application.bot_data.pop(handlers.RASA, None)
        if rasa is not None:
            await rasa.aclose()
        limiter = application.bot_data.pop(handlers.LIMITER, None)
        if limiter is not None:
            await limiter.aclose()

    keep_personal_data_out_of_logs()
    builder = (ApplicationBuilder().token(settings.token)
               .rate_limiter(AIORateLimiter(max_retries=2))
               # one citizen's slow answer must not hold up everyone else's
               .concurrent_updates(True)
               .post_init(post_init).post_shutdown(post_shutdown))
    if settings.api_url:
        base = settings.api_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    # private chats only (the bot answers citizens, not groups), and new messages only: an edited
    # message would otherwise be asked again
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, handlers.limit_rate), group=-1)
    application.add_handler(CommandHandler("start", handlers.start, filters=private))
    application.add_handler(CommandHandler("help", handlers.help_command, filters=private))
    application.add_handler(CommandHandler("rate", handlers.rate, filters=private))
    application.add_handler(CommandHandler("cancel", handlers.cancel, filters=private))
    application.add_handler(CommandHandler("lang", handlers.choose_language, filters=private))
    application.add_handler(CallbackQueryHandler(handlers.button_pressed, pattern=f"^{CALLBACK_PREFIX}"))
    application.add_handler(CallbackQueryHandler(handlers.language_chosen, pattern=r"^lang:(vi|en)$"))
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, handlers.text_message))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text))
    application.add_error_handler(handlers.on_error)


def webhook_path(settings: TelegramSettings) -> str:
    return urlsplit(settings.webhook_url or "").path or DEFAULT_WEBHOOK_PATH


def webhook_app(application: Application, secret: str, path: str = DEFAULT_WEBHOOK_PATH) -> Starlette:
    """The HTTP endpoint Telegram posts updates to. Only requests carrying the secret token given to
    setWebhook are accepted: anyone else could otherwise speak in any citizen's name."""
    if not secret:
        raise ValueError("a webhook needs a secret token")
    expected = secret.encode()

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = parse_json_object(await read_body(request, MAX_UPDATE_BYTES), max_bytes=MAX_UPDATE_BYTES,
                                     max_depth=MAX_UPDATE_DEPTH)
        except InputRejected as rejected:
            return PlainTextResponse("too large" if rejected.code == "too_long" else "bad update",
                                     status_code=413 if rejected.code == "too_long" else 400)
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # noqa: BLE001 - whatever PTB cannot read is not an update; never a 500
            return PlainTextResponse("bad update", status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive_update, methods=["POST"]),
                             Route("/health", health, methods=["GET"])])


def run_polling(settings: TelegramSettings) -> None:
    application = build_application(settings)
    logger.info("Telegram channel: long polling, Rasa at %s", settings.rasa_url)
    application.run_polling(allowed_updates=Update.ALL_TYPES)


async def serve_webhook(settings: TelegramSettings) -> None:
    import uvicorn

    settings.check_webhook()
    application = build_application(settings, webhook=True)
    path = webhook_path(settings)
    server = uvicorn.Server(uvicorn.Config(webhook_app(application, settings.webhook_secret, path),
                                           host=settings.listen, port=settings.port, log_level="info"))
    application.bot_data[operations.WEBHOOK_SERVER] = server  # for /ready
    async with application:  # initialize … shutdown
        await application.post_init(application)
        await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                          allowed_updates=Update.ALL_TYPES)
        await application.start()
        logger.info("Telegram channel: webhook %s on %s:%s, Rasa at %s",
                    settings.webhook_url, settings.listen, settings.port, settings.rasa_url)
        try:
            await server.serve()
        finally:
            await application.stop()
            await application.post_shutdown(application)
