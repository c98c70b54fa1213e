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
from email.utils import format_datetime, make_msgid
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.labels import ADDRESSEE
from ombuds.letters.batch import (
    LetterJob,
    contacts_by_authority,
    gone_by_letter_date,
    letter_jobs,
    write_atomically,
)
from ombuds.letters.content import Contact
from ombuds.letters.editions import Edition
from ombuds.letters.render import Renderer
from ombuds.letters.text import plain_text
from ombuds.profile import Profile, load_profile
from ombuds.schemes import Scheme
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
                         sender: str | None = None, profile: Profile | None = None) -> SmtpSettings:
        """Options given on the command line, else OMBUDS_SMTP_HOST, _PORT, _STARTTLS, _FROM (else the profile's
        sender); credentials only from OMBUDS_SMTP_USER and OMBUDS_SMTP_PASSWORD."""
        env = os.environ
        sender = sender or env.get("OMBUDS_SMTP_FROM") or (profile or load_profile()).sender
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
    gone: list[str] = field(default_factory=list)  # abolished before the letter's date: no letter

    def lines(self, dry_run: bool) -> list[str]:
        verb = "written" if dry_run else "sent"
        out = [f"{len(self.sent)} letter{'s' if len(self.sent) != 1 else ''} {verb}"]
        if self.already_sent:
            out.append(f"{len(self.already_sent)} already sent before, not sent again")
        out += [f"not sent: {name}: no email address for the chief executive" for name in self.no_address]
        return out + self.gone


def recipients(contacts: list[Contact], roles: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """(To: the chief executive's address, Cc: the other roles' addresses, in the order of `roles`: the scheme's
    contact roles' ids)."""
    by_role = {c.role: c for c in contacts}
    chief = by_role.get(ADDRESSEE)
    copies = [by_role[r].email for r in roles if r != ADDRESSEE and r in by_role and by_role[r].email]
    return (chief.email if chief else None), copies


def message(job: LetterJob, edition: Edition, settings: SmtpSettings, to: str, cc: list[str], pdf: bytes,
            renderer: Renderer) -> EmailMessage:
    """A message mail servers accept: a unique Message-ID in the sender's domain, the date in UTC (+0000), the
    letter's text as text/plain beside its HTML (no script; the logo an inline PNG by Content-ID), the PDF
    attached."""
    authority, content = job.authority, job.content
    domain = settings.sender.rpartition("@")[2]
    mail = EmailMessage()
    mail["Subject"] = f"{edition.title}: {authority.name}"
    mail["From"] = settings.sender
    mail["To"] = to
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Date"] = format_datetime(datetime.now(UTC).replace(microsecond=0))
    mail["Message-ID"] = make_msgid(f"ombuds.{content['year']}.{authority.code}", domain=domain)
    mail.set_content(plain_text(content, f"{edition.title} for {authority.name} is attached as a PDF; the letter "
                                         "follows."))
    images = {name: path for name, path in (("logo", content["letterhead"]["logo"]),
                                            ("signature", content["signature"])) if path}
    cids = {name: make_msgid(name, domain=domain)[1:-1] for name in images}
    mail.add_alternative(renderer.email_html(content, cids).decode("utf-8"), subtype="html")
    html_part = mail.get_payload()[1]
    for name, path in images.items():
        html_part.add_related(renderer.png(path), maintype="image", subtype="png", cid=f"<{cids[name]}>",
                              filename=f"{name}.png", disposition="inline")
    filename = f"{authority.slug}-{content['year']}.pdf"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return mail


def already_sent(database: Database, year: Year) -> set[str]:
    with database.read() as connection:
        return sent_codes(connection, year)


def send_letters(database: Database, year: Year, edition: Edition, settings: SmtpSettings | None, *,
                 dry_run_dir: Path | None = None, authority=None, profile: Profile, scheme: Scheme,
                 on_sent: Callable[[str], None] = lambda line: None) -> SendReport:
    """Email every letter of the year (or write .eml files to `dry_run_dir`), from `profile`'s organisation (and
    its sender unless `settings` name one), with `scheme`'s statistics and contact roles."""
    jobs = letter_jobs(database, year, edition, Path("."), "pdf", authority=authority, allow_missing_contacts=True,
                       profile=profile, scheme=scheme)
    contacts = contacts_by_authority(database)
    done = set() if dry_run_dir else already_sent(database, year)
    report = SendReport(gone=gone_by_letter_date(database, scheme, year, edition, authority=authority))
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
            to, cc = recipients(contacts.get(code, []), scheme.labels("contact_role").ids)
            if not to:
                report.no_address.append(f"{job.authority.name} ({code})")
                continue
            mail = message(job, edition, settings or SmtpSettings("", 0, False, profile.sender), to, cc,
                           renderer.pdf(job.content, job.created), renderer)
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
