"""The ``matcher`` command: serve the app, manage accounts and keys, check the audit log."""
import contextlib
import os
import sys

import click


@click.group()
def main():
    """Vững Bước matcher."""


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(bind, workers):
    """Serve the app with gunicorn."""
    from importlib import resources
    conf = str(resources.files("vungbuoc_config").joinpath("gunicorn.conf.py"))
    click.echo(f"Vững Bước is serving on http://{bind}/", err=True)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", conf, "--bind", bind,
                               "--workers", str(workers), "matcher.wsgi:app"])


@main.group()
def partners():
    """Partner accounts and their API keys."""


def _partner_service():
    from indexer.keys import KeyStore, create_tables
    from indexer.service import IndexerService
    from indexer.settings import load_settings
    svc = IndexerService.from_settings(load_settings())
    create_tables(svc.store)
    return svc, KeyStore(svc.store)


@partners.command("create")
@click.argument("partner_id")
@click.option("--name", help="Create the partner with this name if it is not in the store.")
@click.option("--kind", type=click.Choice(["employer", "training_provider", "both"]),
              help="Kind of a partner created here.")
def partners_create(partner_id, name, kind):
    """Issue an API key for PARTNER_ID (creating the partner from --name/--kind)."""
    from indexer.errors import NotFound
    svc, keys = _partner_service()
    try:
        try:
            svc.store.get_partner(partner_id)
        except NotFound:
            if not (name and kind):
                raise click.ClickException(f"partner {partner_id} is not in the store; load it "
                                           "from a feed or give --name and --kind") from None
            _, errors = svc.save("partners", [{"id": partner_id, "name": name, "kind": kind}])
            if errors:
                raise click.ClickException("; ".join(
                    f"{e['field']}: {' '.join(e['messages'])}" for e in errors[0][1])) from None
            click.echo(f"created partner {partner_id}", err=True)
        raw = keys.issue(partner_id)
    finally:
        svc.close()
    click.echo("API key (shown once; store it safely, it cannot be recovered):", err=True)
    click.echo(raw)


@partners.command("list")
def partners_list():
    """List partners and their keys (prefixes only, never secrets)."""
    svc, keys = _partner_service()
    try:
        by_partner = {}
        for key in keys.list():
            by_partner.setdefault(key["partner_id"], []).append(key)
        for partner in svc.store.list_partners():
            live = [k["prefix"] for k in by_partner.get(partner["id"], []) if not k["revoked_at"]]
            revoked = sum(1 for k in by_partner.get(partner["id"], []) if k["revoked_at"])
            click.echo(f"{partner['id']}\t{partner['kind']}\t{partner['name']}\t"
                       f"keys: {', '.join(live) or '-'}" + (f" ({revoked} revoked)" if revoked else ""))
    finally:
        svc.close()


@partners.command("rotate")
@click.argument("partner_id")
def partners_rotate(partner_id):
    """Issue a new key for PARTNER_ID and revoke its older keys."""
    from indexer.errors import NotFound
    svc, keys = _partner_service()
    try:
        raw = keys.rotate(partner_id)
    except NotFound:
        raise click.ClickException(f"partner {partner_id} is not in the store") from None
    finally:
        svc.close()
    click.echo("New API key (shown once); the older keys no longer work:", err=True)
    click.echo(raw)


@partners.command("revoke")
@click.argument("partner_id")
@click.option("--key", "prefix", help="Revoke only the key with this prefix.")
def partners_revoke(partner_id, prefix):
    """Revoke every key of PARTNER_ID (or one key with --key PREFIX)."""
    from indexer.errors import NotFound
    svc, keys = _partner_service()
    try:
        count = keys.revoke(partner_id=partner_id, prefix=prefix)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        svc.close()
    click.echo(f"revoked {count} key(s) of {partner_id}")


def _accounts():
    """The account service over the configured store (tables created if missing)."""
    from indexer.settings import ensure_data_dir, load_settings
    from indexer.store import Store

    from .models import create_all
    from .services import AccountService
    settings = load_settings()
    ensure_data_dir(settings)
    store = Store(settings["DATABASE_URL"])
    create_all(store.engine)
    return AccountService(store.engine, settings)


def _password(password_stdin):
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextlib.contextmanager
def _domain_errors():
    """Report a domain error (e.g. invalid input, unknown account) and exit 1."""
    from indexer.errors import VungBuocError
    try:
        yield
    except VungBuocError as exc:
        _fail(exc)


def _fail(exc):
    from indexer.errors import InvalidDocument
    if isinstance(exc, InvalidDocument):
        for err in exc.errors:
            click.echo(f"error: {err['field']}: {' '.join(err['messages'])}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@main.group()
def db():
    """Database migrations of the store and the officer tables."""


@db.command("upgrade")
def db_upgrade():
    """Apply pending migrations (store, then officer tables); back the database up first."""
    from indexer.cli import run_migrations
    from indexer.migrate import STORE

    from .migrations import OFFICERS
    run_migrations([STORE, OFFICERS])


@db.command("status")
def db_status():
    """Show the schema revisions; exits 1 if migrations are pending."""
    from indexer.cli import migration_status
    from indexer.migrate import STORE

    from .migrations import OFFICERS
    migration_status([STORE, OFFICERS])


@main.group()
def users():
    """Officer and admin accounts of the web app."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["officer", "province", "admin"]), default="officer",
              show_default=True, help="province: oversees the wards of a province (the "
                                      "dashboard's counts per ward, never a case).")
@click.option("--unit", help="The officer's ward (commune-level unit): its code (16531) or "
                             "'province / ward' ('Thanh Hóa / Phường Sầm Sơn'); "
                             "see `matcher places`. For --role province: the province "
                             "(38 or 'Thanh Hóa').")
@click.option("--name", default=None,
              help="The officer's full name, printed on referral slips ('Nguyễn Thị Lan').")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(username, role, unit, name, password_stdin):
    """Create an account (prompts for the password)."""
    from indexer.places import PlaceError, parse_unit

    from .services.dashboard import unit_label
    if unit and role != "province":  # a province account's unit is checked by the service
        try:
            ward, note = parse_unit(unit)
        except PlaceError as exc:
            _fail_field("unit", exc.message, _unit_hint(unit))
        if note:
            click.echo(f"warning: unit: {note}", err=True)
        unit = ward.code
    with _domain_errors():
        user = _accounts().create(username, _password(password_stdin), role=role, unit=unit,
                                  name=name)
    where = f"{unit_label(user['unit'])}, code {user['unit']}" if user["unit"] else "no unit"
    click.echo(f"created {user['role']} {user['username']} ({where})")


def _unit_hint(text):
    """Current wards whose names contain the words of ``text`` (for an error message)."""
    from indexer.places import search
    words = text.replace(",", "/").split("/")[-1]
    hits = search(words, limit=8)
    return ("did you mean: " + "; ".join(f"{w.label} ({w.code})" for w in hits)) if hits else None


def _fail_field(field, message, hint=None):
    click.echo(f"error: {field}: {message}", err=True)
    if hint:
        click.echo(hint, err=True)
    sys.exit(1)


@main.command("places")
@click.argument("query", nargs=-1)
@click.option("--province", help="Only this province (name or code).")
def places_command(query, province):
    """List current provinces, or search wards: `matcher places sam son`."""
    from indexer import places
    prov = None
    if province:
        prov = places.province(province) or places.find_province(province)
        if prov is None:
            _fail_field("province", f"Not a current province or city: {province!r}.")
    if not query and prov is None:
        for p in places.provinces():
            click.echo(f"{p.code}\t{p.name}\t{len(places.wards(p.code))} wards")
        return
    found = (places.search(" ".join(query), prov and prov.code, limit=50) if query
             else places.wards(prov.code))
    for w in found:
        click.echo(f"{w.code}\t{w.name}\t{w.province.name}")
    if not found:
        sys.exit(1)


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable the account instead.")
def users_disable(username, enable):
    """Disable an account; its sessions end at once."""
    with _domain_errors():
        _accounts().set_active(username, enable)
    click.echo(f"{'enabled' if enable else 'disabled'} {username}")


@users.command("set-name")
@click.argument("username")
@click.argument("name")
def users_set_name(username, name):
    """Set the officer's full name, printed on referral slips ('' clears it)."""
    with _domain_errors():
        _accounts().set_name(username, name)
    click.echo(f"name of {username}: {' '.join(name.split()) or '(none)'}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_reset_password(username, password_stdin):
    """Set a new password; ends the account's sessions and clears a login lock."""
    with _domain_errors():
        _accounts().reset_password(username, _password(password_stdin))
    click.echo(f"password reset for {username}")


@contextlib.contextmanager
def _officers():
    """The officer services over the configured store and index (tables created)."""
    from indexer.service import IndexerService
    from indexer.settings import load_settings

    from .models import create_all
    from .services import OfficerServices
    settings = load_settings()
    svc = IndexerService.from_settings(settings)
    try:
        create_all(svc.store.engine)
        yield OfficerServices(svc.store.engine, svc, settings)
    finally:
        svc.close()


@main.group()
def clients():
    """API clients of the match API (officers' tools): keys with scopes."""


@clients.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, default=["match"], show_default=True,
              type=click.Choice(["match"]), help="What the key may do (repeatable).")
def clients_create(name, scopes):
    """Issue an API key for client NAME (printed once, stored only as a hash)."""
    with _domain_errors(), _officers() as officers:
        raw = officers.clients.issue(name, tuple(scopes))
    click.echo("API key (shown once; store it safely, it cannot be recovered):", err=True)
    click.echo(raw)


@clients.command("list")
def clients_list():
    """List client keys (prefixes and scopes, never secrets)."""
    with _officers() as officers:
        for key in officers.clients.list():
            state = "revoked" if key["revoked_at"] else "live"
            click.echo(f"{key['name']}\t{key['prefix']}\t{key['scopes']}\t{state}")


@clients.command("revoke")
@click.argument("name")
@click.option("--key", "prefix", help="Revoke only the key with this prefix.")
def clients_revoke(name, prefix):
    """Revoke the keys of client NAME (or one key with --key PREFIX)."""
    with _domain_errors(), _officers() as officers:
        count = officers.clients.revoke(name, prefix)
    click.echo(f"revoked {count} key(s) of {name}")


@main.group()
def audit():
    """The audit log."""


@audit.command("verify")
def audit_verify():
    """Check the hash chain and the triggers of the audit log; exit 1 on any problem."""
    with _officers() as officers:
        count, head, problems = officers.audit.verify()
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        click.echo(f"audit log: {len(problems)} problem(s) in {count} rows", err=True)
        sys.exit(1)
    click.echo(f"audit log ok: {count} rows, chain head {head}")


@main.command("reencrypt")
def reencrypt():
    """Re-encrypt the offence categories with the first key of DATA_KEY (after adding one)."""
    with _officers() as officers:
        count = officers.profiles.reencrypt()
    click.echo(f"re-encrypted {count} profile(s)")


@main.group()
def retention():
    """Law 91/2025 retention: erase closed cases past RETENTION_DAYS."""


@retention.command("run")
def retention_run():
    """Erase the closed cases past retention now (the server also does it periodically)."""
    with _officers() as officers:
        done = officers.retention.run()
    click.echo(f"erased {done['erased']} closed case(s) past {officers.retention.days} days; "
               f"removed {done['sessions']} expired session(s)")


@main.group()
def digest():
    """The officers' daily e-mail of new postings matching their profiles."""


@digest.command("send")
def digest_send():
    """Send the digests due now (the server also sends them every DIGEST_EVERY_HOURS)."""
    with _officers() as officers:
        if not officers.digest.configured:
            click.echo("error: SMTP_HOST is not set (config/settings.toml, VUNGBUOC_SMTP_*)",
                       err=True)
            sys.exit(1)
        done = officers.digest.send_all()
    click.echo(f"sent {done['sent']} digest(s); {done['empty']} officer(s) had nothing new; "
               f"{done['failed']} failed")
    if done["failed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
