"""Sending letters through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from builders import Cases
from conftest import LGSCO, demo, registry, shipped_edition, write_csv
from ombuds.ingest import import_files
from ombuds.letters.send import SmtpSettings, send_letters
from ombuds.years import Year
from pgserver import free_port

PROFILE = demo().profile  # the demo settings' profile (conftest)

YEAR = Year.parse("2022-23")


class Mailbox:
    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp():
    mailbox = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        mailbox.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def send_db(db, tmp_path):
    cases = Cases(tmp_path)
    for name in ("Stevenage", "Hertsmere", "Dacorum"):
        cases.decided(name, "2022-06-01", {"Upheld": 3, "Not Upheld": 1})
    contacts = write_csv(tmp_path / "contacts.csv", ["authority", "name", "title", "salutation", "email", "role"], [
        ["Stevenage", "Pat Example", "Chief Executive", "Dear Pat", "ceo@stevenage.example.org", "chief executive"],
        ["Stevenage", "Lee Example", "Link Officer", "Dear Lee", "link@stevenage.example.org", "link officer"],
        ["Stevenage", "Sam Example", "Leader", "Dear Sam", "leader@stevenage.example.org", "leader"],
        ["Stevenage", "Kim Example", "Monitoring Officer", "Dear Kim", "", "monitoring officer"],
        ["Hertsmere", "Ash Example", "Chief Executive", "Dear Ash", "", "chief executive"],
    ])
    import_files(db, [*cases.files(), contacts], scheme=LGSCO)
    return db


def test_letters_go_to_the_chief_executive_copied_to_the_others_once_only(send_db, smtp, monkeypatch):
    mailbox, port = smtp
    monkeypatch.setenv("OMBUDS_SMTP_USER", "ombuds")
    monkeypatch.setenv("OMBUDS_SMTP_PASSWORD", "s3cret")
    settings = SmtpSettings.from_environment("127.0.0.1", port, False, "letters@ombudsman.example.org")
    edition = shipped_edition(YEAR)
    stevenage = registry().get("E07000243")
    report = send_letters(send_db, YEAR, edition, settings, authority=stevenage, profile=PROFILE, scheme=LGSCO)
    assert report.sent == ["Stevenage Borough Council"]
    assert mailbox.logins == [(b"ombuds", b"s3cret")]
    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "letters@ombudsman.example.org"
    assert envelope.rcpt_tos == ["ceo@stevenage.example.org", "link@stevenage.example.org",
                                 "leader@stevenage.example.org"]
    mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert mail["Subject"] == "Annual Review letter 2023: Stevenage Borough Council"
    assert mail["To"] == "ceo@stevenage.example.org"
    assert mail["Cc"] == "link@stevenage.example.org, leader@stevenage.example.org"
    assert re.fullmatch(r"<\d+\.\d+\.\d+\.ombuds\.2022-23\.E07000243@ombudsman\.example\.org>", mail["Message-ID"])
    [attachment] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == "stevenage-borough-council-2022-23.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<title>Annual Review letter 2023: Stevenage Borough Council</title>" in html
    assert "Dear Pat" in html
    again = send_letters(send_db, YEAR, edition, settings, authority=stevenage, profile=PROFILE, scheme=LGSCO)
    assert (again.sent, again.already_sent) == ([], ["Stevenage Borough Council"])
    assert len(mailbox.envelopes) == 1


def test_authorities_without_an_address_are_listed(send_db, smtp):
    mailbox, port = smtp
    settings = SmtpSettings("127.0.0.1", port, False, "letters@ombudsman.example.org")
    report = send_letters(send_db, YEAR, shipped_edition(YEAR), settings, profile=PROFILE, scheme=LGSCO)
    assert report.sent == ["Stevenage Borough Council"]
    assert "Hertsmere Borough Council (E07000098)" in report.no_address
    assert "Dacorum Borough Council (E07000096)" in report.no_address
    assert len(mailbox.envelopes) == 1
    assert report.lines(False)[:2] == ["1 letter sent", "not sent: Adur District Council (E07000223): no email "
                                                        "address for the chief executive"]
    assert not any("Scarborough" in name for name in report.no_address)  # abolished before the letter's date
    assert ("no letter: Scarborough Borough Council (E07000168) was abolished on 1 April 2023, before the letter's "
            "date, 19 July 2023; succeeded by North Yorkshire Council") in report.lines(False)


def test_dry_run_writes_messages_and_logs_nothing(send_db, smtp, tmp_path):
    mailbox, port = smtp
    edition = shipped_edition(YEAR)
    stevenage = registry().get("E07000243")
    report = send_letters(send_db, YEAR, edition, None,
                          dry_run_dir=tmp_path / "outbox", authority=stevenage, profile=PROFILE, scheme=LGSCO)
    path = tmp_path / "outbox" / "stevenage-borough-council-2022-23.eml"
    assert report.sent == [str(path)]
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail["To"] == "ceo@stevenage.example.org"
    assert mailbox.envelopes == []
    settings = SmtpSettings("127.0.0.1", port, False, "letters@ombudsman.example.org")
    assert send_letters(send_db, YEAR, edition, settings,
                        authority=stevenage, profile=PROFILE, scheme=LGSCO).sent == ["Stevenage Borough Council"]


def test_an_unreachable_server_is_a_clear_error(send_db):
    from ombuds.errors import OmbudsError

    settings = SmtpSettings("127.0.0.1", free_port(), False, "letters@ombudsman.example.org")
    with pytest.raises(OmbudsError, match=r"cannot use the SMTP server 127\.0\.0\.1:\d+: "):
        send_letters(send_db, YEAR, shipped_edition(YEAR), settings,
                     authority=registry().get("E07000243"), profile=PROFILE, scheme=LGSCO)


def test_starttls_with_credentials(send_db, tmp_path, monkeypatch):
    """A server that insists on STARTTLS before anything else, with a certificate made for the test."""
    import ssl
    import subprocess

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True,
                            authenticator=lambda *args: AuthResult(success=args[4].password == b"s3cret"))
    controller.start()
    try:
        monkeypatch.setenv("OMBUDS_SMTP_STARTTLS", "yes")
        monkeypatch.setenv("OMBUDS_SMTP_USER", "ombuds")
        monkeypatch.setenv("OMBUDS_SMTP_PASSWORD", "s3cret")
        settings = SmtpSettings.from_environment("127.0.0.1", controller.port, None, "letters@ombudsman.example.org")
        assert settings.starttls
        from ombuds.errors import OmbudsError

        with pytest.raises(OmbudsError, match="certificate verify failed"):  # not trusted: nothing is sent
            send_letters(send_db, YEAR, shipped_edition(YEAR), settings,
                         authority=registry().get("E07000243"), profile=PROFILE, scheme=LGSCO)
        monkeypatch.setenv("OMBUDS_SMTP_CA_FILE", str(tmp_path / "cert.pem"))
        settings = SmtpSettings.from_environment("127.0.0.1", controller.port, None, "letters@ombudsman.example.org")
        report = send_letters(send_db, YEAR, shipped_edition(YEAR), settings,
                              authority=registry().get("E07000243"), profile=PROFILE, scheme=LGSCO)
        assert report.sent == ["Stevenage Borough Council"]
        assert len(mailbox.envelopes) == 1
    finally:
        controller.stop()


def test_a_message_mail_servers_accept(send_db, smtp, tmp_path):
    """From the profile's real domain, a Message-ID unique per sending, the date in UTC as +0000, the letter's text
    as text/plain, no script in the HTML, the logo an inline PNG by Content-ID; Python's strict parser finds no
    defect."""
    mailbox, port = smtp
    stevenage = registry().get("E07000243")
    settings = SmtpSettings.from_environment("127.0.0.1", port, False)
    assert settings.sender == "letters@example.org"
    send_letters(send_db, YEAR, shipped_edition(YEAR), settings, authority=stevenage, profile=PROFILE, scheme=LGSCO)
    dry = send_letters(send_db, YEAR, shipped_edition(YEAR), None, dry_run_dir=tmp_path, authority=stevenage,
                       profile=PROFILE, scheme=LGSCO)
    raws = [mailbox.envelopes[0].original_content, (tmp_path / "stevenage-borough-council-2022-23.eml").read_bytes()]
    assert dry.sent and mailbox.envelopes[0].mail_from == "letters@example.org"
    mails = [email.message_from_bytes(raw, policy=email.policy.strict) for raw in raws]
    assert [m["From"] for m in mails] == ["letters@example.org"] * 2
    assert mails[0]["Message-ID"] != mails[1]["Message-ID"]
    assert all(m["Message-ID"].endswith("@example.org>") for m in mails)
    mail = mails[0]
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", mail["Date"])
    assert [p.get_content_type() for p in mail.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png",
        "application/pdf"]
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Annual Review letter 2023 for Stevenage Borough Council is attached as a\n"
                           "PDF; the letter follows.\n\nExample Complaints Ombudsman\nPO Box 0000\n")
    for said in ("Dear Pat", "Complaints upheld", "75% of complaints we investigated were upheld.",
                 "Yours sincerely,\n\nAlex Example\nOmbudsman and Chair, Example Complaints Ombudsman",
                 "https://performance.example.org/councils/stevenage-borough-council/2022-23/"):
        assert said in text, said
    assert max(len(line) for line in text.splitlines()) <= 78
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html and "data:" not in html
    [logo] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert logo["Content-ID"] and f'src="cid:{logo["Content-ID"][1:-1]}"' in html
    assert logo.get_content().startswith(b"\x89PNG\r\n\x1a\n") and logo.get_content_disposition() == "inline"
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(next(p for p in mail.walk() if p.get_content_type() == "application/pdf").get_content())
    pdf_words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "75% of complaints we investigated were upheld." in " ".join(pdf_words.split())
