"""Telegram update handlers, one job each. Shared objects (the Rasa client, the button store) live in
`application.bot_data`, created in post_init (see app.py)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import AsyncIterator, Optional

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.limits import InputRejected, check_message
from bot.rasa_client import BotMessage, RasaClient, RasaUnavailable, start_rating_message
from bot.rate_limit import RateLimiter

from . import texts
from .replies import ButtonStore, keyboard, split_message

logger = logging.getLogger(__name__)

RASA = "rasa_client"
BUTTONS = "button_store"
LIMITER = "rate_limiter"
CHAT_RATE = "chat_rate"
RATE_SCOPE = "telegram-chat"
LANGUAGE = "language"
CANCEL_MESSAGE = "/restart"  # Rasa's built-in intent: ends forms (a survey too) and starts over
TYPING_EVERY = 4.5  # seconds; Telegram shows "typing…" for 5 s after each chat action
# Telegram deep-link payloads are 1–64 characters of A-Z a-z 0-9 _ -
SURVEY_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language chosen with /lang, else the one of the citizen's Telegram app."""
    chosen = context.user_data.get(LANGUAGE) if context.user_data is not None else None
    if chosen:
        return chosen
    user = update.effective_user
    return texts.normalise_language(user.language_code if user else None)


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat while the body runs."""
    async def keep_typing() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as error:  # cosmetic: never let it stop the answer
                logger.debug("chat action failed: %s", error)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def send_replies(bot: Bot, chat_id: int, replies: list[BotMessage], store: ButtonStore, language: str) -> None:
    """Rasa's messages as Telegram plain-text messages (no parse mode, so nothing needs escaping);
    a message's buttons go with its last piece."""
    if not replies:
        await bot.send_message(chat_id, texts.text("empty_reply", language))
        return
    for message in replies:
        body = message.text if not message.image else f"{message.text}\n{message.image}".strip()
        pieces = split_message(body)
        markup = keyboard(store, chat_id, message.buttons)
        if not pieces:
            pieces = [texts.text("choose", language)]
        for number, piece in enumerate(pieces, start=1):
            await bot.send_message(chat_id, piece, reply_markup=markup if number == len(pieces) else None)


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, message: str) -> None:
    """Send `message` to Rasa as this Telegram user and show the answer."""
    chat_id = update.effective_chat.id
    language = language_of(update, context)
    rasa: RasaClient = context.bot_data[RASA]
    try:
        async with typing(context.bot, chat_id):
            replies = await rasa.send(str(update.effective_user.id), message,
                                      {"channel": "telegram", "language": language})
    except RasaUnavailable:  # the client has logged it, once per outage
        await context.bot.send_message(chat_id, texts.text("rasa_down", language))
        return
    await send_replies(context.bot, chat_id, replies, context.bot_data[BUTTONS], language)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, or /start <token> from a survey invitation's deep link (t.me/<bot>?start=<token>)."""
    token: Optional[str] = context.args[0] if context.args else None
    if token and SURVEY_TOKEN.match(token):
        await converse(update, context, start_rating_message(token))
        return
    await update.effective_message.reply_text(texts.text("welcome", language_of(update, context)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(texts.text("help", language_of(update, context)))


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await converse(update, context, start_rating_message())


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    language = language_of(update, context)
    try:
        await context.bot_data[RASA].send(str(update.effective_user.id), CANCEL_MESSAGE,
                                          {"channel": "telegram", "language": language})
    except RasaUnavailable:
        pass  # nothing is under way if Rasa is down; the citizen may start over anyway
    await update.effective_message.reply_text(texts.text("cancelled", language))


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang en, /lang vi, or /lang alone for a choice of two buttons."""
    if context.args:
        context.user_data[LANGUAGE] = texts.normalise_language(context.args[0])
        await update.effective_message.reply_text(texts.text("language_set", context.user_data[LANGUAGE]))
        return
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếng Việt", callback_data="lang:vi"),
                                    InlineKeyboardButton("English", callback_data="lang:en")]])
    await update.effective_message.reply_text(texts.text("choose_language", language_of(update, context)),
                                              reply_markup=markup)


async def language_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    language = texts.normalise_language(query.data.split(":", 1)[1])
    context.user_data[LANGUAGE] = language
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(update.effective_chat.id, texts.text("language_set", language))


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of a Rasa answer: acknowledged, its keyboard removed, its payload sent to Rasa."""
    query = update.callback_query
    stored = context.bot_data[BUTTONS].pop(query.data, update.effective_chat.id)
    await query.answer()
    with contextlib.suppress(TelegramError):  # the message may be too old to edit; the answer still comes
        await query.edit_message_reply_markup(None)
    if stored is None:
        await context.bot.send_message(update.effective_chat.id,
                                       texts.text("button_expired", language_of(update, context)))
        return
    await converse(update, context, stored.payload)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        message = check_message(update.effective_message.text)
    except InputRejected as rejected:
        await update.effective_message.reply_text(texts.text(rejected.code, language_of(update, context)))
        return
    await converse(update, context, message)


async def limit_rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler: each update of a private chat counts against the chat's rate.
    Past it, the citizen is told once to wait a moment and the update goes no further (not to Rasa),
    until the chat's bucket has refilled."""
    chat = update.effective_chat
    limiter: Optional[RateLimiter] = context.bot_data.get(LIMITER)
    if limiter is None or chat is None or chat.type != ChatType.PRIVATE:
        return  # other chats are not answered at all
    decision = await limiter.hit(RATE_SCOPE, str(chat.id), context.bot_data.get(CHAT_RATE))
    if decision.allowed:
        return
    query = update.callback_query
    with contextlib.suppress(TelegramError):
        if decision.first_refusal:
            text = texts.text("rate_limited", language_of(update, context))
            if query is not None:
                await query.answer(text)
            else:
                await context.bot.send_message(chat.id, text)
        elif query is not None:
            await query.answer()  # stops the button's spinner, silently
    raise ApplicationHandlerStop


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(texts.text("text_only", language_of(update, context)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(texts.text("unknown_command", language_of(update, context)))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what a handler raised and tell the citizen, without stopping the bot."""
    logger.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        with contextlib.suppress(TelegramError):
            language = language_of(update, context)
            await context.bot.send_message(update.effective_chat.id, texts.text("error", language))
