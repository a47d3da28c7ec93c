"""`python -m bot.dashboard`: staff accounts from the command line, and the laptop's demo login."""
from __future__ import annotations

import io
import re

import pytest

from bot.dashboard import __main__ as cli
from store import staff


def test_user_add_list_disable_enable(db, capsys, monkeypatch):
    assert cli.main(["user", "add", "Lan.Nguyen", "--role", "staff", "--unit", "demo-xa-song-xanh",
                     "--name", "Nguyễn Thị Lan"]) == 0
    password = re.search(r"password \(shown once\): (\S+)", capsys.readouterr().out).group(1)
    assert staff.authenticate("lan.nguyen", password, "127.0.0.1").ok
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-rieng\n"))
    assert cli.main(["user", "add", "minh", "--role", "supervisor", "--unit", "demo-province",
                     "--password-stdin"]) == 0
    assert "shown once" not in capsys.readouterr().out
    assert staff.authenticate("minh", "mot-mat-khau-rieng", "127.0.0.1").ok
    assert cli.main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "lan.nguyen\tstaff\tdemo-xa-song-xanh\tactive" in listing and "minh\tsupervisor" in listing
    assert cli.main(["user", "disable", "lan.nguyen"]) == 0 and "disabled" in capsys.readouterr().out
    assert not staff.authenticate("lan.nguyen", password, "127.0.0.2").ok
    assert cli.main(["user", "enable", "lan.nguyen"]) == 0
    assert cli.main(["user", "add", "xa1", "--role", "staff", "--unit", "nowhere"]) == 1
    assert "unknown unit" in capsys.readouterr().err
    assert cli.main(["user", "disable", "nobody"]) == 1
    with pytest.raises(SystemExit):
        cli.main(["user", "add", "xa2", "--role", "root", "--unit", "demo-hcc"])


def test_demo_login_is_made_once_and_only_on_a_laptop(db, tmp_path, monkeypatch, capsys):
    login_file = tmp_path / "dashboard-demo-login.txt"
    monkeypatch.setattr(cli, "DEMO_LOGIN_FILE", login_file)
    monkeypatch.setattr(cli, "REPO_ROOT", tmp_path)
    assert cli.main(["demo-login"]) == 0
    text = login_file.read_text(encoding="utf-8")
    password = re.search(r"password: (\S+)", text).group(1)
    assert oct(login_file.stat().st_mode & 0o777) == "0o600"
    user = staff.authenticate("demo-admin", password, "127.0.0.1").user
    assert (user.role, user.unit) == ("admin", "demo-province")
    assert cli.main(["demo-login"]) == 0 and login_file.read_text(encoding="utf-8") == text  # unchanged
    monkeypatch.setenv("APP_ENV", "production")
    assert cli.main(["demo-login"]) == 2


def test_no_demo_admin_is_added_to_a_database_with_real_accounts(db, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "DEMO_LOGIN_FILE", tmp_path / "login.txt")
    monkeypatch.setattr(cli, "REPO_ROOT", tmp_path)
    staff.create_account("that-tinh", "admin", "demo-province", "mat-khau-that-dai")
    assert cli.main(["demo-login"]) == 0
    assert staff.get_account("demo-admin") is None and not (tmp_path / "login.txt").exists()


def test_the_demo_banner_shows_while_demo_data_is_present(signed_in):
    from store import demo

    client = signed_in("can-bo-xa")
    assert "Dữ liệu mẫu" not in client.get("/dashboard/reports").text
    demo.fill_demo_data(months=1)
    assert "Dữ liệu mẫu" in client.get("/dashboard/reports").text
