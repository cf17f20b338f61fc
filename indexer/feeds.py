"""Reading partner feed files: JSON, JSON Lines and CSV (UTF-8, with or without BOM).

Each reader yields (position, record) where position says where the record came
from (a line for JSON Lines and CSV, an index for JSON), or (position, FeedError)
for a line that cannot be parsed at all. A byte that is not UTF-8 costs only its own
record: a JSON Lines line is rejected with its line number; in CSV and JSON files the
byte is decoded as a lone surrogate (``surrogateescape``), which the record's checks
(``indexer.rawinput``) reject field by field.
"""
import csv
import io
import json
from pathlib import Path

from marshmallow import fields as mfields

from .rawinput import loads
from .schemas import SCHEMAS


class FeedError(Exception):
    """A record that could not be read from the file."""


def kind_of(path):
    """Guess the document kind from a feed's file name."""
    name = Path(path).name.lower()
    for kind, marks in (("partners", ("partner",)), ("courses", ("course", "khoa-hoc")),
                        ("jobs", ("job", "posting", "viec"))):
        if any(m in name for m in marks):
            return kind
    return None


def _format(path, text):
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    return "json" if text.lstrip().startswith(("[", "{")) else "csv"


def read_feed(path, kind):
    """Yield (position, record or FeedError) for every record of the file."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    fmt = _format(path, text)
    if fmt == "jsonl":
        yield from _read_jsonl(raw)
    elif fmt == "json":
        try:
            data = loads(text)
        except json.JSONDecodeError as exc:
            yield f"line {exc.lineno}", FeedError(f"invalid JSON: {exc.msg}")
            return
        if isinstance(data, dict) and isinstance(data.get("records"), list):
            data = data["records"]
        if not isinstance(data, list):
            yield "file", FeedError("expected a JSON array of records or {\"records\": [...]}")
            return
        for i, record in enumerate(data):
            yield f"record {i + 1}", record
    else:
        yield from _read_csv(text, kind)


def _read_jsonl(raw):
    # Lines are split on b"\n" only: inside JSON text no other byte ends a line.
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for lineno, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield f"line {lineno}", FeedError(
                f"not valid UTF-8: byte 0x{line[exc.start]:02x} at column {exc.start + 1}")
            continue
        try:
            yield f"line {lineno}", loads(text)
        except json.JSONDecodeError as exc:
            yield f"line {lineno}", FeedError(f"invalid JSON: {exc.msg} (column {exc.colno})")


def _list_fields(schema_cls, prefix=""):
    """Dotted names of the list fields of a schema (split on '|' in CSV)."""
    out = set()
    for name, field in schema_cls().fields.items():
        if isinstance(field, mfields.List):
            out.add(prefix + name)
        elif isinstance(field, mfields.Nested):
            out |= _list_fields(type(field.schema), prefix + name + ".")
    return out


def _read_csv(text, kind):
    lists = _list_fields(SCHEMAS[kind])
    reader = csv.DictReader(io.StringIO(text))
    for record in reader:
        lineno = reader.line_num
        if None in record:
            yield f"line {lineno}", FeedError("more cells than header columns")
            continue
        out = {}
        for column, value in record.items():
            column = (column or "").strip()
            if value is None or value.strip() == "":
                continue
            value = value.strip()
            if column in lists:
                value = [v.strip() for v in value.split("|") if v.strip()]
            node = out
            *parents, leaf = column.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        yield f"line {lineno}", out
