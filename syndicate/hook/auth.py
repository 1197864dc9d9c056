"""Who sent a webhook delivery: each forge's scheme, compared in constant time.

- GitHub: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body, hex>`, id `X-GitHub-Delivery`;
- Gitea / Forgejo: `X-Gitea-Signature` / `X-Forgejo-Signature: <HMAC-SHA256 hex>`, id
  `X-Gitea-Delivery` / `X-Forgejo-Delivery` (both also send GitHub's header);
- GitLab: `X-Gitlab-Token: <the secret>` (not bound to the body), id `X-Gitlab-Event-UUID`;
- anything else: `Authorization: Bearer <the secret>`, id `Idempotency-Key` if sent."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Mapping

UNAUTHENTICATED, FORBIDDEN = 401, 403


@dataclass(frozen=True)
class Sender:
    scheme: str                # github, gitea, forgejo, gitlab, bearer
    delivery: str | None       # the sender's id of this delivery, for replays


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def authenticate(headers: Mapping[str, str], body: bytes, secret: bytes) -> Sender | Refusal:
    """`headers` with lower-case names. The first scheme present decides; a wrong one is refused."""
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    schemes = (("x-hub-signature-256", "github", "x-github-delivery", "sha256=" + signature),
               ("x-forgejo-signature", "forgejo", "x-forgejo-delivery", signature),
               ("x-gitea-signature", "gitea", "x-gitea-delivery", signature))
    for header, scheme, delivery, expected in schemes:
        if header in headers:
            if not _same(headers[header].strip().lower(), expected):
                return Refusal(FORBIDDEN, f"{header} does not match the body signed with the secret")
            return Sender(_forge(headers, scheme), headers.get(delivery) or headers.get("x-github-delivery"))
    if "x-gitlab-token" in headers:
        if not _same(headers["x-gitlab-token"], secret.decode()):
            return Refusal(FORBIDDEN, "X-Gitlab-Token is not the secret")
        return Sender("gitlab", headers.get("x-gitlab-event-uuid") or headers.get("idempotency-key"))
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        if not _same(token.strip(), secret.decode()):
            return Refusal(FORBIDDEN, "the bearer token is not the secret")
        return Sender("bearer", headers.get("idempotency-key"))
    return Refusal(UNAUTHENTICATED, "no signature or token: send X-Hub-Signature-256, X-Gitea-Signature, "
                                    "X-Gitlab-Token or Authorization: Bearer")


def bearer_ok(headers: Mapping[str, str], secret: bytes) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _same(token.strip(), secret.decode())


def _forge(headers: Mapping[str, str], scheme: str) -> str:
    """Gitea and Forgejo send GitHub's header too: name them by their own delivery header."""
    if scheme == "github":
        for forge in ("forgejo", "gitea"):
            if f"x-{forge}-delivery" in headers:
                return forge
    return scheme


def _same(given: str, expected: str) -> bool:
    # hmac.compare_digest: the time taken does not tell how much of a guess was right.
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
