"""WebSub publish: one form POST per changed feed to each hub.

W3C WebSub §7 leaves how a publisher informs its hub to the hub; what deployed hubs accept is the
PubSubHubbub 0.4 form: `hub.mode=publish` and the feed URL."""

from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import urlencode

from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.transport import Exchange, refused, status_line

FORM = "application/x-www-form-urlencoded"


def notifications(endpoint: Endpoint, feeds: list[tuple[str, str]]) -> list[Notification]:
    return [Notification(endpoint, url, (publish_request(endpoint.url, url),), ((url, digest),))
            for url, digest in feeds]


def publish_request(hub: str, feed_url: str) -> Request:
    # Deployed hubs disagree on the parameter: Google's hub and Superfeedr read hub.url,
    # others (e.g. Switchboard, WebSub.rocks) require hub.topic. Both, with the same value, suit all.
    form = [("hub.mode", "publish"), ("hub.url", feed_url), ("hub.topic", feed_url)]
    return Request("POST", hub, FORM, urlencode(form).encode("ascii"))


async def deliver(notification: Notification, send: Callable[[Request], Awaitable[Exchange]]) -> Verdict:
    return judge(await send(notification.request))


def judge(exchange: Exchange) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(exchange.problem))
    if response.is_success:  # Google's hub answers 204, Superfeedr 202 or 204
        return Verdict(True, status_line(response), response.status_code)
    return refused(exchange, "hub")
