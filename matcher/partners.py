"""The partner service: keys, and partners' own jobs and courses with ownership checks.

Every read and write is scoped to the partner of the API key: another partner's
documents are simply not found (404), never forbidden, so a partner cannot even
learn that they exist. Writes go through the document schemas, the store and its
outbox like feed files, then sync to the index.
"""
import base64
import contextlib
import binascii
import datetime as dt
import hashlib
import json
import re

from indexer.errors import Conflict, InvalidDocument, NotFound, StaleVersion, VungBuocError
from indexer.keys import IdempotencyStore, KeyStore, create_tables
from indexer.rawinput import json_safe
from indexer.schemas import dump, json_number_errors, schema_for
from indexer.store import DELETED

SKILL_FIELDS = {"jobs": ("required_skills", "preferred_skills"), "courses": ("skills_taught",)}
BULK_MAX = 1000
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,255}")
# A cursor: unpadded base64url (encode_cursor), so never one character over a group of 4.
CURSOR_PATTERN = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"


# "No expectation" for compare-and-set (None means "must not exist").
_ANY = object()

class Unauthorized(VungBuocError):
    """No API key, or one that is not known."""


class Forbidden(VungBuocError):
    """The API key was revoked."""


class PreconditionFailed(VungBuocError):
    """If-Match does not name the document's current ETag."""


def _iso(value):
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _utc_naive(value):
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def etag(row):
    """The ETag of a document row: its version, which grows with every change."""
    return f'"v{row["version"]}"'


def resource(row, warnings=None):
    """The API representation of a document row (no internal IDs), with the warnings
    of the write that made it (old administrative units converted), if any."""
    out = {**row["data"], "version": row["version"], "created_at": _iso(row["created_at"]),
           "updated_at": _iso(row["updated_at"])}
    if warnings:
        out["warnings"] = warnings
    return out


def encode_cursor(external_id):
    """An opaque cursor after ``external_id``."""
    return base64.urlsafe_b64encode(external_id.encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """The external ID a cursor points after; 422 for a cursor we did not make."""
    try:
        if not cursor or not re.fullmatch(CURSOR_PATTERN, cursor):
            raise ValueError(cursor)
        # Any well-formed cursor is a position, even one we did not hand out.
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode(
            errors="replace")
    except (binascii.Error, ValueError):
        raise InvalidDocument([{"field": "cursor", "messages": ["Not a valid cursor."]}]) from None


def request_fingerprint(method, path, body):
    """A hash identifying a request, to tell a retry from a different request."""
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def _invalid(field, message):
    return InvalidDocument([{"field": field, "messages": [message]}])


class PartnerService:
    """Partner-scoped operations on jobs and courses, on top of the indexer service."""

    def __init__(self, indexer, idempotency_ttl_hours=24, page_max=100):
        self.indexer, self.store = indexer, indexer.store
        self.keys = KeyStore(self.store)
        self.idempotency = IdempotencyStore(self.store, idempotency_ttl_hours)
        self.page_max = page_max
        create_tables(self.store)

    # -- auth -------------------------------------------------------------------------

    def authenticate(self, authorization):
        """The partner ID of an ``Authorization: Bearer`` header value."""
        scheme, _, raw = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
        found = self.keys.check(raw.strip())
        if found is None:
            raise Unauthorized("The API key is not valid.")
        partner_id, revoked = found
        if revoked:
            raise Forbidden("This API key has been revoked; ask the programme for a new one.")
        return partner_id

    # -- reads ------------------------------------------------------------------------

    def _row(self, kind, partner_id, external_id):
        row = self.store.find_document(kind, partner_id, external_id)
        if row is None or row["status"] == DELETED:
            raise NotFound(f"No {kind[:-1]} with external_id {external_id!r}.")
        return row

    def get(self, kind, partner_id, external_id):
        """One of the partner's documents."""
        return self._row(kind, partner_id, external_id)

    def list(self, kind, partner_id, status=None, updated_since=None, updated_before=None,
             limit=20, cursor=None):
        """A page of the partner's documents by external_id, and the next cursor."""
        limit = max(1, min(limit, self.page_max))
        rows = self.store.list_documents(
            kind, partner_id, status=status,
            updated_since=_utc_naive(updated_since) if updated_since else None,
            updated_before=_utc_naive(updated_before) if updated_before else None,
            after=decode_cursor(cursor) if cursor else None, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1]["external_id"]) if more else None

    # -- writes -----------------------------------------------------------------------

    @staticmethod
    def _check_match(row, if_match):
        if if_match is None:
            return
        tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
        if "*" in tags and row is not None:
            return
        if row is None or etag(row) not in tags:
            raise PreconditionFailed("The document changed since you read it (If-Match does "
                                     "not match its ETag); read it again and retry.")

    @staticmethod
    def _own(kind, body, partner_id, external_id=None):
        """The body as a record of ``partner_id`` (and ``external_id`` from the path),
        its numbers JSON numbers."""
        if not isinstance(body, dict):
            raise _invalid("_schema", "Expected an object.")
        wrong = json_number_errors(schema_for(kind), body)
        if wrong:
            raise InvalidDocument(wrong)
        record = dict(body)
        if record.get("partner_id", partner_id) != partner_id:
            raise _invalid("partner_id", "Leave it out: it comes from your API key.")
        record["partner_id"] = partner_id
        if external_id is not None:
            if record.get("external_id", external_id) != external_id:
                raise _invalid("external_id", "Must match the external_id in the URL.")
            record["external_id"] = external_id
        return record

    def _save(self, kind, partner_id, record, expected_version=_ANY):
        """Validate and store one record; returns (row, warnings)."""
        expected = ({} if expected_version is _ANY
                    else {(partner_id, record["external_id"]): expected_version})
        notes = {}
        with _precondition(expected):
            _, errors = self.indexer.save(kind, [record], known_partners={partner_id},
                                          expected=expected, warnings=notes)
        if errors:
            raise InvalidDocument(errors[0][1])
        self.indexer.sync_quietly()
        return self._row(kind, partner_id, record["external_id"]), notes.get(0, [])

    def _upsert_data(self, kind, partner_id, data, expected_version):
        with _precondition(True):
            self.store.upsert_documents(
                kind, [data], {(partner_id, data["external_id"]): expected_version})
        self.indexer.sync_quietly()
        return self._row(kind, partner_id, data["external_id"])

    def _existing(self, kind, partner_id, external_id):
        try:
            return self._row(kind, partner_id, external_id)
        except NotFound:
            return None

    def create(self, kind, partner_id, body):
        """Create a document; 409 when the external_id is already in use.

        Returns (row, warnings)."""
        record = self._own(kind, body, partner_id)
        ext = record.get("external_id")
        if isinstance(ext, str) and self._existing(kind, partner_id, ext) is not None:
            raise Conflict(f"external_id {ext!r} already exists; use PUT to replace it.")
        self.indexer.validate(kind, record)
        return self._save(kind, partner_id, record)

    def put(self, kind, partner_id, external_id, body, if_match=None):
        """Create or replace a document by external_id; returns (row, created, warnings)."""
        record = self._own(kind, body, partner_id, external_id)
        old = self._existing(kind, partner_id, external_id)
        self._check_match(old, if_match)
        version = old["version"] if old is not None else None
        row, warnings = self._save(kind, partner_id, record,
                                   version if if_match is not None else _ANY)
        return row, old is None, warnings

    def patch(self, kind, partner_id, external_id, patch, if_match=None):
        """Merge ``patch`` (RFC 7396) into a document and validate the result; returns
        (row, warnings)."""
        old = self._row(kind, partner_id, external_id)
        self._check_match(old, if_match)
        patch = self._own(kind, patch, partner_id, external_id)
        record, carried = self._editable(kind, old["data"])
        if isinstance(patch.get("location"), dict) and any(
                k in patch["location"] for k in ("province", "ward", "district")):
            # New place names replace the stored codes (which would otherwise win).
            record["location"] = {k: v for k, v in (record.get("location") or {}).items()
                                  if k not in ("province_code", "ward_code")}
        merged = merge_patch(record, patch)
        warnings = []
        data = self.indexer.validate(kind, merged, warnings=warnings)
        doc = dump(kind, data)
        doc["skills_text"] = list(data.get("skills_text", []))
        if not any(f in patch for f in SKILL_FIELDS[kind]):
            doc["skills_text"] += [t for t in carried if t not in doc["skills_text"]]
        return self._upsert_data(kind, partner_id, doc, old["version"]), warnings

    @staticmethod
    def _editable(kind, data):
        """Stored data as input for the schema, and free-text skills to carry over."""
        record = {k: v for k, v in data.items() if k != "skills_text"}
        text = list(data.get("skills_text") or [])
        if kind == "courses":  # one skill list: put the text back so it resolves alike
            record["skills_taught"] = list(record.get("skills_taught") or []) + text
            return record, []
        return record, text

    def close(self, kind, partner_id, external_id, if_match=None):
        """Mark a document closed (it stays readable, and leaves the matches)."""
        old = self._row(kind, partner_id, external_id)
        self._check_match(old, if_match)
        return self._upsert_data(kind, partner_id, {**old["data"], "status": "closed"},
                                 old["version"])

    def delete(self, kind, partner_id, external_id, if_match=None):
        """Delete a document."""
        old = self._row(kind, partner_id, external_id)
        self._check_match(old, if_match)
        with _precondition(True):
            self.indexer.delete(kind, old["id"], expected_version=old["version"])

    def bulk(self, kind, partner_id, items):
        """Upsert up to BULK_MAX documents; one result per item, valid ones applied."""
        results, records, where, seen = [None] * len(items), [], [], set()
        for i, item in enumerate(items):
            try:
                record = self._own(kind, item, partner_id)
                ext = record.get("external_id")
                if isinstance(ext, str) and ext in seen:
                    raise _invalid("external_id", "Repeated in this request.")
                seen.add(ext if isinstance(ext, str) else None)
            except InvalidDocument as exc:
                results[i] = _failed(i, item, exc.errors)
                continue
            records.append(record)
            where.append(i)
        notes = {}
        saved, errors = self.indexer.save(kind, records, known_partners={partner_id},
                                          warnings=notes)
        for j, (status, _doc_id, version), data in saved:
            results[where[j]] = {"index": where[j], "external_id": data["external_id"],
                                 "status": status, "version": version}
            if notes.get(j):
                results[where[j]]["warnings"] = notes[j]
        for j, errs in errors:
            results[where[j]] = _failed(where[j], records[j], errs)
        if saved:
            self.indexer.sync_quietly()
        return results

    # -- idempotency ------------------------------------------------------------------

    def idempotent(self, partner_id, key, fingerprint, produce):
        """Run ``produce`` once per (partner, key); replay its response on a retry.

        ``produce`` returns (status, body text, headers). A replay returns the same
        triple, plus ``Idempotent-Replayed: true`` in the headers.
        """
        if key is None:
            return produce()
        if not IDEMPOTENCY_KEY.fullmatch(key):  # an empty one too: it is a client's bug
            raise _invalid("Idempotency-Key", "Use 1-255 letters, digits, '_', '.', ':' or '-' "
                                              "(a UUID, for example).")
        stored = self.idempotency.begin(partner_id, key, fingerprint)
        if stored is not None:
            status, body, headers = stored
            return status, body, {**headers, "Idempotent-Replayed": "true"}
        try:
            status, body, headers = produce()
        except BaseException:
            # Errors change nothing and are not remembered: a corrected retry may run.
            self.idempotency.release(partner_id, key)
            raise
        self.idempotency.finish(partner_id, key, status, body, headers)
        return status, body, headers


@contextlib.contextmanager
def _precondition(active):
    """Turn a failed compare-and-set in the store into 412 Precondition Failed."""
    try:
        yield
    except StaleVersion as exc:
        if not active:
            raise
        raise PreconditionFailed("The document changed since you read it; read it again "
                                 "and retry.") from exc


def _failed(index, item, errors):
    ext = item.get("external_id") if isinstance(item, dict) else None
    return {"index": index, "external_id": ext if isinstance(ext, str) else None,
            "status": "error", "errors": errors}


def merge_patch(target, patch):
    """Apply a JSON merge patch (RFC 7396): objects merge, null removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def dumps(body):
    """JSON text of a response body, as the app writes it (lone surrogates escaped)."""
    return json_safe(json.dumps(body, ensure_ascii=False))
