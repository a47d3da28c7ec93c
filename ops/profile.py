"""The production profile: one setting, `APP_ENV=production`, switches every process from the laptop
defaults (SQLite, in-memory tracker and lock store, one Rasa) to PostgreSQL, Redis and several Rasa
replicas behind the webchat entry point.

Secrets come only from the environment. In production a process refuses to start when a secret it
uses is missing, short, or a placeholder copied from an example file; `python -m ops.profile check`
runs the same checks before anything starts (and refuses replica counts and ports that are no number,
overlap, or are already in use), and `python -m ops.profile env` prints the derived
settings (tracker database, Redis lock store, replica ports) as shell assignments for scripts/production.
"""
from __future__ import annotations

import os
import re
import shlex
import socket
import sys
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence
from urllib.parse import unquote, urlsplit

MIN_SECRET_CHARS = 32
# What each process needs; the webchat serves the dashboard and issues survey links, so it needs both.
SECRETS_BY_PROCESS = {
    "webchat": ("SURVEY_SECRET", "DASHBOARD_SECRET"),
    "actions": ("SURVEY_SECRET",),
    "rasa": ("RASA_AUTH_TOKEN",),
    "telegram": (),  # plus TELEGRAM_WEBHOOK_SECRET in webhook mode
}
SECRET_HINT = "e.g. `openssl rand -base64 48`"
# Words that mark a value copied from documentation or a development default, not a generated secret.
_PLACEHOLDER = re.compile(r"change.?me|changeit|placeholder|example|dev.?only|do.?not.?use|secret.?here|"
                          r"replace|your.?secret|^x+$|^<.*>$|^\*+$|insecure|default|test.?secret", re.I)


class ProductionSettingsError(RuntimeError):
    """A production process would start with a missing or unsafe setting."""


def is_production(env: Optional[Mapping[str, str]] = None) -> bool:
    env = os.environ if env is None else env
    return env.get("APP_ENV", "").strip().lower() == "production"


def secret_problem(name: str, value: Optional[str]) -> Optional[str]:
    """Why `value` cannot be the production secret `name`, or None when it can."""
    if not value:
        return f"{name} is not set"
    if len(value) < MIN_SECRET_CHARS:
        return f"{name} is shorter than {MIN_SECRET_CHARS} characters"
    if _PLACEHOLDER.search(value) or len(set(value)) < 8:
        return f"{name} looks like a placeholder, not a generated secret"
    return None


def check_secrets(process: str, env: Optional[Mapping[str, str]] = None) -> None:
    """Refuse (ProductionSettingsError, one message listing every problem) to start `process` in
    production with a missing or placeholder secret. Does nothing on a laptop."""
    env = os.environ if env is None else env
    if not is_production(env):
        return
    names = list(SECRETS_BY_PROCESS.get(process, ()))
    if process == "telegram" and env.get("TELEGRAM_MODE", "polling") == "webhook":
        names.append("TELEGRAM_WEBHOOK_SECRET")
    problems = [p for name in names if (p := secret_problem(name, env.get(name)))]
    if process in ("webchat", "actions") and not env.get("DATABASE_URL", "").startswith("postgresql"):
        problems.append("DATABASE_URL must name the PostgreSQL database (postgresql+psycopg://…)")
    if problems:
        raise ProductionSettingsError(
            f"APP_ENV=production: {process} refuses to start: " + "; ".join(problems) + f" ({SECRET_HINT})")


def start_checks(process: str) -> None:
    """Call first thing in a process's entry point: exits with a clear message instead of a traceback."""
    try:
        check_secrets(process)
        if process in ("webchat", "actions"):
            from store.surveys import SecretNotConfigured, check_settings

            try:
                check_settings()
            except SecretNotConfigured as error:
                raise ProductionSettingsError(str(error)) from None
    except ProductionSettingsError as error:
        print(f"[{process}] {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


@dataclass(frozen=True)
class ProductionLayout:
    """Derived settings of the production profile (all overridable by the variables named)."""

    replicas: int
    rasa_ports: tuple[int, ...]
    action_ports: tuple[int, ...]
    webchat_port: int
    tracker: dict[str, str]  # TRACKER_DB_* for endpoints.production.yml
    redis: dict[str, str]  # REDIS_HOST/PORT/PASSWORD, RASA_LOCK_PREFIX

    def rasa_url(self) -> str:
        """The comma-separated replica list the entry point spreads senders over."""
        return ",".join(f"http://127.0.0.1:{port}" for port in self.rasa_ports)


def _whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = env.get(name, "").strip() or str(default)
    if not re.fullmatch(r"[0-9]{1,6}", value) or not low <= int(value) <= high:
        raise ProductionSettingsError(f"{name} must be a whole number between {low} and {high}, not {value!r}")
    return int(value)


def layout(env: Optional[Mapping[str, str]] = None) -> ProductionLayout:
    env = os.environ if env is None else env
    replicas = _whole_number(env, "RASA_REPLICAS", 2, 1, 16)
    # each base port starts a run of `replicas` ports
    rasa_base = _whole_number(env, "RASA_PORT", 5005, 1, 65536 - replicas)
    action_base = _whole_number(env, "ACTIONS_PORT", 5055, 1, 65536 - replicas)
    webchat_port = _whole_number(env, "WEBCHAT_PORT", 8080, 1, 65535)
    rasa_ports = tuple(rasa_base + i for i in range(replicas))
    action_ports = tuple(action_base + i for i in range(replicas))
    if len({*rasa_ports, *action_ports, webchat_port}) < 2 * replicas + 1:
        raise ProductionSettingsError(
            f"the ports overlap: Rasa {rasa_ports[0]}-{rasa_ports[-1]}, action servers {action_ports[0]}-"
            f"{action_ports[-1]} (RASA_PORT, ACTIONS_PORT and {replicas} replicas), webchat {webchat_port}")
    database = urlsplit(env.get("DATABASE_URL", ""))
    # Rasa's tracker shares the ratings database unless TRACKER_DB_* say otherwise (its table is `events`).
    tracker = {
        "TRACKER_DB_HOST": env.get("TRACKER_DB_HOST") or database.hostname or "127.0.0.1",
        "TRACKER_DB_PORT": env.get("TRACKER_DB_PORT") or str(database.port or 5432),
        "TRACKER_DB_NAME": env.get("TRACKER_DB_NAME") or database.path.lstrip("/") or "tthc",
        "TRACKER_DB_USER": env.get("TRACKER_DB_USER") or unquote(database.username or "postgres"),
        "TRACKER_DB_PASSWORD": env.get("TRACKER_DB_PASSWORD") or unquote(database.password or ""),
    }
    redis_url = urlsplit(env.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    redis = {
        "REDIS_HOST": env.get("REDIS_HOST") or redis_url.hostname or "127.0.0.1",
        "REDIS_PORT": env.get("REDIS_PORT") or str(redis_url.port or 6379),
        "REDIS_PASSWORD": env.get("REDIS_PASSWORD") or unquote(redis_url.password or ""),
        "RASA_LOCK_PREFIX": env.get("RASA_LOCK_PREFIX") or "tthc",
    }
    return ProductionLayout(replicas=replicas, rasa_ports=rasa_ports, action_ports=action_ports,
                            webchat_port=webchat_port, tracker=tracker, redis=redis)


def ports_in_use(plan: ProductionLayout) -> list[str]:
    """The profile's ports something already listens on (an earlier run still going), each named: a
    server already there would answer the readiness checks while ours restarted forever."""
    named = [*((port, f"Rasa replica {i}") for i, port in enumerate(plan.rasa_ports)),
             *((port, f"action server {i}") for i, port in enumerate(plan.action_ports)),
             (plan.webchat_port, "webchat entry point")]
    taken = []
    for port, what in named:
        with socket.socket() as probe:
            probe.settimeout(1.0)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                taken.append(f"{port} ({what})")
    return taken


def shell_assignments(plan: ProductionLayout) -> str:
    values = {**plan.tracker, **plan.redis, "RASA_REPLICAS": str(plan.replicas),
              "RASA_PORTS": " ".join(map(str, plan.rasa_ports)),
              "ACTION_PORTS": " ".join(map(str, plan.action_ports)),
              "RASA_REPLICA_URLS": plan.rasa_url()}
    return "\n".join(f"{key}={shlex.quote(value)}" for key, value in values.items())


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "check"
    try:
        if command == "check":
            for process in ("rasa", "actions", "webchat"):
                check_secrets(process)
            if os.environ.get("TELEGRAM_BOT_TOKEN"):
                check_secrets("telegram")
            taken = ports_in_use(layout())
            if taken:
                raise ProductionSettingsError(
                    f"already in use: port {', '.join(taken)}; stop the earlier run or choose other ports "
                    "(RASA_PORT, ACTIONS_PORT, WEBCHAT_PORT)")
            print("[production] settings ok")
        elif command == "env":
            print(shell_assignments(layout()))
        else:
            print("usage: python -m ops.profile check|env", file=sys.stderr)
            return 64
    except ProductionSettingsError as error:
        print(f"[production] {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
