"""IndexNow (indexnow.org): the URLs of new and changed posts and feeds, as JSON, in batches."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from ..delivery.notification import Endpoint, Notification, Request, Verdict
from ..delivery.transport import Exchange, refused, status_line
from ..permalinks import file_url

BATCH = 10_000  # indexnow.org/documentation: "You can submit up to 10,000 URLs per post"
JSON = "application/json; charset=utf-8"

# indexnow.org/documentation, "Response format".
MEANINGS = {
    200: "URLs submitted",
    202: "URLs received; the engine is still validating the key",
    400: "bad request: the engine could not read the submission",
    403: "key not valid: {key_location} must be reachable and hold the key; deploy the output "
         "(`syndicate build` writes the key file) before pinging",
    422: "the URLs are not on {host}, or the key does not match the protocol's format",
    429: "too many requests: the engine suspects spam; ping less often",
}


def key_location(base_url: str, key: str) -> str:
    return file_url(base_url, f"{key}.txt")


@dataclass(frozen=True)
class Submission(Notification):
    key_location: str = ""                     # where the engine fetches the key


def notifications(endpoint: Endpoint, key: str, base_url: str, deliveries: list[tuple[str, str]],
                  removed: list[str] = ()) -> list[Notification]:
    """New and changed URLs, and URLs that are gone (deleted, or moved away from): indexnow.org
    asks for "URLs added, updated or deleted", and a removed URL is announced once."""
    location = key_location(base_url, key)
    items: list[tuple[str, str | None]] = [*deliveries, *((url, None) for url in removed)]
    batches = [items[start:start + BATCH] for start in range(0, len(items), BATCH)]
    result: list[Notification] = []
    for number, batch in enumerate(batches, start=1):
        body = {"host": urlsplit(base_url).hostname, "key": key, "keyLocation": location,
                "urlList": [url for url, _ in batch]}
        gone = [url for url, digest in batch if digest is None]
        sent = f"{len(batch)} URL{'s' if len(batch) != 1 else ''}"
        if gone:
            sent += f" ({len(gone)} removed)"
        if len(batches) > 1:
            sent += f" (request {number} of {len(batches)})"
        request = Request("POST", endpoint.url, JSON, json.dumps(body, ensure_ascii=False).encode())
        result.append(Submission(endpoint, sent, (request,),
                                 tuple((url, digest) for url, digest in batch if digest is not None),
                                 forgets=tuple(gone), key_location=location))
    return result


async def deliver(notification: Notification, send: Callable[[Request], Awaitable[Exchange]]) -> Verdict:
    return judge(notification, await send(notification.request))


def judge(notification: Submission, exchange: Exchange) -> Verdict:
    response = exchange.response
    if response is None:
        return Verdict(False, exchange.annotate(exchange.problem))
    status = response.status_code
    meaning = MEANINGS.get(status, "").format(key_location=notification.key_location,
                                              host=urlsplit(notification.key_location).hostname)
    if status in (200, 202):
        return Verdict(True, f"{status_line(response)}: {meaning}", status)
    if meaning:
        return Verdict(False, exchange.annotate(f"{status_line(response)}: {meaning}"), status)
    if response.is_success:
        return Verdict(False, f"{status_line(response)}: not an answer IndexNow defines (200 or 202); "
                       "is the endpoint URL right?", status)
    return refused(exchange, "IndexNow")
