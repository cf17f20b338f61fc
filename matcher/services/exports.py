"""Dashboard figures as CSV and XLSX files a steering committee can take away.

Both formats carry the same sheets of counts (never a case). A text cell that a
spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
is escaped with a leading apostrophe, in both formats alike (OWASP's advice on CSV
injection); numbers stay numbers.
"""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """``value`` as it may go into a spreadsheet: text that looks like a formula is
    prefixed with an apostrophe; numbers, dates and None pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheets(figures, text):
    """[(sheet title, rows)] of ``figures``; ``text`` holds the labels (already in the
    reader's language): titles, metric and column names, and label functions."""
    lo, hi = figures["retention_3m_counts"], figures["retention_6m_counts"]
    summary = [[text["scope"], text["scope_label"]],
               [text["from"], figures["start"].isoformat()],
               [text["to"], figures["end"].isoformat()], [],
               [text["metric"], text["value"]]]
    summary += [[text["metrics"][key], figures[key]] for key in (
        "profiles", "matches", "referrals", "job_referrals", "course_referrals", "hired",
        "completed")]
    summary += [[text["metrics"]["retention_3m"], lo[0], lo[1]],
                [text["metrics"]["retention_6m"], hi[0], hi[1]], [],
                [text["funnel"], text["value"]]]
    summary += [[text["status"](step), n] for step, n in figures["funnel"]]
    if figures.get("support"):
        statuses = [status for status, _ in figures["support"][0][1]]
        summary += [[], [text["support"]] + [text["support_status"](s) for s in statuses]]
        summary += [[text["measure"](measure)] + [n for _, n in counts]
                    for measure, counts in figures["support"]]
    wards = [[text["ward"], text["ward_code"]] + [text["columns"][c] for c in text["order"]]]
    wards += [[text["unit"](unit), unit] + [row[c] for c in text["order"]]
              for unit, row in figures["wards"]]
    sectors = [[text["sector"], text["open_jobs"]]]
    sectors += [[text["sector_label"](code), n] for code, n in figures["open_jobs_by_sector"]]
    titles = [[text["kind_h"], text["title"], text["partner"], text["referrals"]]]
    titles += [[text["kind"](kind), title, partner, n]
               for (kind, title, partner), n in figures["titles"]]
    return [(text["sheets"][0], summary), (text["sheets"][1], wards),
            (text["sheets"][2], titles), (text["sheets"][3], sectors)]


def to_csv(tables):
    """One CSV (UTF-8 with a BOM, so spreadsheets read Vietnamese right): each sheet
    under a line with its title, a blank line between sheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, (title, rows) in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([safe_cell("# " + title)])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables):
    """An XLSX workbook (openpyxl) with one worksheet per sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, rows in tables:
        sheet = book.create_sheet(title=_sheet_title(title))
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title):
    # Excel refuses these characters in sheet names and names longer than 31.
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
