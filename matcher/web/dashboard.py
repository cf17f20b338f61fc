"""The unit dashboard."""
from flask import Blueprint, g, render_template

from . import services
from .auth import login_required

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index():
    """Figures and charts for the officer's unit."""
    figures = services().dashboard.figures(g.user["unit"])
    return render_template("dashboard.html", f=figures)
