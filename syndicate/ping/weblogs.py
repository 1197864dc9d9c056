"""XML-RPC update services (weblogs.com's weblogUpdates interface, e.g. Ping-o-Matic): one call
per run that says the site changed."""

from __future__ import annotations

import xmlrpc.client
from dataclasses import replace
from typing import Awaitable, Callable
from xml.parsers.expat import ExpatError

from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.transport import Exchange, body_excerpt, refused

XML = "text/xml"


def notification(endpoint: Endpoint, site_name: str, site_url: str, changed_url: str, feed_url: str | None,
                 deliveries: tuple[tuple[str, str], ...]) -> Notification:
    ping = call(endpoint.url, "weblogUpdates.ping", site_name, site_url)
    if feed_url is None:  # extendedPing needs a feed; without one the plain ping is all there is
        return Notification(endpoint, f"ping({site_url})", (ping,), deliveries)
    extended = call(endpoint.url, "weblogUpdates.extendedPing", site_name, site_url, changed_url, feed_url)
    fallback = replace(ping, note="if the service answers extendedPing with a fault")
    return Notification(endpoint, f"extendedPing({changed_url}, {feed_url})", (extended, fallback), deliveries)


def call(url: str, method: str, *params: str) -> Request:
    return Request("POST", url, XML, xmlrpc.client.dumps(params, method, encoding="utf-8").encode("utf-8"))


async def deliver(notification: Notification, send: Callable[[Request], Awaitable[Exchange]]) -> Verdict:
    verdict = judge(await send(notification.request))
    if not verdict.fault or len(notification.requests) < 2:
        return verdict
    # Services that predate extendedPing answer it with a fault ("method not found"); they know ping.
    second = judge(await send(notification.requests[1]))
    return Verdict(second.ok, f"extendedPing: {verdict.message}; ping: {second.message}", second.status)


def judge(exchange: Exchange) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(exchange.problem))
    if not response.is_success:
        return refused(exchange, "service")
    status = response.status_code
    if exchange.truncated:  # a weblogUpdates answer is a struct of two members, a few hundred bytes
        return Verdict(False, f"not an XML-RPC ping answer: it goes on past {len(exchange.body) // 1024} KB "
                       f"(not read further): {body_excerpt(exchange.body)}", status)
    try:
        (answer,), _ = xmlrpc.client.loads(exchange.body)
    except xmlrpc.client.Fault as fault:
        return Verdict(False, f"fault {fault.faultCode}: {fault.faultString}", status, fault=True)
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as exc:
        return Verdict(False, f"not an XML-RPC answer ({exc}): {body_excerpt(exchange.body)}", status)
    # weblogs.com's interface: {flerror: boolean, message: string}; only flerror false is success.
    if not isinstance(answer, dict) or "flerror" not in answer:
        return Verdict(False, f"the answer has no flerror: {str(answer)[:160]}", status)
    message = str(answer.get("message", "")).strip() or "(no message)"
    if answer["flerror"]:
        return Verdict(False, f"flerror: {message}", status)
    return Verdict(True, message, status)
