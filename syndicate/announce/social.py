"""What Mastodon and Bluesky share: one status per new post (never again for the same post),
a first run that only learns which posts exist, and secrets masked wherever a request is shown."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..delivery.notification import Endpoint, Notification
from ..delivery.state import DeliveryState
from .posts import AnnouncedPost

API_ANSWER_LIMIT = 256 * 1024   # an instance description or a status with its account: tens of KB at most


@dataclass(frozen=True)
class Status(Notification):
    post: AnnouncedPost | None = None
    edit_of: str = ""          # Mastodon: the id of the status to edit


def masked(env: str, secret: str | None) -> str:
    """How a secret appears in a dry run: its variable's name, whether it is set, never its value."""
    return f"<${env}: {'set, ' + str(len(secret)) + ' characters' if secret else 'NOT SET'}>"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def baseline(endpoint: Endpoint, posts: list[AnnouncedPost], digests: dict[str, str]) -> Notification:
    """A first run for an account: the posts that already exist are recorded as known, so that
    setting up an account does not post the whole archive; from now on each new post is posted."""
    count = f"{len(posts)} existing post{'s' if len(posts) != 1 else ''}"
    return Notification(endpoint, f"first run: {count} recorded as known, not posted", (),
                        tuple((post.url, digests[post.url]) for post in posts))


def new_posts(endpoint: Endpoint, posts: tuple[AnnouncedPost, ...], state: DeliveryState, backfill: int,
              digests: dict[str, str]) -> tuple[list[AnnouncedPost], Notification | None]:
    """The posts to post now (oldest first, so the account's timeline reads in order), and the
    baseline of a first run."""
    if endpoint.key not in state.delivered:
        fresh, known = list(posts[:backfill]), list(posts[backfill:])
        return fresh[::-1], baseline(endpoint, known, digests) if known else None
    seen = state.known(endpoint)
    return [post for post in posts if post.url not in seen][::-1], None


def json_body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def answer_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def language_code(language: str) -> str:
    """ISO 639-1 from a language tag: de-DE → de."""
    return language.split("-")[0].split("_")[0].lower()
