"""Mastodon: one status per new post (POST /api/v1/statuses), within the instance's character
limit (GET /api/v2/instance), never twice: an Idempotency-Key makes a retry within the hour
return the status already made, and before posting, the account's latest statuses are searched
for the post's URL, so a run killed after posting and before saving its state finds its status
later instead of posting a second one. An edited post edits its status (PUT
/api/v1/statuses/:id) when `edit = true`. The link preview is the page's own og:image, the share
card, which Mastodon fetches itself."""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
from typing import Any, Awaitable, Callable

from ..config import MastodonSettings
from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.state import DeliveryState
from ..delivery.transport import Exchange, refused, status_line
from .posts import Announced, AnnouncedPost
from .social import API_ANSWER_LIMIT, Status, answer_json, digest, json_body, language_code, masked, new_posts
from .text import compose, mastodon_length

JSON = "application/json; charset=utf-8"
DEFAULT_LIMIT, DEFAULT_PER_URL = 500, 23   # Mastodon's defaults, until the instance says otherwise
RECENT = 40                  # the account's latest statuses searched for a post's URL (the API's maximum page)
RECENT_ANSWER_LIMIT = 2 * 1024 * 1024      # 40 statuses with their accounts and cards: a few hundred KB

Send = Callable[[Request], Awaitable[Exchange]]


def endpoint_of(settings: MastodonSettings) -> Endpoint:
    return Endpoint("mastodon", settings.instance.rstrip("/") + "/")


def idempotency_key(endpoint: Endpoint, post_url: str) -> str:
    """The same for every attempt and every run for one post: Mastodon answers a repeated key
    (within an hour) with the status it already made, instead of a second one."""
    return hashlib.sha256(f"syndicate {endpoint.url} {post_url}".encode("utf-8")).hexdigest()[:32]


def full_text(settings: MastodonSettings, post: AnnouncedPost, site: str) -> str:
    return compose(settings.template, post, site, 10**9).text


def plan(announced: Announced, settings: MastodonSettings, state: DeliveryState, backfill: int,
         token: str | None) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
    endpoint = endpoint_of(settings)
    texts = {post.url: full_text(settings, post, announced.title) for post in announced.posts}
    digests = {url: digest(text) for url, text in texts.items()}
    fresh, first = new_posts(endpoint, announced.posts, state, backfill, digests)
    result: list[Notification] = [first] if first else []
    mastodon = Mastodon(settings, token, announced.title, masked_token=True)
    for post in fresh:
        text = compose(settings.template, post, announced.title, DEFAULT_LIMIT, mastodon_length).text
        requests = (mastodon.instance_request(), mastodon.account_request(), mastodon.recent_request("<account id>"),
                    mastodon.post_request(endpoint, post, text))
        result.append(Status(endpoint, post.url, requests, ((post.url, digests[post.url]),), post=post))
    if settings.edit:
        for post in announced.posts:
            known, status_id = state.known(endpoint).get(post.url), state.receipt(endpoint, post.url).get("id")
            if known and status_id and known != digests[post.url]:
                text = compose(settings.template, post, announced.title, DEFAULT_LIMIT, mastodon_length).text
                result.append(Status(endpoint, f"{post.url} (edited)",
                                     (mastodon.instance_request(), mastodon.edit_request(status_id, post, text)),
                                     ((post.url, digests[post.url]),), post=post, edit_of=status_id))
    return result, {endpoint: {post.url for post in announced.posts}}


class Mastodon:
    def __init__(self, settings: MastodonSettings, token: str | None, site: str, masked_token: bool = False):
        self.settings = settings
        self.token = masked(settings.token_env, token) if masked_token else token or ""
        self.site = site
        self.limits: tuple[int, int] | None = None
        self._asking = asyncio.Lock()
        self._recent: list[dict[str, Any]] | None = None
        self._looking = asyncio.Lock()

    def url(self, path: str) -> str:
        return self.settings.instance.rstrip("/") + path

    def instance_request(self) -> Request:
        return Request("GET", self.url("/api/v2/instance"), limit=API_ANSWER_LIMIT,
                       note="the character limit (once per run)")

    def account_request(self) -> Request:
        return Request("GET", self.url("/api/v1/accounts/verify_credentials"), headers=(self._auth(),),
                       limit=API_ANSWER_LIMIT, note="whose statuses to search (once per run)")

    def recent_request(self, account_id: str) -> Request:
        return Request("GET", self.url(f"/api/v1/accounts/{account_id}/statuses?limit={RECENT}&exclude_reblogs=true"),
                       headers=(self._auth(),), limit=RECENT_ANSWER_LIMIT,
                       note="a status that already links the post (once per run)")

    def _auth(self) -> tuple[str, str]:
        return ("Authorization", f"Bearer {self.token}")

    def post_request(self, endpoint: Endpoint, post: AnnouncedPost, text: str) -> Request:
        body = {"status": text, "visibility": self.settings.visibility, "language": language_code(post.language)}
        return Request("POST", self.url("/api/v1/statuses"), JSON, json_body(body),
                       (self._auth(), ("Idempotency-Key", idempotency_key(endpoint, post.url))),
                       limit=API_ANSWER_LIMIT)

    def edit_request(self, status_id: str, post: AnnouncedPost, text: str) -> Request:
        body = {"status": text, "language": language_code(post.language)}
        return Request("PUT", self.url(f"/api/v1/statuses/{status_id}"), JSON, json_body(body), (self._auth(),),
                       limit=API_ANSWER_LIMIT)

    async def instance_limits(self, send: Send) -> tuple[int, int]:
        """`configuration.statuses.max_characters` and `characters_reserved_per_url` (Mastodon 4.0+)."""
        async with self._asking:
            if self.limits is None:
                exchange = await send(self.instance_request())
                statuses = answer_json(exchange.body).get("configuration", {}).get("statuses", {}) \
                    if exchange.response is not None and exchange.response.is_success else {}
                limit, per_url = statuses.get("max_characters"), statuses.get("characters_reserved_per_url")
                self.limits = (limit if isinstance(limit, int) and limit > 0 else DEFAULT_LIMIT,
                               per_url if isinstance(per_url, int) and per_url > 0 else DEFAULT_PER_URL)
            return self.limits

    async def recent_statuses(self, send: Send) -> list[dict[str, Any]] | Verdict:
        """The account's latest statuses, or the verdict that they could not be read (then nothing
        is posted: the run after this one tries again, rather than risk a second status)."""
        async with self._looking:
            if self._recent is None:
                exchange = await send(self.account_request())
                account_id = answer_json(exchange.body).get("id") if exchange.response is not None else None
                if exchange.response is None or not exchange.response.is_success or not isinstance(account_id, str):
                    return _unchecked(judge(exchange, self.settings))
                exchange = await send(self.recent_request(account_id))
                statuses = _json_list(exchange.body) if exchange.response is not None else None
                if exchange.response is None or not exchange.response.is_success or statuses is None:
                    return _unchecked(judge(exchange, self.settings))
                self._recent = statuses
            return self._recent

    async def deliver(self, status: Status, send: Send) -> Verdict:
        assert status.post is not None
        if not status.edit_of:
            recent = await self.recent_statuses(send)
            if isinstance(recent, Verdict):
                return recent
            earlier = next((s for s in recent if _links(s, status.post.url)), None)
            if earlier is not None:
                url = str(earlier.get("url") or earlier.get("uri") or "")
                return Verdict(True, f"already posted, not again: {url}", 200,
                               receipt={"id": str(earlier["id"]), "url": url})
        limit, per_url = await self.instance_limits(send)
        text = compose(self.settings.template, status.post, self.site, limit,
                       lambda t: mastodon_length(t, per_url)).text
        if status.edit_of:
            request = self.edit_request(status.edit_of, status.post, text)
        else:
            request = self.post_request(status.endpoint, status.post, text)
        return judge(await send(request), self.settings)


def _links(status: dict[str, Any], url: str) -> bool:
    """Whether a status (its HTML `content`) holds the post's URL."""
    return isinstance(status.get("id"), str) and url in html.unescape(str(status.get("content", "")))


def _json_list(body: bytes) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else None


def _unchecked(verdict: Verdict) -> Verdict:
    message = verdict.message if not verdict.ok else "the answer was no list of statuses"
    return Verdict(False, f"could not check the account for an earlier status ({message}); nothing posted, "
                          f"tried again next run", verdict.status)


def judge(exchange: Exchange, settings: MastodonSettings) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(exchange.problem))
    answer = answer_json(exchange.body)
    if response.is_success and isinstance(answer.get("id"), str):
        url = answer.get("url") or answer.get("uri") or ""
        return Verdict(True, f"{status_line(response)}: {url}", response.status_code,
                       receipt={"id": answer["id"], "url": str(url)})
    error = str(answer.get("error", "")).strip()
    if response.status_code == 401:
        return Verdict(False, f"{status_line(response)}: the access token in ${settings.token_env} was refused"
                       f"{': ' + error if error else ''}; create one with the write:statuses scope", 401)
    if response.status_code in (403, 422) and error:
        return Verdict(False, exchange.annotate(f"{status_line(response)}: {error}"), response.status_code)
    if response.is_success:
        return Verdict(False, f"{status_line(response)}: not a status in the answer; is the instance URL right?",
                       response.status_code)
    return refused(exchange, "instance")
