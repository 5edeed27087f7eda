"""Standard Webhooks signing: `whsec_<base64>` secrets and the headers of each attempt."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_BYTES = 32


def new_secret() -> str:
    """A random signing secret in the Standard Webhooks form, `whsec_<base64>`."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(secret: str, msg_id: str, body: str, now: datetime) -> dict[str, str]:
    """`webhook-id` (the same on every attempt), a fresh `webhook-timestamp`, and
    `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    stamp = datetime.fromtimestamp(int(now.timestamp()), UTC)
    return {"Content-Type": "application/json", "webhook-id": msg_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, stamp, body)}
