"""Staff accounts from the command line:

    python -m bot.dashboard user add USERNAME --role staff|supervisor|admin --unit CODE [--name "Họ tên"]
                                    [--password-stdin]   (otherwise a password is generated and printed once)
    python -m bot.dashboard user list
    python -m bot.dashboard user disable USERNAME
    python -m bot.dashboard user enable USERNAME
    python -m bot.dashboard demo-login     (laptop only) a demo admin for the demo data, its password
                                            written to var/dashboard-demo-login.txt
"""
from __future__ import annotations

import argparse
import os
import sys

from store import staff
from store.db import REPO_ROOT, is_production
from store.models import STAFF_ROLES

DEMO_USERNAME = "demo-admin"
DEMO_LOGIN_FILE = REPO_ROOT / "var" / "dashboard-demo-login.txt"


def _read_password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated)"""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return staff.generate_password(), True


def demo_login() -> int:
    """Creates the demo admin once; prints where its password is. Refused in production."""
    if is_production():
        print("demo-login is for laptops only (APP_ENV=production)", file=sys.stderr)
        return 2
    import units

    if staff.get_account(DEMO_USERNAME) is not None and DEMO_LOGIN_FILE.exists():
        print(f"demo dashboard login: see {DEMO_LOGIN_FILE.relative_to(REPO_ROOT)}")
        return 0
    from store.demo import has_demo_data

    if staff.get_account(DEMO_USERNAME) is None and staff.list_accounts() and not has_demo_data():
        # a laptop database with real accounts and real ratings gets no extra admin behind its back
        print("no demo dashboard login: this database has staff accounts and no demo data")
        return 0
    directory = units.directory()
    root = next((u.code for u in directory.units.values() if not u.parent), directory.default_code)
    password = staff.generate_password()
    if staff.get_account(DEMO_USERNAME) is None:
        staff.create_account(DEMO_USERNAME, "admin", root, password, "Quản trị (tài khoản demo)")
    else:  # the file was lost: a new password, written down again
        staff.set_password(DEMO_USERNAME, password)
    DEMO_LOGIN_FILE.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(DEMO_LOGIN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"username: {DEMO_USERNAME}\npassword: {password}\n")
    print(f"demo dashboard login written to {DEMO_LOGIN_FILE.relative_to(REPO_ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dashboard")
    commands = parser.add_subparsers(dest="command", required=True)
    user = commands.add_parser("user").add_subparsers(dest="action", required=True)
    add = user.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=STAFF_ROLES)
    add.add_argument("--unit", required=True)
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    user.add_parser("list")
    for action in ("disable", "enable"):
        user.add_parser(action).add_argument("username")
    commands.add_parser("demo-login")
    args = parser.parse_args(argv)

    if args.command == "demo-login":
        return demo_login()
    try:
        if args.action == "add":
            password, generated = _read_password(args.password_stdin)
            created = staff.create_account(args.username, args.role, args.unit, password, args.name)
            print(f"created {created.username} ({created.role}, {created.unit})")
            if generated:
                print(f"password (shown once): {password}")
        elif args.action == "list":
            for account in staff.list_accounts():
                last = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "-"
                state = "active" if account.active else "disabled"
                print(f"{account.username}\t{account.role}\t{account.unit}\t{state}\tlast login {last}\t"
                      f"{account.display_name}")
        else:
            changed = staff.set_active(args.username, args.action == "enable")
            print(f"{changed.username}: {'active' if changed.active else 'disabled'}")
    except staff.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
