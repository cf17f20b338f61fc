"""Alerts: new postings that match an officer's saved profiles, and the daily e-mail digest.

"New" means stored after a moment: the officer's last visit of the follow-ups page (the
page lists them), or the last digest (the e-mail). A posting already there when the
profile was saved is not new for it: the matches page showed it then.

The digest carries no sensitive data about a person: case codes (chosen by the officer,
no names), how many new postings each has, the postings' titles, and a link to the app;
never a skill, an offence category or an address of the person. It goes to officers who
opted in on their account page, over SMTP (SMTP_* settings), at most once a
DIGEST_EVERY_HOURS, from one worker of the app server (as retention) or from
``matcher digest send``.
"""
import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from indexer.errors import BackendError
from indexer.store import documents, outbox

from .. import eligibility, ranking
from ..models import profiles, users
from ..schemas import ProfileSchema
from .errors import InvalidDocument, NotFound
from .schedule import PeriodicJob

log = logging.getLogger(__name__)
JOB = "digest"
# Postings listed per profile (the page and the e-mail say how many more there are).
PER_PROFILE = 5


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _utc(value):
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def check_email(address):
    """The normalised address, or InvalidDocument on the field ``email``."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidDocument([{"field": "email", "messages": [str(exc)]}]) from None


class AlertService:
    """New matching postings per profile, the account's alert settings."""

    def __init__(self, engine, indexer, profiles_service, audit):
        self.engine, self.indexer, self.profiles, self.audit = (
            engine, indexer, profiles_service, audit)

    def indexed_until(self, now=None):
        """The latest moment up to which every stored posting is in the search backend:
        now, or just before the oldest posting still waiting in the outbox (a posting
        not yet searchable is left for the next alert, never skipped)."""
        now = now or _now()
        with self.indexer.store.engine.connect() as conn:
            oldest = conn.execute(select(func.min(outbox.c.created_at)).where(
                outbox.c.kind == "jobs")).scalar()
        return min(now, _utc(oldest) - dt.timedelta(microseconds=1)) if oldest else now

    def new_job_ids(self, since, until=None):
        """IDs of the open postings stored after ``since`` (UTC), up to ``until``."""
        store = self.indexer.store
        conds = [documents.c.kind == "jobs", documents.c.status == "open",
                 documents.c.created_at > store._db_time(since)]
        if until is not None:
            conds.append(documents.c.created_at <= store._db_time(until))
        with store.engine.connect() as conn:
            return {r[0] for r in conn.execute(select(documents.c.id).where(*conds))}

    def new_matches(self, actor, since, lang="vi", until=None):
        """[{profile_id, case_code, jobs: [{id, title, partner}], more}] for the open
        profiles of the actor's unit: their matching postings stored after ``since``
        (and up to ``until``)."""
        fresh = self.new_job_ids(since, until)
        if not fresh:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(select(profiles).where(
                profiles.c.unit == actor["unit"], profiles.c.closed_at.is_(None))
                .order_by(profiles.c.case_code)).all()
        out = []
        for row in rows:
            created = _utc(row.created_at)
            ids = fresh if created <= since else self.new_job_ids(created, until)
            if not ids:
                continue
            jobs = [j for j in self._rank(actor, row, lang) if j["id"] in ids]
            if jobs:
                out.append({"profile_id": row.id, "case_code": row.case_code,
                            "jobs": [{"id": j["id"], "title": j["title"],
                                      "partner": j.get("partner")} for j in jobs[:PER_PROFILE]],
                            "more": max(len(jobs) - PER_PROFILE, 0), "count": len(jobs)})
        return out

    def _rank(self, actor, row, lang):
        data = ProfileSchema().load({**row.data, **self.profiles.offence(actor, row.id)})
        result = ranking.match(data, self.indexer.backend, limit=self.profiles.limit,
                               candidates=self.profiles.candidates, lang=lang,
                               corpus=self.indexer.corpus.get, ranker=self.profiles.ranker,
                               partners=eligibility.partners_of(self.indexer.store))
        return result["jobs"]

    def for_followups(self, actor, lang="vi", now=None):
        """(since, alerts) for the follow-ups page: what is new since the last visit,
        which this visit ends (the next one lists what comes after it)."""
        until = self.indexed_until(now)
        since = _utc(actor.get("alerts_seen_at") or actor["created_at"])
        alerts = self.new_matches(actor, since, lang, until)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == actor["id"]).values(
                alerts_seen_at=max(until, since)))
        return since, alerts

    def settings(self, actor):
        """The account's e-mail and digest choice."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users.c.email, users.c.digest_opt_in).where(
                users.c.id == actor["id"])).first()
        if row is None:
            raise NotFound(f"user {actor['id']}")
        return {"email": row.email or "", "digest_opt_in": bool(row.digest_opt_in)}

    def update_settings(self, actor, email, opt_in):
        """Set the account's e-mail (validated; empty clears it) and digest choice."""
        email = (email or "").strip()
        if email:
            email = check_email(email)
        elif opt_in:
            raise InvalidDocument([{"field": "email", "messages": [
                "An e-mail address is needed for the digest."]}])
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == actor["id"]).values(
                email=email or None, digest_opt_in=bool(opt_in)))
            self.audit.record(actor, "account.update", f"user:{actor['id']}", conn,
                              digest_opt_in=bool(opt_in), email_set=bool(email))


class DigestService:
    """Send each opted-in officer the postings new for their profiles since the last one."""

    def __init__(self, engine, alerts, audit, settings):
        self.engine, self.alerts, self.audit = engine, alerts, audit
        self.smtp = {k: settings.get(f"SMTP_{k}") for k in (
            "HOST", "PORT", "USERNAME", "PASSWORD", "SECURITY", "FROM", "TIMEOUT", "CA_CERTS")}
        self.public_url = (settings.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
        self.every = float(settings.get("DIGEST_EVERY_HOURS", 24)) * 3600
        self._job = PeriodicJob(engine, JOB, self.every, lambda: self.send_all())

    @property
    def configured(self):
        """Whether an SMTP server is set (SMTP_HOST)."""
        return bool(self.smtp["HOST"])

    def recipients(self):
        """Active officers with a unit who opted in and have an address."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).where(
                users.c.digest_opt_in.is_(True), users.c.email.is_not(None),
                users.c.active.is_(True), users.c.role.in_(("officer", "admin")),
                users.c.unit.is_not(None))).all()
        out = []
        for row in rows:
            user = dict(row._mapping)
            user.pop("password_hash", None)
            out.append(user)
        return out

    def send_all(self, now=None):
        """Send the due digests; returns {"sent": n, "empty": n, "failed": n}."""
        now = now or _now()
        done = {"sent": 0, "empty": 0, "failed": 0}
        if not self.configured:
            log.info("digest: SMTP_HOST is not set; no e-mail sent")
            return done
        until = self.alerts.indexed_until(now)
        for user in self.recipients():
            since = _utc(user["digest_sent_at"] or now - dt.timedelta(seconds=self.every))
            if until <= since:
                continue
            try:
                alerts = self.alerts.new_matches(user, since, until=until)
            except BackendError:  # retried at the next run: digest_sent_at stays
                log.exception("digest: the search backend failed for officer %s", user["id"])
                done["failed"] += 1
                continue
            if alerts:
                try:
                    self._send(self.compose(user, alerts))
                except (OSError, smtplib.SMTPException):
                    log.exception("digest: could not send to officer %s", user["id"])
                    done["failed"] += 1
                    continue
                self.audit.record(user, "digest.send", f"user:{user['id']}",
                                  profiles=len(alerts),
                                  postings=sum(a["count"] for a in alerts))
                done["sent"] += 1
            else:
                done["empty"] += 1
            with self.engine.begin() as conn:
                conn.execute(users.update().where(users.c.id == user["id"]).values(
                    digest_sent_at=until))
        return done

    def compose(self, user, alerts):
        """The e-mail (Vietnamese, then English): case codes, counts, titles, a link."""
        link = f"{self.public_url}/followups"
        total = sum(a["count"] for a in alerts)
        lines = [f"Chào {user['username']},", "",
                 f"Có {total} việc làm mới phù hợp với {len(alerts)} hồ sơ của đơn vị:", ""]
        for alert in alerts:
            lines.append(f"- {alert['case_code']}: {alert['count']} việc mới")
            lines += [f"    • {job['title']}" for job in alert["jobs"]]
            if alert["more"]:
                lines.append(f"    • … và {alert['more']} việc khác")
        lines += ["", f"Xem chi tiết (cần đăng nhập): {link}", "",
                  "—", f"{total} new job posting(s) match {len(alerts)} profile(s) of your "
                  f"unit. Log in to see them: {link}", "",
                  "Thư này không chứa thông tin cá nhân; tắt thư ở trang Tài khoản.",
                  "This e-mail carries no personal data; turn it off on your Account page."]
        message = EmailMessage()
        message["Subject"] = f"Vững Bước: {total} việc làm mới phù hợp hồ sơ / new matching jobs"
        name, address = parseaddr(self.smtp["FROM"] or "Vững Bước <no-reply@localhost>")
        message["From"] = formataddr((name, address))
        message["To"] = user["email"]
        message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "localhost")
        message.set_content("\n".join(lines))
        return message

    def _send(self, message):
        host, port = self.smtp["HOST"], int(self.smtp["PORT"] or 587)
        security = (self.smtp["SECURITY"] or "starttls").lower()
        timeout = float(self.smtp["TIMEOUT"] or 10)
        # Certificates and host names are checked, against SMTP_CA_CERTS if set.
        context = ssl.create_default_context(cafile=self.smtp["CA_CERTS"] or None)
        if security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=context)
            if self.smtp["USERNAME"]:
                server.login(self.smtp["USERNAME"], self.smtp["PASSWORD"] or "")
            server.send_message(message)

    def run_if_due(self):
        """Send the digests if no other worker has within DIGEST_EVERY_HOURS."""
        return self._job.run_if_due()

    def start(self, stop=None):
        """The app server's timer thread (one worker sends, see schedule.PeriodicJob)."""
        return self._job.start(stop)
