"""The Telegram channel (python-telegram-bot v22): citizens chat with the assistant in Telegram.

Run with `python -m bot.telegram` (long polling; `TELEGRAM_MODE=webhook` for production). Every text goes
to Rasa through bot.rasa_client; this package only translates between Telegram and Rasa.
"""
