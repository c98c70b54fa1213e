"""Sending letters through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from builders import Cases
from conftest import demo, write_csv
from ombuds.ingest import import_files
from ombuds.letters.editions import shipped_edition
from ombuds.letters.send import SmtpSettings, send_letters
from ombuds.registry import registry
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
    import_files(db, [*cases.files(), contacts])
    return db


def test_letters_go_to_the_chief_executive_copied_to_the_others_once_only(send_db, smtp, monkeypatch):
    mailbox, port = smtp
    monkeypatch.setenv("OMBUDS_SMTP_USER", "ombuds")
    monkeypatch.setenv("OMBUDS_SMTP_PASSWORD", "s3cret")
    settings = SmtpSettings.from_environment("127.0.0.1", port, False, "letters@ombudsman.example.org")
    edition = shipped_edition(YEAR)
    stevenage = registry().get("E07000243")
    report = send_letters(send_db, YEAR, edition, settings, authority=stevenage, profile=PROFILE)
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
    assert mail["Message-ID"] == "<ombuds-2022-23-E07000243@ombudsman.example.org>"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "stevenage-borough-council-2022-23.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<title>Annual Review letter 2023: Stevenage Borough Council</title>" in html
    assert "Dear Pat" in html
    again = send_letters(send_db, YEAR, edition, settings, authority=stevenage, profile=PROFILE)
    assert (again.sent, again.already_sent) == ([], ["Stevenage Borough Council"])
    assert len(mailbox.envelopes) == 1


def test_authorities_without_an_address_are_listed(send_db, smtp):
    mailbox, port = smtp
    settings = SmtpSettings("127.0.0.1", port, False, "letters@ombudsman.example.org")
    report = send_letters(send_db, YEAR, shipped_edition(YEAR), settings, profile=PROFILE)
    assert report.sent == ["Stevenage Borough Council"]
    assert "Hertsmere Borough Council (E07000098)" in report.no_address
    assert "Dacorum Borough Council (E07000096)" in report.no_address
    assert len(mailbox.envelopes) == 1
    assert report.lines(False)[:2] == ["1 letter sent", "not sent: Adur District Council (E07000223): no email "
                                                        "address for the chief executive"]


def test_dry_run_writes_messages_and_logs_nothing(send_db, smtp, tmp_path):
    mailbox, port = smtp
    edition = shipped_edition(YEAR)
    stevenage = registry().get("E07000243")
    report = send_letters(send_db, YEAR, edition, None,
                          dry_run_dir=tmp_path / "outbox", authority=stevenage, profile=PROFILE)
    path = tmp_path / "outbox" / "stevenage-borough-council-2022-23.eml"
    assert report.sent == [str(path)]
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail["To"] == "ceo@stevenage.example.org"
    assert mailbox.envelopes == []
    settings = SmtpSettings("127.0.0.1", port, False, "letters@ombudsman.example.org")
    assert send_letters(send_db, YEAR, edition, settings,
                        authority=stevenage, profile=PROFILE).sent == ["Stevenage Borough Council"]


def test_an_unreachable_server_is_a_clear_error(send_db):
    from ombuds.errors import OmbudsError

    settings = SmtpSettings("127.0.0.1", free_port(), False, "letters@ombudsman.example.org")
    with pytest.raises(OmbudsError, match=r"cannot use the SMTP server 127\.0\.0\.1:\d+: "):
        send_letters(send_db, YEAR, shipped_edition(YEAR), settings,
                     authority=registry().get("E07000243"), profile=PROFILE)


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
                         authority=registry().get("E07000243"), profile=PROFILE)
        monkeypatch.setenv("OMBUDS_SMTP_CA_FILE", str(tmp_path / "cert.pem"))
        settings = SmtpSettings.from_environment("127.0.0.1", controller.port, None, "letters@ombudsman.example.org")
        report = send_letters(send_db, YEAR, shipped_edition(YEAR), settings,
                              authority=registry().get("E07000243"), profile=PROFILE)
        assert report.sent == ["Stevenage Borough Council"]
        assert len(mailbox.envelopes) == 1
    finally:
        controller.stop()
