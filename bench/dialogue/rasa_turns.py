"""Run in Rasa's environment by bench/states_window.py: whole Rasa turns of one long conversation, said
twice in one process by two senders, one turn each in turn, with bot.rasa_server's states window off
for one and on for the other. Custom actions are answered by a stub on the same event loop (a fixed
reply and one slot, as action_answer sets), so both trackers get the same events and the CPU measured
is Rasa's own: tracker store, NLU, policies, the action call's body. Reads {"model", "texts"} as JSON
on stdin; prints one JSON line."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time

logging.disable(logging.WARNING)

from aiohttp import web  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer  # noqa: E402
from rasa.utils import log_utils  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

import bot.rasa_server  # noqa: E402

REPLY = "📄 Hồ sơ cần chuẩn bị – " + "giấy tờ " * 80  # about the length of a real answer


async def stub_action(request: web.Request) -> web.Response:
    # only the action's name, from the head of the body: parsing the whole tracker would cost this
    # process what the action server pays
    head = (await request.read())[:300].decode("utf-8", "ignore")
    name = re.search(r'"next_action": "([^"]+)"', head).group(1)
    if name == "action_session_start":
        return web.json_response({"events": [{"event": "session_started"},
                                             {"event": "action", "name": "action_listen"}], "responses": []})
    return web.json_response({"events": [{"event": "slot", "name": "procedure_id", "value": "thu-tuc"}],
                              "responses": [{"text": REPLY}]})


async def main() -> None:
    given = json.load(sys.stdin)
    log_utils.configure_structlog(logging.INFO)  # as served: policies' debug events dropped
    rasas = MaxHistoryTrackerFeaturizer.prediction_states
    bot.rasa_server.install()
    variants = {"Rasa's states": rasas, "window": MaxHistoryTrackerFeaturizer.prediction_states}

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/webhook", stub_action)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    agent = Agent.load(given["model"], action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))

    cpu: dict = {name: [] for name in variants}
    for turn, text in enumerate(given["texts"]):
        order = list(variants) if turn % 2 == 0 else list(reversed(variants))  # neither always goes first
        for name in order:
            MaxHistoryTrackerFeaturizer.prediction_states = variants[name]
            started = time.process_time()
            await agent.handle_text(text, sender_id=f"long-{list(variants).index(name)}")
            cpu[name].append((time.process_time() - started) * 1000)
    events = {name: len((await agent.tracker_store.retrieve(f"long-{i}")).events)
              for i, name in enumerate(variants)}
    await runner.cleanup()
    print(json.dumps({"cpu_ms": cpu, "events": events, "window": bot.rasa_server.states_window()}))


if __name__ == "__main__":
    asyncio.run(main())
