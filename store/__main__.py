"""Store commands:

    python -m store upgrade                 bring DATABASE_URL to the latest migration
    python -m store current                 print the database's revision and the code's
    python -m store revision "message"      new migration from the models (developers)
    python -m store invite UNIT [--desk D] [--dossier CODE] [--procedure ID] [--channel C]
                                            issue a survey link (counts as a survey issued) and print it
    python -m store demo [--months N] [--reset] [--if-empty] [--force]
                                            fill the database with marked demo data for the last N months
                                            (default 6); --reset replaces earlier demo data (and only that),
                                            --if-empty does nothing when any rating exists, --force allows
                                            it with APP_ENV=production
"""
from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy import create_engine

from . import db


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m store")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade")
    commands.add_parser("current")
    revision = commands.add_parser("revision")
    revision.add_argument("message")
    invite = commands.add_parser("invite")
    invite.add_argument("unit")
    invite.add_argument("--desk")
    invite.add_argument("--dossier")
    invite.add_argument("--procedure")
    invite.add_argument("--channel", default="qr")
    demo = commands.add_parser("demo")
    demo.add_argument("--months", type=int, default=6)
    demo.add_argument("--reset", action="store_true")
    demo.add_argument("--if-empty", action="store_true")
    demo.add_argument("--force", action="store_true")
    demo.add_argument("--seed", type=int)
    args = parser.parse_args(argv)

    if args.command == "upgrade":
        db.migrate()
        print(f"database at revision {db.head_revision()}")
    elif args.command == "current":
        engine = create_engine(db.normalise_url(db.database_url()))
        with engine.connect() as connection:
            print(f"database: {db.current_revision(connection)}  code: {db.head_revision()}")
        engine.dispose()
    elif args.command == "revision":
        from alembic import command

        command.revision(db.alembic_config(), message=args.message, autogenerate=True)
    elif args.command == "invite":
        from .surveys import issue_invitation

        invitation = issue_invitation(args.unit, desk=args.desk, dossier_code=args.dossier,
                                      procedure_id=args.procedure, channel=args.channel)
        print(f"token: {invitation.token}")
        print(f'Rasa message: /start_rating{{"survey_token":"{invitation.token}"}}')
        if os.environ.get("TELEGRAM_BOT_USERNAME"):
            print(f"Telegram: {invitation.telegram_link(os.environ['TELEGRAM_BOT_USERNAME'])}")
        if os.environ.get("PUBLIC_BASE_URL"):
            print(f"widget: {invitation.widget_url(os.environ['PUBLIC_BASE_URL'])}")
    elif args.command == "demo":
        from .demo import DEFAULT_SEED, DemoRefused, run_demo

        try:
            print(run_demo(args.months, reset=args.reset, if_empty=args.if_empty, force=args.force,
                           seed=DEFAULT_SEED if args.seed is None else args.seed))
        except (DemoRefused, ValueError) as error:
            print(f"demo: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
