"""In-app help: a summary of the officer's workflow and the guide (docs/huong-dan-can-bo.md)."""
import os
from pathlib import Path

from flask import Blueprint, abort, render_template, send_from_directory
from markupsafe import Markup

bp = Blueprint("help", __name__)
GUIDE = "huong-dan-can-bo.md"


def docs_dir():
    """Where the guide is: VUNGBUOC_DOCS_DIR, the checkout's docs/, or ./docs (the image)."""
    candidates = [os.environ.get("VUNGBUOC_DOCS_DIR"),
                  Path(__file__).resolve().parents[2] / "docs", Path.cwd() / "docs"]
    for path in candidates:
        if path and (Path(path) / GUIDE).is_file():
            return Path(path)
    return None


def guide_html():
    """The guide as HTML (Python-Markdown), or None when it is not installed."""
    import markdown
    folder = docs_dir()
    if folder is None:
        return None
    text = (folder / GUIDE).read_text(encoding="utf-8")
    # The guide is the project's own file, not user input: its HTML is trusted.
    return Markup(markdown.markdown(text, extensions=["tables", "toc", "sane_lists"],
                                    output_format="html"))


@bp.get("/help/")
def index():
    """How to use the app: the steps in short, then the officer's guide."""
    return render_template("help.html", guide=guide_html())


@bp.get("/help/img/<path:name>")
def image(name):
    """A screenshot of the guide."""
    folder = docs_dir()
    if folder is None or not name.endswith(".png"):
        abort(404)
    return send_from_directory(folder / "img", name, max_age=3600)
