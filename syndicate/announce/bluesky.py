"""Bluesky: one `app.bsky.feed.post` per new post (com.atproto.repo.createRecord), with facets for
the link and the hashtags and an `app.bsky.embed.external` card whose thumbnail is the share card,
uploaded as a blob (com.atproto.repo.uploadBlob) within the lexicon's 1,000,000 bytes. A session
is made once per run (com.atproto.server.createSession) and refreshed when it expires."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from ..config import BlueskySettings
from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.state import DeliveryState
from ..delivery.transport import Exchange, backoff, retry_after, status_line
from .posts import Announced, AnnouncedPost
from .social import API_ANSWER_LIMIT, Status, answer_json, json_body, language_code, masked, new_posts
from .text import compose, facets, graphemes

JSON = "application/json"
COLLECTION = "app.bsky.feed.post"
TEXT_GRAPHEMES, TEXT_BYTES = 300, 3000       # app.bsky.feed.post#text: maxGraphemes, maxLength
THUMB_BYTES = 1_000_000                      # app.bsky.embed.external#external: thumb maxSize
TITLE_LIMIT, DESCRIPTION_LIMIT = 300, 1000   # what the card shows; the lexicon sets no limit
ROUNDS = 3                                   # createRecord attempts, each after checking the record is absent
BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"

Send = Callable[[Request], Awaitable[Exchange]]


def endpoint_of(settings: BlueskySettings) -> Endpoint:
    return Endpoint("bluesky", f"{settings.service.rstrip('/')}/ {settings.handle}")


def record_key(post: AnnouncedPost) -> str:
    """A TID (atproto record key syntax: 13 base32-sortable characters, 53 bits of microseconds and
    10 of clock id) fixed per post: the post's publication time, a clock id from its URL. A retry
    or a later run after an interruption finds the record under this key instead of posting twice
    (and the AppView indexes posts only under TID keys)."""
    try:
        moment = datetime.fromisoformat(post.published)
    except ValueError:
        moment = datetime(2000, 1, 1, tzinfo=timezone.utc)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    micros = max(0, int(moment.timestamp() * 1_000_000)) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(post.url.encode("utf-8")).digest()[:2], "big") & 0x3FF
    number = (micros << 10) | clock
    return "".join(BASE32_SORTABLE[(number >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def post_text(settings: BlueskySettings, post: AnnouncedPost, site: str):
    return compose(settings.template, post, site, TEXT_GRAPHEMES,
                   lambda text: graphemes(text) if len(text.encode("utf-8")) <= TEXT_BYTES else 10**9)


def plan(announced: Announced, settings: BlueskySettings, state: DeliveryState, backfill: int,
         password: str | None) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
    endpoint = endpoint_of(settings)
    digests = {post.url: post.sha256 for post in announced.posts}
    fresh, first = new_posts(endpoint, announced.posts, state, backfill, digests)
    client = Bluesky(settings, password, announced.title, masked_secret=True)
    result: list[Notification] = [first] if first else []
    for post in fresh:
        result.append(Status(endpoint, post.url, client.requests_shown(post), ((post.url, digests[post.url]),),
                             post=post))
    return result, {endpoint: {post.url for post in announced.posts}}


def shrink_to(data: bytes, limit: int) -> bytes:
    """The card as a JPEG of at most `limit` bytes: lower quality first, then smaller."""
    if len(data) <= limit:
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    while True:
        for quality in (80, 70, 60, 50):
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
            if buffer.tell() <= limit:
                return buffer.getvalue()
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))


class Bluesky:
    def __init__(self, settings: BlueskySettings, password: str | None, site: str, masked_secret: bool = False):
        self.settings = settings
        self.password = masked(settings.password_env, password) if masked_secret else password or ""
        self.site = site
        self.session: dict[str, str] = {}
        self._logging_in = asyncio.Lock()

    def xrpc(self, method: str, query: dict[str, str] | None = None) -> str:
        return f"{self.settings.service.rstrip('/')}/xrpc/{method}" + (f"?{urlencode(query)}" if query else "")

    # ------------------------------------------------------------ the requests

    def session_request(self) -> Request:
        body = {"identifier": self.settings.handle, "password": self.password}
        return Request("POST", self.xrpc("com.atproto.server.createSession"), JSON, json_body(body),
                       limit=API_ANSWER_LIMIT, retry=False, note="once per run")

    def refresh_request(self) -> Request:
        return Request("POST", self.xrpc("com.atproto.server.refreshSession"),
                       headers=(("Authorization", f"Bearer {self.session.get('refreshJwt', '')}"),),
                       limit=API_ANSWER_LIMIT, retry=False)

    def get_record_request(self, post: AnnouncedPost, repo: str) -> Request:
        query = {"repo": repo, "collection": COLLECTION, "rkey": record_key(post)}
        return Request("GET", self.xrpc("com.atproto.repo.getRecord", query), limit=API_ANSWER_LIMIT,
                       note="is it posted already? (after an interrupted run)")

    def upload_request(self, data: bytes, mime: str) -> Request:
        return Request("POST", self.xrpc("com.atproto.repo.uploadBlob"), mime, data,
                       (self._auth(),), limit=API_ANSWER_LIMIT)

    def create_request(self, post: AnnouncedPost, repo: str, thumb: Any, created: str) -> Request:
        composed = post_text(self.settings, post, self.site)
        external: dict[str, Any] = {"uri": post.url, "title": post.title[:TITLE_LIMIT],
                                    "description": post.description[:DESCRIPTION_LIMIT]}
        if thumb is not None:
            external["thumb"] = thumb
        record = {"$type": COLLECTION, "text": composed.text,
                  "facets": facets(composed.text, post.url, composed.tags), "createdAt": created,
                  "langs": [language_code(post.language)], "embed": {"$type": "app.bsky.embed.external", "external": external}}
        body = {"repo": repo, "collection": COLLECTION, "rkey": record_key(post), "record": record}
        return Request("POST", self.xrpc("com.atproto.repo.createRecord"), JSON, json_body(body), (self._auth(),),
                       limit=API_ANSWER_LIMIT, retry=False)

    def _auth(self) -> tuple[str, str]:
        return ("Authorization", f"Bearer {self.session.get('accessJwt', self.password and '<the session token>')}")

    def requests_shown(self, post: AnnouncedPost) -> tuple[Request, ...]:
        """The dry run's view: every step, with the secret masked and what only the service can
        tell (the account's DID, the blob's reference, the time of sending) as placeholders."""
        repo = "<the account's DID, from the session>"
        steps = [self.session_request(), self.get_record_request(post, repo)]
        thumb = None
        if post.card is not None and post.card.is_file():
            size = post.card.stat().st_size
            note = f"{size:,} bytes of {post.card.name}" + (f", re-encoded under {THUMB_BYTES:,}" if size > THUMB_BYTES else "")
            steps.append(Request("POST", self.xrpc("com.atproto.repo.uploadBlob"), "image/jpeg",
                                 f"<{note}>".encode(), (self._auth(),)))
            thumb = "<the blob uploadBlob answers>"
        steps.append(self.create_request(post, repo, thumb, "<the time of sending>"))
        return tuple(steps)

    # ------------------------------------------------------------ delivering

    async def deliver(self, status: Status, send: Send) -> Verdict:
        assert status.post is not None
        problem = await self.log_in(send)
        if problem:
            return problem
        post, repo = status.post, self.session["did"]
        for round_ in range(1, ROUNDS + 1):
            existing = await self.call(send, lambda: self.get_record_request(post, repo))
            answer = answer_json(existing.body)
            if existing.response is not None and existing.response.is_success and answer.get("uri"):
                return Verdict(True, f"already posted: {answer['uri']}", existing.response.status_code,
                               receipt={"uri": str(answer["uri"]), "cid": str(answer.get("cid", ""))})
            thumb, problem = await self.thumb(post, send)
            if problem:
                return problem
            created = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            exchange = await self.call(send, lambda: self.create_request(post, repo, thumb, created))
            verdict = judge(exchange)
            if verdict.ok or not exchange.retryable or round_ == ROUNDS:
                return verdict
            asked = retry_after(exchange.response.headers) if exchange.response is not None else None
            await asyncio.sleep(backoff(round_) if asked is None else asked)
        raise AssertionError("unreachable")

    async def thumb(self, post: AnnouncedPost, send: Send) -> tuple[Any, Verdict | None]:
        if post.card is None:
            return None, None
        try:
            data = await asyncio.to_thread(lambda: shrink_to(post.card.read_bytes(), THUMB_BYTES))
        except OSError as exc:
            return None, Verdict(False, f"cannot read the card {post.card}: {exc.strerror}; run `syndicate build`")
        exchange = await self.call(send, lambda: self.upload_request(data, "image/jpeg"))
        blob = answer_json(exchange.body).get("blob")
        if exchange.response is None or not exchange.response.is_success or not isinstance(blob, dict):
            return None, Verdict(False, f"uploading the card: {judge(exchange).message}",
                                 exchange.response.status_code if exchange.response is not None else None)
        return blob, None

    async def log_in(self, send: Send) -> Verdict | None:
        async with self._logging_in:
            if self.session:
                return None
            exchange = await send(self.session_request())
            answer = answer_json(exchange.body)
            if exchange.response is None or not exchange.response.is_success or "accessJwt" not in answer:
                verdict = judge(exchange)
                return Verdict(False, f"no session for {self.settings.handle}: {verdict.message}"
                               + (f" (check ${self.settings.password_env}: an app password)"
                                  if exchange.response is not None and exchange.response.status_code == 401 else ""),
                               verdict.status)
            self.session = {key: str(answer[key]) for key in ("accessJwt", "refreshJwt", "did", "handle") if key in answer}
            return None

    async def call(self, send: Send, request: Callable[[], Request]) -> Exchange:
        """One XRPC call; an expired access token is refreshed (com.atproto.server.refreshSession)
        and the call made once more."""
        exchange = await send(request())
        if exchange.response is not None and exchange.response.status_code == 400 \
                and answer_json(exchange.body).get("error") == "ExpiredToken":
            async with self._logging_in:
                refreshed = await send(self.refresh_request())
                answer = answer_json(refreshed.body)
                if refreshed.response is not None and refreshed.response.is_success and "accessJwt" in answer:
                    self.session.update(accessJwt=str(answer["accessJwt"]),
                                        refreshJwt=str(answer.get("refreshJwt", self.session.get("refreshJwt"))))
            exchange = await send(request())
        return exchange


def judge(exchange: Exchange) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(exchange.problem))
    answer = answer_json(exchange.body)
    if response.is_success and answer.get("uri"):
        return Verdict(True, f"{status_line(response)}: {answer['uri']}", response.status_code,
                       receipt={"uri": str(answer["uri"]), "cid": str(answer.get("cid", ""))})
    # XRPC errors: {"error": "InvalidRequest", "message": "…"}
    said = ": ".join(str(answer[key]) for key in ("error", "message") if answer.get(key))
    return Verdict(False, exchange.annotate(f"{status_line(response)}" + (f": {said}" if said else "")),
                   response.status_code)
