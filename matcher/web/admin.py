"""Administrator pages: the audit log (read-only)."""
from flask import Blueprint, render_template, request

from ..services.audit import ACTIONS
from . import services
from .auth import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.get("/audit")
@admin_required
def audit():
    """Read the audit log, newest first."""
    page = max(request.args.get("page", 1, type=int), 1)
    action = request.args.get("action") if request.args.get("action") in ACTIONS else None
    rows, total = services().audit.page(page, PER_PAGE, action)
    return render_template("audit.html", rows=rows, total=total, page=page, action=action,
                           actions=ACTIONS, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1))
