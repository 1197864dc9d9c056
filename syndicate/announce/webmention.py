"""Webmention sending (W3C Recommendation, 12 January 2017): for each new or changed post, every
page it links to; for each link removed from a post (or a post removed), one more, so the
receiver can delete the mention (§3.1.4, "Sending Webmentions for updated posts")."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Awaitable, Callable
from urllib.parse import urlencode, urljoin, urlsplit

from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.state import DeliveryState
from ..delivery.transport import Exchange, body_excerpt, status_line
from .discovery import discover
from .guard import Guard
from .posts import AnnouncedPost

FORM = "application/x-www-form-urlencoded"
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
MAX_REDIRECTS = 5   # the Fetch standard follows 20; a link worth a mention does not need more than a few
ENDPOINT_PLACEHOLDER = "<the endpoint the target advertises>"

Send = Callable[[Request], Awaitable[Exchange]]


@dataclass(frozen=True)
class Mention(Notification):
    source: str = ""
    target: str = ""
    removed: bool = False      # the link (or the whole post) is gone: the receiver should drop the mention


def state_key(source: str, target: str) -> str:
    return f"{source} {target}"   # URLs hold no spaces


def endpoint_of(target: str) -> Endpoint:
    """One endpoint per target host: at most a few requests in flight to any one site."""
    parts = urlsplit(target)
    return Endpoint("webmention", f"{parts.scheme}://{parts.netloc}/")


def plan(posts: tuple[AnnouncedPost, ...], state: DeliveryState, guard: Guard, page_limit: int
         ) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
    """Mentions for links of new and changed posts, and for links that disappeared since they were
    mentioned; removals are kept in the state until delivered, then forgotten."""
    result: list[Notification] = []
    current: dict[str, str] = {}      # state key → the post's sha256
    for post in posts:
        for target in post.links:
            if not guard.target_refusal(target):
                current[state_key(post.url, target)] = post.sha256
    mentioned: dict[str, Endpoint] = {}   # what was mentioned before → its endpoint
    for key, items in state.delivered.items():
        kind, _, url = key.partition(" ")
        if kind == "webmention":
            mentioned.update(dict.fromkeys(items, Endpoint(kind, url)))
    for item, digest in current.items():
        source, target = item.split(" ", 1)
        endpoint = endpoint_of(target)
        if state.known(endpoint).get(item) != digest:
            result.append(_mention(endpoint, source, target, page_limit, deliveries=((item, digest),)))
    for item, endpoint in mentioned.items():
        if item not in current:
            source, target = item.split(" ", 1)
            result.append(_mention(endpoint, source, target, page_limit, forgets=(item,), removed=True))
    live: dict[Endpoint, set[str] | None] = {endpoint: None for endpoint in mentioned.values()}
    live.update({notification.endpoint: None for notification in result})
    return result, live


def _mention(endpoint: Endpoint, source: str, target: str, page_limit: int, removed: bool = False,
             deliveries: tuple[tuple[str, str], ...] = (), forgets: tuple[str, ...] = ()) -> Mention:
    sent = f"{source} → {target}" + (" (link removed)" if removed else "")
    requests = (fetch_request(target, page_limit),
                replace(send_request(ENDPOINT_PLACEHOLDER, source, target), note="then, to the endpoint found"))
    return Mention(endpoint, sent, requests, deliveries, forgets, source=source, target=target, removed=removed)


def fetch_request(url: str, limit: int, connect: str = "") -> Request:
    return Request("GET", url, headers=(("Accept", ACCEPT_HTML),), limit=limit, connect=connect)


def send_request(endpoint: str, source: str, target: str, connect: str = "") -> Request:
    """§3.1.3: x-www-form-urlencoded `source` and `target`, to the endpoint with its query string."""
    return Request("POST", endpoint, FORM, urlencode({"source": source, "target": target}).encode("ascii"),
                   connect=connect)


class Webmention:
    """Delivers mentions: discovery (bounded: size, time, redirects, content type, addresses),
    then the notification."""

    def __init__(self, guard: Guard, page_limit: int, timeout: float):
        self.guard, self.page_limit, self.timeout = guard, page_limit, timeout

    async def deliver(self, mention: Mention, send: Send) -> Verdict:
        found = await self.discover(mention.target, send)
        if isinstance(found, Verdict):
            return found
        address, refusal = await self.guard.address(found, self.timeout)
        if refusal:
            return Verdict(True, f"skipped: the endpoint {found} is refused: {refusal}")
        exchange = await send(send_request(found, mention.source, mention.target, connect=address))
        return judge(mention, found, exchange)

    async def discover(self, target: str, send: Send) -> str | Verdict:
        """The target's endpoint, or the verdict when there is none to send to."""
        url = target
        for _ in range(MAX_REDIRECTS + 1):
            address, refusal = await self.guard.address(url, self.timeout)
            if refusal:
                return Verdict(True, f"skipped: {refusal}")
            exchange = await send(fetch_request(url, self.page_limit, address))
            response = exchange.response
            if response is None:
                return Verdict(False, exchange.annotate(f"fetching the target: {exchange.problem}"))
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if not response.is_success:
                if response.status_code == 429 or response.status_code >= 500:
                    return Verdict(False, exchange.annotate(f"fetching the target: {status_line(response)}"),
                                   response.status_code)
                return Verdict(True, f"skipped: the target answers {status_line(response)}; no endpoint")
            endpoint = discover(url, response.headers.get_list("Link"), response.headers.get("Content-Type", ""),
                                exchange.body)
            if endpoint is None:
                return Verdict(True, "no Webmention endpoint: nothing to send"
                               + (f" (read the first {self.page_limit:,} bytes)" if exchange.truncated else ""))
            return endpoint
        return Verdict(True, f"skipped: more than {MAX_REDIRECTS} redirects from {target}")


def judge(mention: Mention, endpoint: str, exchange: Exchange) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(f"{endpoint}: {exchange.problem}"))
    status = response.status_code
    words = body_excerpt(exchange.body)
    if response.is_success:  # §3.1.3: any 2xx is success; 201 and 202 may say where to watch it
        location = response.headers.get("Location", "")
        receipt = {"endpoint": endpoint, **({"location": urljoin(endpoint, location)} if location else {})}
        return Verdict(True, f"{status_line(response)} from {endpoint}" + (f": {location}" if location else ""),
                       status, receipt=receipt)
    if mention.removed and 400 <= status < 500 and status != 429:
        # The receiver checked the source, found no link, and has nothing to keep: the purpose is met.
        return Verdict(True, f"{status_line(response)}: the receiver keeps no mention" + (f" ({words})" if words else ""),
                       status)
    if response.is_redirect:
        return Verdict(False, f"the endpoint {endpoint} redirects ({status_line(response)}) to "
                       f"{response.headers.get('Location', '?')}; the POST is not followed", status)
    return Verdict(False, exchange.annotate(f"receiver refused: {status_line(response)}"
                                            + (f": {words}" if words else "")), status)
