"""An email message to JSON and back, so that it can wait in the database to be sent."""

from __future__ import annotations

import base64
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives


def _content(value: str | bytes) -> dict[str, str]:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return {"text": value}


def _restore(value: dict[str, str]) -> str | bytes:
    if "base64" in value:
        return base64.b64decode(value["base64"])
    return value["text"]


def message_to_payload(message: EmailMessage) -> dict[str, Any]:
    """Everything needed to build the same message again, as JSON-ready values."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("the outbox stores attachments given as (filename, content, type)")
        filename, content, mimetype = attachment
        attachments.append(
            {"filename": filename, "content": _content(content), "mimetype": mimetype}
        )
    alternatives = [
        {"content": _content(content), "mimetype": mimetype}
        for content, mimetype in getattr(message, "alternatives", [])
    ]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": alternatives,
        "attachments": attachments,
    }


def payload_to_message(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    message.content_subtype = payload.get("content_subtype", "plain")
    for alternative in payload["alternatives"]:
        message.attach_alternative(_restore(alternative["content"]), alternative["mimetype"])
    for attachment in payload["attachments"]:
        message.attach(
            attachment["filename"], _restore(attachment["content"]), attachment["mimetype"]
        )
    return message
