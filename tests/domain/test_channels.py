"""The channels against real servers on loopback: an HTTP server standing in for the WeCom and
DingTalk group bots (it reads the JSON the way the platforms document it, and checks DingTalk's
signature with the secret) and an aiosmtpd SMTP server. The servers are shared with the sending
tests (`BotServer`, `MailServer`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import struct
import threading
import time
import zlib
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from aiosmtpd.controller import Controller

from salesmgmt.delivery import channels
from salesmgmt.delivery.channels import Message

WECOM_KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"


# ------------------------------------------------------------------------------------------
# The stand-in servers


class BotServer:
    """A real HTTP server on loopback answering like a group bot. Every POST is kept as
    (path, query, JSON body). The answer depends on the webhook's key (`key` or `access_token`):
    one in `http_500` gets HTTP 500, one in `refuse` gets HTTP 200 with errcode 93000 and an
    errmsg that repeats the whole URL (as real bots' errors sometimes do), others errcode 0.
    With `secret`, a DingTalk request to DINGTALK_TOKEN (or any carrying a sign) must carry a
    timestamp within an hour and its sign."""

    def __init__(self, secret: str | None = None) -> None:
        self.received: list[tuple[str, dict[str, list[str]], dict]] = []
        self.http_500: set[str] = set()
        self.refuse: set[str] = set()
        self.secret = secret
        self.bad_signatures = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                owner.received.append((parts.path, query, body))
                key = (query.get("key") or query.get("access_token") or [""])[0]
                signing = key == DINGTALK_TOKEN or "sign" in query  # other bots take unsigned posts
                if owner.secret and "access_token" in query and signing and not owner.signed(query):
                    owner.bad_signatures += 1
                    self.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                elif key in owner.http_500:
                    self.answer(500, {"error": "server trouble"})
                elif key in owner.refuse:
                    self.answer(200, {"errcode": 93000, "errmsg": f"invalid webhook url {self.path}"})
                else:
                    self.answer(200, {"errcode": 0, "errmsg": "ok"})

            def answer(self, status: int, data: dict) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def signed(self, query: dict[str, list[str]]) -> bool:
        """DingTalk's check: sign == base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}"))."""
        assert self.secret is not None
        timestamp = query.get("timestamp", ["0"])[0]
        if abs(int(timestamp) - time.time() * 1000) > 3_600_000:
            return False
        expected = hmac.new(
            self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        return hmac.compare_digest(base64.b64decode(query.get("sign", [""])[0]), expected)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wecom_url(self, key: str = WECOM_KEY) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str = DINGTALK_TOKEN) -> str:
        return f"{self.base}/robot/send?access_token={token}"

    def bodies(self, key: str) -> list[dict]:
        """The JSON bodies posted to the webhook with this key or access token, in order."""
        return [
            body
            for _, query, body in self.received
            if key in (query.get("key") or query.get("access_token") or [])
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        mail = message_from_bytes(content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), mail))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """A real SMTP server (aiosmtpd) on loopback; `messages` holds (recipients, parsed message)."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.inbox.messages

    def env(self) -> dict[str, str]:
        return {
            "SALESMGMT_SMTP_HOST": "127.0.0.1",
            "SALESMGMT_SMTP_PORT": str(self.port),
            "SALESMGMT_SMTP_FROM": "brief@salesmgmt.example",
        }

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def bots():
    server = BotServer(secret=DINGTALK_SECRET)
    yield server
    server.close()


@pytest.fixture
def mail(monkeypatch):
    server = MailServer()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.close()


def png_of(width: int, height: int, noise: bool = False) -> bytes:
    """A real PNG (RGB, 8 bit); with `noise`, incompressible pixels, so its size grows with it."""
    import os

    rows = b"".join(
        b"\x00" + (os.urandom(width * 3) if noise else b"\x80" * width * 3) for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def message(
    png: bytes | None = None, pdf: bytes | None = None, markdown: str = "**周报** 龙 Dragon"
) -> Message:
    return Message(
        title="周报 龙 Dragon",
        markdown=markdown,
        text="周报 龙 Dragon\n赢单 12.5 万元",
        html="<html><body><h1>周报 龙 Dragon</h1><p>赢单 12.5 万元</p></body></html>",
        png=png,
        pdf=pdf,
        pdf_name="brief-2026-W48.pdf",
    )


# ------------------------------------------------------------------------------------------
# WeCom


def test_a_wecom_bot_gets_the_markdown_then_the_image_with_its_md5(bots):
    png = png_of(375, 600)
    outcome = channels.send_wecom(bots.wecom_url(), message(png=png))
    first, second = bots.bodies(WECOM_KEY)
    assert first == {"msgtype": "markdown", "markdown": {"content": "**周报** 龙 Dragon"}}
    assert second["msgtype"] == "image"
    raw = base64.b64decode(second["image"]["base64"])
    assert raw == png and hashlib.md5(raw).hexdigest() == second["image"]["md5"]
    assert outcome.ok and "image" in outcome.detail


def test_an_image_over_2_mb_is_left_out_and_the_outcome_says_so(bots):
    big = png_of(1000, 720, noise=True)
    assert len(big) > 2 * 1024 * 1024
    outcome = channels.send_wecom(bots.wecom_url(), message(png=big))
    assert [b["msgtype"] for b in bots.bodies(WECOM_KEY)] == ["markdown"]
    assert outcome.ok and "image left out: 2.1 MB is over WeCom's 2 MB" in outcome.detail


def test_markdown_over_4096_bytes_is_not_sent(bots):
    long = "龙" * 1366  # 3 bytes each: 4,098 bytes
    outcome = channels.send_wecom(bots.wecom_url(), message(markdown=long))
    assert not outcome.ok and "4098 bytes" in outcome.detail
    assert bots.received == []


def test_http_500_and_an_errcode_are_failures_and_the_key_never_shows(bots):
    bots.http_500.add(WECOM_KEY)
    failed = channels.deliver("wecom", bots.wecom_url(), None, message())
    assert not failed.ok and failed.detail == "markdown: HTTP 500"
    bots.refuse.add("otherkey0123456789")
    refused = channels.deliver("wecom", bots.wecom_url("otherkey0123456789"), None, message())
    assert not refused.ok and refused.detail.startswith("markdown: errcode 93000: invalid webhook url")
    assert "otherkey0123456789" not in refused.detail and "othe…6789" in refused.detail


def test_a_bot_that_does_not_answer_fails_with_the_reason():
    outcome = channels.deliver(
        "wecom", f"http://127.0.0.1:{free_port()}/send?key={WECOM_KEY}", None, message()
    )
    assert not outcome.ok and "no answer" in outcome.detail and WECOM_KEY not in outcome.detail


# ------------------------------------------------------------------------------------------
# DingTalk


def test_a_dingtalk_bot_gets_markdown_with_title_and_a_signature_that_verifies(bots):
    outcome = channels.deliver("dingtalk", bots.dingtalk_url(), DINGTALK_SECRET, message())
    assert outcome.ok, outcome.detail
    ((path, query, body),) = bots.received
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": "周报 龙 Dragon", "text": "**周报** 龙 Dragon"},
    }
    assert bots.bad_signatures == 0 and set(query) == {"access_token", "timestamp", "sign"}


def test_a_dingtalk_signature_is_the_documented_hmac():
    # HMAC-SHA256("SECabc", "1700000000000\nSECabc"), base64, URL-encoded: worked out independently
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    sign = channels.dingtalk_signature("SECabc", 1700000000000)
    assert unquote_plus(sign) == base64.b64encode(digest).decode()
    assert "+" not in sign and "/" not in sign and "=" not in sign  # encoded for a URL
    url = channels.signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", 1700000000000)
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign={sign}"


def test_a_wrong_secret_is_a_failure_that_does_not_show_the_secret(bots):
    wrong = "SECwrongwrongwrongwrongwrong0000"
    outcome = channels.deliver("dingtalk", bots.dingtalk_url(), wrong, message())
    assert not outcome.ok and "errcode 310000" in outcome.detail and bots.bad_signatures == 1
    assert wrong not in outcome.detail and DINGTALK_TOKEN not in outcome.detail


# ------------------------------------------------------------------------------------------
# E-mail


def test_an_email_has_the_brief_inline_with_a_text_alternative_and_the_pdf_attached(mail):
    pdf = b"%PDF-1.4 stand-in bytes"
    outcome = channels.deliver("email", "chen@dragon.example, li@dragon.example", None, message(pdf=pdf))
    assert outcome.ok, outcome.detail
    ((recipients, received),) = mail.messages
    assert recipients == ["chen@dragon.example", "li@dragon.example"]
    assert received["Subject"] == "周报 龙 Dragon" and received["From"] == "brief@salesmgmt.example"
    assert "赢单 12.5 万元" in received.get_body(("plain",)).get_content()
    assert "<h1>周报 龙 Dragon</h1>" in received.get_body(("html",)).get_content()
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == "brief-2026-W48.pdf" and attachment.get_content() == pdf


def test_without_an_smtp_host_the_email_fails_naming_the_variable(monkeypatch):
    monkeypatch.delenv("SALESMGMT_SMTP_HOST", raising=False)
    outcome = channels.deliver("email", "chen@dragon.example", None, message())
    assert not outcome.ok and "SALESMGMT_SMTP_HOST is not set" in outcome.detail


def test_an_smtp_password_never_shows_in_a_failure(monkeypatch):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("SALESMGMT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SALESMGMT_SMTP_PORT", str(port))
    monkeypatch.setenv("SALESMGMT_SMTP_USER", "brief")
    monkeypatch.setenv("SALESMGMT_SMTP_PASSWORD", "Very$ecret-Passw0rd")
    outcome = channels.deliver("email", "chen@dragon.example", None, message())
    assert not outcome.ok and f"SMTP 127.0.0.1:{port}" in outcome.detail
    assert "Very$ecret" not in outcome.detail


# ------------------------------------------------------------------------------------------
# Destinations


def test_a_webhook_key_is_shown_by_its_first_and_last_four_characters():
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
    assert channels.mask(url) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…5aaa"
    assert channels.mask("https://oapi.dingtalk.com/robot/send?access_token=short") == (
        "https://oapi.dingtalk.com/robot/send?access_token=…"
    )
    assert channels.mask("chen@dragon.example") == "chen@dragon.example"
    assert channels.redact(f"failed at {url}", url) == f"failed at {channels.mask(url)}"


@pytest.mark.parametrize(
    ("channel", "destination", "secret", "key"),
    [
        ("fax", "https://x.example/send", None, "delivery.error.channel"),
        ("wecom", "qyapi.weixin.qq.com/send?key=abc", None, "delivery.error.webhook"),
        ("dingtalk", "ftp://oapi.dingtalk.com/robot", None, "delivery.error.webhook"),
        ("wecom", "https://qyapi.weixin.qq.com/send?key=abc", "SECxyz", "delivery.error.secret_not_dingtalk"),
        ("email", "chen@dragon.example, not-an-address", None, "delivery.error.address"),
        ("email", "  ", None, "delivery.error.address"),
    ],
)
def test_a_bad_destination_is_refused_with_its_reason(channel, destination, secret, key):
    from salesmgmt.errors import SalesmgmtError

    with pytest.raises(SalesmgmtError) as caught:
        channels.check_destination(channel, destination, secret)
    assert caught.value.key == key


def test_email_addresses_may_be_separated_by_commas_semicolons_or_spaces():
    stored = channels.check_destination("email", "a@x.cn; b@x.cn  c@x.cn,", None)
    assert stored == "a@x.cn, b@x.cn, c@x.cn"


# ------------------------------------------------------------------------------------------
# E-mail over STARTTLS with a login


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (PEM files), made with `cryptography`."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def test_email_goes_over_starttls_when_offered_and_logs_in_with_the_user(tmp_path, monkeypatch):
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bool]] = []

    def authenticator(server, session, envelope, mechanism, data) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"brief",
            b"Very$ecret-Passw0rd",
        )
        logins.append((data.login, session.ssl is not None))
        return AuthResult(success=ok)

    inbox, port = _Inbox(), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
        authenticator=authenticator, auth_required=True,
    )  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts this server's certificate
        monkeypatch.setenv("SALESMGMT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SALESMGMT_SMTP_PORT", str(port))
        monkeypatch.setenv("SALESMGMT_SMTP_USER", "brief")
        monkeypatch.setenv("SALESMGMT_SMTP_PASSWORD", "Very$ecret-Passw0rd")
        monkeypatch.delenv("SALESMGMT_SMTP_FROM", raising=False)
        outcome = channels.deliver("email", "chen@dragon.example", None, message())
        assert outcome.ok, outcome.detail
        assert logins == [(b"brief", True)]  # logged in once, inside TLS
        ((recipients, received),) = inbox.messages
        assert recipients == ["chen@dragon.example"] and received["From"] == "salesmgmt@127.0.0.1"

        monkeypatch.delenv("SSL_CERT_FILE")  # a certificate nobody vouches for: refused, not sent
        refused = channels.deliver("email", "chen@dragon.example", None, message())
        assert not refused.ok and "CERTIFICATE_VERIFY_FAILED" in refused.detail
        assert len(inbox.messages) == 1
    finally:
        controller.stop()
