"""The Rasa citizen channel (bot/channels/citizen.py) served by Sanic as Rasa serves it, with a stand-in
for the agent: run with Rasa's environment, `.venvs/rasa/bin/python citizen_channel_server.py PORT`.

The stand-in answers "Bạn hỏi: <text>" and reports, as a custom message, exactly what reached the
agent (text, sender, metadata), so the tests in the app environment can check the channel from outside."""
from __future__ import annotations

import sys

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.citizen import CitizenInput


class EchoAgent:
    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"Bạn hỏi: {message.text}")
        await message.output_channel.send_custom_json(message.sender_id, {"received": {
            "text": message.text, "sender": message.sender_id, "metadata": message.metadata}})


def main(port: int) -> None:
    app = Sanic("citizen_channel_under_test")
    app.ctx.agent = EchoAgent()
    register([CitizenInput()], app, "/webhooks/")
    app.run(host="127.0.0.1", port=port, access_log=False, debug=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
