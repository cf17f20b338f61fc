"""The ``indexer`` command: load feeds, sync, reindex and report."""
import contextlib
import json
import sys
from importlib import resources
from pathlib import Path

import click

from .errors import BackendError
from .rawinput import json_safe, printable
from .service import IndexerService
from .settings import load_settings


def sample_feeds():
    """Paths of the sample feeds bundled with the package (partners first)."""
    root = resources.files("indexer").joinpath("sample_feeds")
    names = ("partners.json", "jobs.jsonl", "courses.json")
    return [Path(str(root.joinpath(n))) for n in names]


def _service():
    from .migrate import SchemaOutdated
    try:
        return IndexerService.from_settings(load_settings())
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from None


def run_migrations(schemas):
    """Upgrade ``schemas`` in the configured database, saying what was done."""
    from .migrate import upgrade
    from .settings import ensure_data_dir
    from .store import Store
    settings = load_settings()
    ensure_data_dir(settings)
    store = Store(settings["DATABASE_URL"])
    try:
        for schema in schemas:
            before, after = upgrade(store.engine, schema, settings)
            click.echo(f"{schema.name}: " + (f"upgraded {before or 'empty'} → {after}"
                                             if before != after else f"at {after}, up to date"))
    finally:
        store.close()


def migration_status(schemas):
    """Print each schema's revision and the newest one; exit 1 when one is behind."""
    from .migrate import current, head
    from .store import Store
    store = Store(load_settings()["DATABASE_URL"])
    behind = False
    try:
        with store.engine.connect() as conn:
            for schema in schemas:
                at = current(conn, schema)
                behind |= at != head(schema)
                click.echo(f"{schema.name}: at {at or '-'}, newest {head(schema)}")
    finally:
        store.close()
    sys.exit(1 if behind else 0)


@contextlib.contextmanager
def _opened(failure):
    """The service for one command, closed afterwards; a backend failure exits 1."""
    service = _service()
    try:
        yield service
    except BackendError as exc:
        click.echo(f"{failure}: {exc}", err=True)
        sys.exit(1)
    finally:
        service.close()


@click.group()
def main():
    """Vững Bước indexer: partner feeds into the store and the search index."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["partners", "jobs", "courses"]),
              help="Kind of every file (default: from each file's name).")
@click.option("--samples", is_flag=True, help="Load the bundled sample feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
def load(files, kind, samples, as_json, progress):
    """Load partner feed files (JSON, JSON Lines, CSV); exits 1 if any record was rejected."""
    paths = list(files) + (sample_feeds() if samples else [])
    if not paths:
        raise click.UsageError("give feed files, or --samples")
    service = _service()
    bar = None
    if progress or (progress is None and sys.stderr.isatty()):
        from tqdm import tqdm
        bar = tqdm(unit=" records", file=sys.stderr)
    try:
        report = service.load_files(paths, kind=kind, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
        service.close()
    if as_json:
        click.echo(json_safe(json.dumps(
            {"summary": report.summary(), "rejects": report.rejects,
             "unresolved_skills": report.unresolved_skills,
             "resolved_in_text": report.resolved_in_text,
             "conversions": report.conversions,
             "index_error": report.index_error, "stopped": report.stopped},
            ensure_ascii=False, indent=2)))
    else:
        for r in report.rejects:
            click.echo(printable(f"rejected {r['file']} {r['where']}: {r['field']}: "
                                 f"{r['message']}"), err=True)
        for c in report.conversions:
            click.echo(f"converted {c['file']} {c['where']}: {c['field']}: {c['message']}")
        if report.unresolved_skills:
            items = ", ".join(f"{t} ({n})" for t, n in sorted(report.unresolved_skills.items()))
            click.echo(f"skills kept as text (not in the taxonomy): {items}")
        if report.resolved_in_text:
            click.echo(f"skills found in {len(report.resolved_in_text)} requirement "
                       "sentence(s), kept as text too:")
            for text, found in sorted(report.resolved_in_text.items()):
                click.echo(f"  {text[:80]}{'…' if len(text) > 80 else ''} → {', '.join(found)}")
        if report.index_error:
            click.echo(f"index not updated yet, run 'indexer sync' later: {report.index_error}",
                       err=True)
        if report.stopped:
            click.echo(f"load stopped: {report.stopped}. The counts below are what was "
                       "committed; loading the same files again skips it.", err=True)
        s = report.summary()
        click.echo("read {read} / inserted {inserted} / updated {updated} / unchanged "
                   "{unchanged} / rejected {rejected} / converted {converted} / indexed "
                   "{indexed}".format(**s))
    sys.exit(2 if report.stopped else 1 if report.rejected or report.index_error else 0)


@main.command()
@click.option("--retries", default=3, show_default=True, help="Retries on backend failure.")
def sync(retries):
    """Drain the outbox into the search index."""
    with _opened("sync failed, outbox kept") as service:
        click.echo(f"indexed {service.sync(retries=retries)}")


@main.command()
def reindex():
    """Rebuild the search index from the store."""
    with _opened("reindex failed") as service:
        counts = service.reindex()
        click.echo(" / ".join(f"{k} {v}" for k, v in counts.items()))


@main.command()
def stats():
    """Print counts in the store and the index as JSON; exits 1 unless they agree."""
    with _opened("stats failed") as service:
        out = service.stats()
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    sys.exit(0 if out.get("agrees") else 1)


@main.command()
@click.option("--repair", is_flag=True, help="Re-index the documents that differ.")
@click.option("--deep", is_flag=True, help="Also read every index file and check its checksums.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(repair, deep, as_json):
    """Check that searches return exactly the store's open documents; exits 1 if not."""
    with _opened("verify failed: the index cannot be read (`indexer sync` rebuilds it)") \
            as service:
        done = {}
        if repair:
            checks, done = service.repair()
        else:
            checks = service.verify(deep=deep)
    if as_json:
        click.echo(json.dumps({kind: {**c.as_dict(), "repair": done.get(kind)}
                               for kind, c in checks.items()}, ensure_ascii=False, indent=2))
    else:
        for kind, c in checks.items():
            words = [f"{kind}: {'ok' if c.ok else 'DIFFERS'}", f"store {c.expected} open",
                     f"searchable {c.returned}"]
            words += [f"{name} {len(ids)} {ids[:10]}" for name, ids in (
                ("missing", c.missing), ("extra", c.extra), ("stale", c.stale),
                ("duplicated", c.duplicated)) if ids]
            if c.pending:
                words.append(f"pending {c.pending} (waiting in the outbox: `indexer sync`)")
            if done.get(kind, "none") != "none":
                words.append(f"repaired ({done[kind]})")
            click.echo(" / ".join(words))
    sys.exit(0 if all(c.ok for c in checks.values()) else 1)


@main.group()
def db():
    """The store's schema: migrations (the officer tables: `matcher db`)."""


@db.command("upgrade")
def db_upgrade():
    """Apply pending migrations of the store's tables (back the database up first)."""
    from .migrate import STORE
    run_migrations([STORE])


@db.command("status")
def db_status():
    """Show the store's schema revision; exits 1 if migrations are pending."""
    from .migrate import STORE
    migration_status([STORE])


if __name__ == "__main__":
    main()
