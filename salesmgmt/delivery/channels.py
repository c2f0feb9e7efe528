"""Sending one message to a WeCom group bot, a DingTalk group bot or e-mail addresses, as the
platforms document them (see NOTES "Delivery to WeCom, DingTalk and e-mail").

- WeCom: POST JSON `{"msgtype": "markdown", "markdown": {"content": ...}}` (content at most 4,096
  bytes of UTF-8), then `{"msgtype": "image", "image": {"base64", "md5"}}` (the raw PNG at most
  2 MB; a larger image is left out and the outcome says so).
- DingTalk: POST JSON `{"msgtype": "markdown", "markdown": {"title", "text"}}`; with the bot's
  secret, `timestamp` (ms) and `sign` (URL-encoded base64 HMAC-SHA256 of "{timestamp}\\n{secret}")
  are added to the URL.
- Both answer `{"errcode": 0, ...}` on success, often with HTTP 200 on failure too: `errcode` decides.
- E-mail: SMTP from SALESMGMT_SMTP_* (STARTTLS when the server offers it, TLS from the start on
  port 465; the server's certificate is verified; login only with a user),
  the message's HTML inline with a plain-text alternative, the PDF attached.

Every network call has a timeout. Nothing here ever puts a webhook key or secret into an
outcome's text: outcomes are written to the delivery log (`mask` and `redact`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from salesmgmt.errors import SalesmgmtError

CHANNELS = ("wecom", "dingtalk", "email")
#: Seconds any one network call may take before it counts as failed.
TIMEOUT_SECONDS = 20.0
#: WeCom's limit on a markdown message's content, in bytes of UTF-8 (DingTalk's is larger).
MARKDOWN_MAX_BYTES = 4096
#: WeCom's limit on an image message's raw image.
IMAGE_MAX_BYTES = 2 * 1024 * 1024

ENV_SMTP = {
    "host": "SALESMGMT_SMTP_HOST",
    "port": "SALESMGMT_SMTP_PORT",
    "user": "SALESMGMT_SMTP_USER",
    "password": "SALESMGMT_SMTP_PASSWORD",
    "from": "SALESMGMT_SMTP_FROM",
}
#: The port on which the connection is TLS from the start (SMTPS) instead of STARTTLS.
SMTPS_PORT = 465
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class Message:
    """What one delivery carries, in every form a channel may need."""

    title: str
    markdown: str
    """Already within MARKDOWN_MAX_BYTES (the brief cuts long lists and links to the app)."""
    text: str
    html: str
    png: bytes | None = None
    pdf: bytes | None = None
    pdf_name: str | None = None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    """What happened, for the delivery log; never a secret."""


# ------------------------------------------------------------------------------------------
# Destinations and their masks


def mask_secret(value: str) -> str:
    """'abcd…wxyz' for a long key, '…' for a short one: enough to tell keys apart, not to use one."""
    return f"{value[:4]}…{value[-4:]}" if len(value) >= 16 else "…"


def mask(destination: str) -> str:
    """A destination as it may be shown: a URL with every query value and any password masked
    (the WeCom `key`, the DingTalk `access_token`); e-mail addresses as they are."""
    if not destination.lower().startswith(("http://", "https://")):
        return destination
    parts = urlsplit(destination)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    query = "&".join(f"{name}={mask_secret(value)}" for name, value in parse_qsl(parts.query))
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every secret and every query value of a secret URL replaced by its mask."""
    for secret in secrets:
        if not secret:
            continue
        if secret.lower().startswith(("http://", "https://")):
            text = text.replace(secret, mask(secret))
            for _, value in parse_qsl(urlsplit(secret).query):
                if value:
                    text = text.replace(value, mask_secret(value))
        else:
            text = text.replace(secret, mask_secret(secret))
    return text


def email_addresses(destination: str) -> list[str]:
    """The addresses of a destination ('a@x.cn, b@x.cn' or separated by ';' or spaces)."""
    return [a for a in re.split(r"[,;\s]+", destination.strip()) if a]


def check_destination(channel: str, destination: str, secret: str | None) -> str:
    """The destination as stored, or a clear error: a bot needs an http(s) webhook URL, e-mail one
    or more addresses; only a DingTalk bot takes a secret."""
    if channel not in CHANNELS:
        raise SalesmgmtError("delivery.error.channel", channel=channel, channels=", ".join(CHANNELS))
    destination = (destination or "").strip()
    if secret and channel != "dingtalk":
        raise SalesmgmtError("delivery.error.secret_not_dingtalk", channel=channel)
    if channel == "email":
        addresses = email_addresses(destination)
        bad = [a for a in addresses if not _ADDRESS.match(a)]
        if not addresses or bad:
            raise SalesmgmtError("delivery.error.address", value=", ".join(bad) or destination)
        return ", ".join(addresses)
    parts = urlsplit(destination)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SalesmgmtError("delivery.error.webhook", channel=channel, value=mask(destination))
    return destination


# ------------------------------------------------------------------------------------------
# Group bots


def _post_json(url: str, payload: dict) -> None:
    """POST `payload`; raises RuntimeError with the reason when the bot does not take it."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RuntimeError(f"no answer ({reason})") from None
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RuntimeError("the answer is not JSON") from None
    code = data.get("errcode") if isinstance(data, dict) else None
    if code != 0:
        raise RuntimeError(f"errcode {code}: {str(data.get('errmsg', ''))[:200]}")


def send_wecom(url: str, message: Message) -> Outcome:
    """The markdown, then the image when there is one within 2 MB."""
    content = message.markdown
    size = len(content.encode("utf-8"))
    if size > MARKDOWN_MAX_BYTES:
        return Outcome(False, f"markdown of {size} bytes is over WeCom's {MARKDOWN_MAX_BYTES}")
    try:
        _post_json(url, {"msgtype": "markdown", "markdown": {"content": content}})
    except RuntimeError as exc:
        return Outcome(False, redact(f"markdown: {exc}", url))
    done = [f"markdown {size} bytes"]
    png = message.png
    if png is not None and len(png) > IMAGE_MAX_BYTES:
        done.append(f"image left out: {len(png) / 1048576:.1f} MB is over WeCom's 2 MB")
    elif png is not None:
        image = {"base64": base64.b64encode(png).decode("ascii"), "md5": hashlib.md5(png).hexdigest()}
        try:
            _post_json(url, {"msgtype": "image", "image": image})
        except RuntimeError as exc:
            return Outcome(False, redact("; ".join(done) + f"; image: {exc}", url))
        done.append(f"image {len(png) // 1024} KB")
    return Outcome(True, "; ".join(done))


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign`: URL-encoded base64 of HMAC-SHA256(secret, "{timestamp}\\n{secret}")."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook URL with `timestamp` and `sign` appended."""
    extra = urlencode({"timestamp": timestamp_ms}) + "&sign=" + dingtalk_signature(secret, timestamp_ms)
    return url + ("&" if urlsplit(url).query else "?") + extra


def send_dingtalk(url: str, secret: str | None, message: Message) -> Outcome:
    target = signed_url(url, secret, int(time.time() * 1000)) if secret else url
    payload = {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown}}
    try:
        _post_json(target, payload)
    except RuntimeError as exc:
        return Outcome(False, redact(f"markdown: {exc}", url, target, secret))
    return Outcome(
        True, f"markdown {len(message.markdown.encode('utf-8'))} bytes" + (", signed" if secret else "")
    )


# ------------------------------------------------------------------------------------------
# E-mail


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls) -> SmtpSettings:
        """SALESMGMT_SMTP_HOST (required), _PORT (default 587), _USER and _PASSWORD (login only
        with a user), _FROM (default: the user when it is an address, else salesmgmt@HOST)."""
        host = os.environ.get(ENV_SMTP["host"], "").strip()
        if not host:
            raise SalesmgmtError("delivery.error.smtp_host", variable=ENV_SMTP["host"])
        port_text = os.environ.get(ENV_SMTP["port"], "").strip() or "587"
        if not port_text.isdigit():
            raise SalesmgmtError("delivery.error.smtp_port", variable=ENV_SMTP["port"], value=port_text)
        user = os.environ.get(ENV_SMTP["user"], "").strip() or None
        login_address = user if user and "@" in user else None
        sender = os.environ.get(ENV_SMTP["from"], "").strip() or login_address or f"salesmgmt@{host}"
        return cls(host, int(port_text), user, os.environ.get(ENV_SMTP["password"]) or None, sender)


def email_message(sender: str, addresses: list[str], message: Message) -> EmailMessage:
    """The brief inline (HTML with a plain-text alternative) and the PDF attached."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(addresses)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    if message.pdf is not None:
        mail.add_attachment(
            message.pdf, maintype="application", subtype="pdf", filename=message.pdf_name or "brief.pdf"
        )
    return mail


def _smtp(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    """A connection: TLS from the start on port 465 (SMTPS), else plain until STARTTLS."""
    if settings.port == SMTPS_PORT:
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    return smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)


def send_email(destination: str, message: Message) -> Outcome:
    addresses = email_addresses(destination)
    try:
        settings = SmtpSettings.from_env()
    except SalesmgmtError as exc:
        return Outcome(False, exc.message("en"))
    mail = email_message(settings.sender, addresses, message)
    context = ssl.create_default_context()  # the server's certificate is checked (SSL_CERT_FILE)
    try:
        with _smtp(settings, context) as smtp:
            smtp.ehlo()
            if settings.port != SMTPS_PORT and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, redact(f"SMTP {settings.host}:{settings.port}: {exc}", settings.password))
    sent = [a for a in addresses if a not in refused]
    detail = f"{len(sent)} of {len(addresses)} addresses" + (
        f", PDF {len(message.pdf) // 1024} KB" if message.pdf is not None else ""
    )
    if refused:
        detail += "; refused: " + ", ".join(sorted(refused))
    return Outcome(bool(sent), detail)


def deliver(channel: str, destination: str, secret: str | None, message: Message) -> Outcome:
    """Send `message` by `channel`; any failure is an Outcome, never an exception."""
    try:
        if channel == "wecom":
            return send_wecom(destination, message)
        if channel == "dingtalk":
            return send_dingtalk(destination, secret, message)
        return send_email(destination, message)
    except Exception as exc:  # one endpoint's surprise must not stop the others
        return Outcome(False, redact(f"{type(exc).__name__}: {exc}", destination, secret))
