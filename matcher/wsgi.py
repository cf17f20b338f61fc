"""WSGI entry point for gunicorn: ``gunicorn matcher.wsgi:app``."""
from . import create_app

app = create_app()
