"""Settings of the staff dashboard, read once from the environment.

The session-signing secret is `DASHBOARD_SECRET`; on a laptop a random one is made once and kept in
`var/dashboard-secret` (so sign-ins survive a restart), and with `APP_ENV=production` the dashboard
refuses to start without a real one. Cookies are `Secure` when the public URL is https or in production.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from store.db import REPO_ROOT

MIN_SECRET_CHARS = 32
SECRET_FILE = REPO_ROOT / "var" / "dashboard-secret"
DEFAULT_PUBLIC_BASE_URL = "http://localhost:8080/demo"


class DashboardSecretMissing(RuntimeError):
    pass


def _laptop_secret(path: Path) -> str:
    try:
        existing = path.read_text(encoding="utf-8").strip()
        if len(existing) >= MIN_SECRET_CHARS:
            return existing
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


MAX_PUBLIC_URL_CHARS = 200  # leaves room for the token inside a QR code's limit


@dataclass(frozen=True)
class DashboardSettings:
    secret: str
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL  # the widget page survey links open (`?survey=TOKEN`)
    secure_cookies: bool = False
    production: bool = False

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, secret_file: Path = SECRET_FILE) -> "DashboardSettings":
        """DASHBOARD_SECRET, PUBLIC_BASE_URL (default http://localhost:8080/demo), APP_ENV."""
        env = os.environ if env is None else env
        production = env.get("APP_ENV", "").strip().lower() == "production"
        secret = env.get("DASHBOARD_SECRET", "").strip()
        if production and len(secret) < MIN_SECRET_CHARS:
            raise DashboardSecretMissing(
                f"APP_ENV=production needs DASHBOARD_SECRET (at least {MIN_SECRET_CHARS} random characters, "
                "e.g. `openssl rand -base64 48`)")
        if not secret:
            secret = _laptop_secret(secret_file)
        public = (env.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).strip()
        if not public.lower().startswith(("https://", "http://")) or len(public) > MAX_PUBLIC_URL_CHARS:
            # every survey link and poster is built on it: refuse at start, not on the first poster
            raise ValueError(f"PUBLIC_BASE_URL must be an http(s) address of at most {MAX_PUBLIC_URL_CHARS} "
                             f"characters, not {public[:60]!r}")
        return cls(secret=secret, public_base_url=public, production=production,
                   secure_cookies=production or public.lower().startswith("https://"))
