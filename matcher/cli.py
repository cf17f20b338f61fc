"""The ``matcher`` command: serve the app and manage accounts."""
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
