"""The web widget for one-stop desks: an embeddable chat (static/widget.js) and the small server that
serves it and passes messages to Rasa through bot.rasa_client. Run with `python -m bot.webchat`."""
