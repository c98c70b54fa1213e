"""`ombuds send`: each letter by email to the chief executive, copied to the other contacts on file.

The PDF is attached and the HTML letter is the body. A log of sent letters makes a run resumable and stops a
letter going twice; an authority with no email address is listed, never skipped silently.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.labels import ADDRESSEE, ROLES
from ombuds.letters.batch import LetterJob, contacts_by_authority, letter_jobs, write_atomically
from ombuds.letters.content import Contact
from ombuds.letters.editions import Edition
from ombuds.letters.render import Renderer
from ombuds.profile import Profile
from ombuds.store import Database
from ombuds.store.queries import log_sent, sent_codes
from ombuds.years import Year


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    sender: str
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None  # to trust a server certificate not signed by the system's authorities

    @classmethod
    def from_environment(cls, host: str | None = None, port: int | None = None, starttls: bool | None = None,
                         sender: str | None = None) -> SmtpSettings:
        """Options given on the command line, else OMBUDS_SMTP_HOST, _PORT, _STARTTLS, _FROM; credentials only
        from OMBUDS_SMTP_USER and OMBUDS_SMTP_PASSWORD."""
        env = os.environ
        sender = sender or env.get("OMBUDS_SMTP_FROM")
        if not sender:
            raise OmbudsError("no sender address: give --from or set OMBUDS_SMTP_FROM")
        if "\n" in sender or "\r" in sender:
            raise OmbudsError("--from: the sender address contains a line break; give one address on one line")
        return cls(
            host=host or env.get("OMBUDS_SMTP_HOST", "localhost"),
            port=port or int(env.get("OMBUDS_SMTP_PORT", "25")),
            starttls=env.get("OMBUDS_SMTP_STARTTLS", "no") in ("yes", "1", "true") if starttls is None else starttls,
            sender=sender,
            username=env.get("OMBUDS_SMTP_USER") or None,
            password=env.get("OMBUDS_SMTP_PASSWORD") or None,
            ca_file=env.get("OMBUDS_SMTP_CA_FILE") or None,
        )


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # paths (dry run) or authority names
    already_sent: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)

    def lines(self, dry_run: bool) -> list[str]:
        verb = "written" if dry_run else "sent"
        out = [f"{len(self.sent)} letter{'s' if len(self.sent) != 1 else ''} {verb}"]
        if self.already_sent:
            out.append(f"{len(self.already_sent)} already sent before, not sent again")
        out += [f"not sent: {name}: no email address for the chief executive" for name in self.no_address]
        return out


def recipients(contacts: list[Contact]) -> tuple[str | None, list[str]]:
    """(To: the chief executive's address, Cc: the other roles' addresses, in the SPEC's order of roles)."""
    by_role = {c.role: c for c in contacts}
    chief = by_role.get(ADDRESSEE)
    copies = [by_role[r].email for r in ROLES if r != ADDRESSEE and r in by_role and by_role[r].email]
    return (chief.email if chief else None), copies


def message(job: LetterJob, edition: Edition, settings: SmtpSettings, to: str, cc: list[str], pdf: bytes,
            html: bytes) -> EmailMessage:
    authority = job.authority
    mail = EmailMessage()
    mail["Subject"] = f"{edition.title}: {authority.name}"
    mail["From"] = settings.sender
    mail["To"] = to
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<ombuds-{job.content['year']}-{authority.code}@{settings.sender.rpartition('@')[2]}>"
    mail.set_content(f"{edition.title} for {authority.name} is attached as a PDF. The letter is also shown below "
                     "for email readers that display HTML.\n")
    mail.add_alternative(html.decode("utf-8"), subtype="html")
    filename = f"{authority.slug}-{job.content['year']}.pdf"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return mail


def already_sent(database: Database, year: Year) -> set[str]:
    with database.read() as connection:
        return sent_codes(connection, year)


DRY_RUN_SENDER = SmtpSettings("", 0, False, "ombuds@localhost")


def send_letters(database: Database, year: Year, edition: Edition, settings: SmtpSettings | None, *,
                 dry_run_dir: Path | None = None, authority=None,
                 on_sent: Callable[[str], None] = lambda line: None, profile: Profile | None = None) -> SendReport:
    """Email every letter of the year (or write .eml files to `dry_run_dir`), from `profile`'s organisation (the
    demo profile when None)."""
    jobs = letter_jobs(database, year, edition, Path("."), "pdf", authority=authority, allow_missing_contacts=True,
                       profile=profile)
    contacts = contacts_by_authority(database)
    done = set() if dry_run_dir else already_sent(database, year)
    report = SendReport()
    renderer = Renderer()
    if dry_run_dir:
        dry_run_dir.mkdir(parents=True, exist_ok=True)
    smtp = None
    try:
        for job in jobs:
            code = job.authority.code
            if code in done:
                report.already_sent.append(job.authority.name)
                continue
            to, cc = recipients(contacts.get(code, []))
            if not to:
                report.no_address.append(f"{job.authority.name} ({code})")
                continue
            mail = message(job, edition, settings or DRY_RUN_SENDER, to, cc,
                           renderer.pdf(job.content, job.created), renderer.html(job.content))
            if dry_run_dir:
                path = dry_run_dir / f"{job.authority.slug}-{year.label}.eml"
                write_atomically(path, bytes(mail))
                report.sent.append(str(path))
                on_sent(str(path))
                continue
            smtp = smtp or _connect(settings)
            smtp.send_message(mail)
            _log(database, code, year, mail["Message-ID"], [to, *cc])
            report.sent.append(job.authority.name)
            on_sent(f"sent: {job.authority.name} to {', '.join([to, *cc])}")
    finally:
        if smtp is not None:
            smtp.quit()
    return report


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
        if settings.starttls:  # the server's certificate and name are verified
            smtp.starttls(context=ssl.create_default_context(cafile=settings.ca_file))
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except (OSError, smtplib.SMTPException) as error:
        raise OmbudsError(f"cannot use the SMTP server {settings.host}:{settings.port}: {error}") from None
    return smtp


def _log(database: Database, code: str, year: Year, message_id: str, to: list[str]) -> None:
    with database.transaction() as connection:
        log_sent(connection, code, year, message_id, to, datetime.now(UTC))
