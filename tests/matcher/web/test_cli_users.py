"""The ``matcher users`` commands."""
from click.testing import CliRunner

from matcher import create_app
from matcher.cli import main

from web_helpers import SAM_SON_UNIT, login


def run(settings, monkeypatch, *args, stdin=None):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    return CliRunner().invoke(main, ["users", *args], input=stdin)


def test_create_disable_reset(settings, monkeypatch):
    result = run(settings, monkeypatch, "create", "Hoa", "--unit", SAM_SON_UNIT,
                 "--password-stdin", stdin="first password\n")
    assert result.exit_code == 0, result.output
    assert "created officer hoa" in result.output
    app = create_app({**settings, "TESTING": True})
    client = app.test_client()
    assert login(client, "hoa", "first password").status_code == 302

    assert run(settings, monkeypatch, "disable", "hoa").exit_code == 0
    assert client.get("/").status_code == 302
    assert login(client, "hoa", "first password").status_code == 401

    assert run(settings, monkeypatch, "disable", "--enable", "hoa").exit_code == 0
    result = run(settings, monkeypatch, "reset-password", "hoa", "--password-stdin",
                 stdin="second password\n")
    assert result.exit_code == 0, result.output
    assert login(client, "hoa", "first password").status_code == 401
    assert login(client, "hoa", "second password").status_code == 302
    with app.extensions["vungbuoc"].store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM officer_users").scalar()
    assert stored.startswith("$argon2id$") and "second" not in stored
    app.extensions["vungbuoc"].close()


def test_create_refuses_bad_input(settings, monkeypatch):
    result = run(settings, monkeypatch, "create", "x", "--unit", "Nowhere / A / B",
                 "--password-stdin", stdin="long enough pw\n")
    assert result.exit_code == 1 and "unit" in result.output
    result = run(settings, monkeypatch, "create", "x", "--unit", SAM_SON_UNIT,
                 "--password-stdin", stdin="short\n")
    assert result.exit_code == 1 and "password" in result.output
    result = run(settings, monkeypatch, "create", "x", "--password-stdin", stdin="long enough pw\n")
    assert result.exit_code == 1 and "unit" in result.output
    assert run(settings, monkeypatch, "disable", "ghost").exit_code == 1


def test_create_with_the_name_printed_on_slips(settings, monkeypatch):
    result = run(settings, monkeypatch, "create", "thu", "--unit", SAM_SON_UNIT, "--name",
                 "  Nguyễn   Thị Thu ", "--password-stdin", stdin="first password\n")
    assert result.exit_code == 0, result.output
    app = create_app({**settings, "TESTING": True})
    assert app.extensions["officers"].accounts.by_username("thu")["display_name"] == \
        "Nguyễn Thị Thu"
    app.extensions["vungbuoc"].close()
    result = run(settings, monkeypatch, "create", "long", "--unit", SAM_SON_UNIT, "--name",
                 "x" * 101, "--password-stdin", stdin="first password\n")
    assert result.exit_code != 0 and "name" in result.output
    assert run(settings, monkeypatch, "set-name", "thu", "Trần Thu").exit_code == 0
    app = create_app({**settings, "TESTING": True})
    assert app.extensions["officers"].accounts.by_username("thu")["display_name"] == "Trần Thu"
    app.extensions["vungbuoc"].close()
    assert run(settings, monkeypatch, "set-name", "nobody", "X").exit_code != 0
