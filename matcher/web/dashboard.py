"""The dashboard: figures over a date range for a ward, a province or every ward; exports."""
import datetime as dt

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validates_schema

from indexer import clock

from ..services.dashboard import MAX_RANGE_DAYS, WARD_COLUMNS, default_range, unit_label
from ..services.errors import NotFound
from ..services.exports import XLSX_TYPE, sheets, to_csv, to_xlsx
from . import services
from .auth import login_required_any
from .i18n import sector_label, status_label
from .messages import SUPPORT_LABELS, SUPPORT_STATUS_LABELS

bp = Blueprint("dashboard", __name__)


class RangeSchema(Schema):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&scope=CODE: Vietnam's days, the range inclusive."""

    start = fields.Date(data_key="from", load_default=None)
    end = fields.Date(data_key="to", load_default=None)
    scope = fields.String(load_default=None)

    @validates_schema
    def _order(self, data, **kwargs):
        start, end, today = data.get("start"), data.get("end"), clock.today()
        if start and start > today:
            raise ValidationError(["The start cannot be in the future."], "from")
        if start and end and end < start:
            raise ValidationError(["The end must not be before the start."], "to")
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise ValidationError(["At most three years at a time."], "to")


FIELD_MESSAGES = {
    "Not a valid date.": lambda: gettext("Enter a date as YYYY-MM-DD."),
    "The start cannot be in the future.": lambda: gettext("The start cannot be in the future."),
    "The end must not be before the start.": lambda: gettext(
        "The end must not be before the start."),
    "At most three years at a time.": lambda: gettext("At most three years at a time."),
}


def _range():
    """(start, end, scope, errors) of the request; the defaults where a field is bad."""
    try:
        args = RangeSchema().load({k: v for k, v in request.args.items() if v.strip()})
        errors = {}
    except ValidationError as exc:
        args = {"start": None, "end": None, "scope": request.args.get("scope")}
        errors = {field: [FIELD_MESSAGES.get(m, lambda m=m: m)() for m in messages]
                  for field, messages in exc.messages.items()}
    start, end = default_range()
    start, end = args["start"] or start, args["end"] or end
    if args["start"] and not args["end"]:
        end = max(start, clock.today())
    if args["end"] and not args["start"]:
        start = min(end, default_range(end)[0])
    return start, end, args.get("scope"), errors


def _figures():
    start, end, requested, errors = _range()
    svc = services().dashboard
    try:
        scope = svc.scope_for(g.user, requested)
    except NotFound:
        abort(404)
    return svc.figures(scope, start, end), errors


def _presets(today):
    """(label, from, to) of the ranges an officer asks for most."""
    quarter = default_range(today)[0]
    last_q_end = quarter - dt.timedelta(days=1)
    return [(gettext("This month"), today.replace(day=1), today),
            (gettext("This quarter"), quarter, today),
            (gettext("Last quarter"), default_range(last_q_end)[0], last_q_end),
            (gettext("This year"), today.replace(month=1, day=1), today)]


@bp.get("/dashboard")
@login_required_any
def index():
    """Figures and charts for the account's unit, province or every ward."""
    return _page(*_figures())


def _page(figures, errors):
    return render_template(
        "dashboard.html", f=figures, errors=errors, values=request.args,
        scopes=services().dashboard.scopes(g.user), scope_label=_scope_label,
        presets=_presets(clock.today()), ward_columns=WARD_COLUMNS,
        column_label=_column_label, measure_label=lambda m: gettext(SUPPORT_LABELS[m]),
        support_status_label=lambda st: gettext(SUPPORT_STATUS_LABELS[st])), \
        422 if errors else 200


@bp.get("/dashboard/export.<any(csv, xlsx):fmt>")
@login_required_any
def export(fmt):
    """The dashboard's figures as a CSV or XLSX file (counts only); audited."""
    figures, errors = _figures()
    if errors:  # the page again, the bad field explained; nothing exported
        return _page(figures, errors)
    tables = sheets(figures, _export_text(figures))
    body = to_csv(tables) if fmt == "csv" else to_xlsx(tables)
    scope = figures["scope"]
    services().audit.record(g.user, "report.export", f"report:{scope.key}"[:100],
                            format=fmt, scope=scope.key, start=figures["start"].isoformat(),
                            end=figures["end"].isoformat())
    name = f"vungbuoc-{scope.key}-{figures['start']:%Y%m%d}-{figures['end']:%Y%m%d}.{fmt}"
    response = current_app.response_class(
        body, mimetype="text/csv" if fmt == "csv" else XLSX_TYPE)
    if fmt == "csv":
        response.mimetype, response.charset = "text/csv", "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _scope_label(scope):
    if scope.kind == "all":
        return gettext("Every ward")
    return unit_label(scope.code)


def _column_label(column):
    return {"profiles": gettext("Profiles"), "matches": gettext("Match runs"),
            "referrals": gettext("Referrals"), "hired": gettext("Hired"),
            "employed_3m": gettext("3 months"), "employed_6m": gettext("6 months")}[column]


def _export_text(figures):
    return {
        "scope": gettext("Scope"), "scope_label": _scope_label(figures["scope"]),
        "from": gettext("From"), "to": gettext("To"), "metric": gettext("Figure"),
        "value": gettext("Number"), "funnel": gettext("Job referrals and outcomes"),
        "support": gettext("Support measures"),
        "measure": lambda m: gettext(SUPPORT_LABELS[m]),
        "support_status": lambda st: gettext(SUPPORT_STATUS_LABELS[st]),
        "metrics": {"profiles": gettext("Profiles created"),
                    "matches": gettext("Match runs"), "referrals": gettext("Referrals"),
                    "job_referrals": gettext("Job referrals"),
                    "course_referrals": gettext("Course referrals"),
                    "hired": gettext("Hired"), "completed": gettext("Courses completed"),
                    "retention_3m": gettext("Still employed at 3 months (of those due)"),
                    "retention_6m": gettext("Still employed at 6 months (of those due)")},
        "status": status_label, "ward": gettext("Ward"), "ward_code": gettext("Code"),
        "columns": {c: _column_label(c) for c in WARD_COLUMNS}, "order": WARD_COLUMNS,
        "unit": unit_label, "sector": gettext("Sector"), "open_jobs": gettext("Open jobs"),
        "sector_label": sector_label,
        "kind_h": gettext("Kind"), "kind": lambda k: status_label(k, "kind"),
        "title": gettext("Referred to"), "partner": gettext("Partner"),
        "referrals": gettext("Referrals"),
        "sheets": [gettext("Summary"), gettext("Wards"), gettext("Referred to"),
                   gettext("Open jobs")],
    }

