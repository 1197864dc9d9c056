"""Small, strict services on 127.0.0.1 for `syndicate announce`, written from the published
references: a Webmention receiver (W3C Recommendation §3.2), Mastodon's instance and statuses
endpoints (docs.joinmastodon.org/methods/instance, /methods/statuses), and the Bluesky XRPC calls
used (atproto lexicons com.atproto.server.createSession/refreshSession, com.atproto.repo.getRecord/
uploadBlob/createRecord, app.bsky.feed.post, app.bsky.embed.external). Each rejects what the real
service rejects that matters here: wrong auth, missing fields, too-long text, oversize blobs."""

from __future__ import annotations

import hashlib
import html
import json
import re
import secrets
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import regex
from loopback import Answer, Server, json_answer


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


class Pages(Server):
    """Web pages by path: (status, headers, HTML); a page may be a redirect or gone."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, Answer] = {}

    def page(self, path: str, html: str = "", status: int = 200, **headers: str) -> str:
        self.pages[path] = Answer(status, html.encode(), {"Content-Type": "text/html; charset=utf-8", **headers})
        return urljoin(self.url, path)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if method != "GET":
            return Answer(405)
        return self.pages.get(path, Answer(404, b"not found"))


class WebmentionReceiver(Pages):
    """Target pages and a receiver (§3.2): `source` and `target` must be URLs, differ, and the
    target must be one of its pages; it fetches the source (verification, §3.2.2) and keeps the
    mention only if the source links to the target, deleting it when the link or the source is gone."""

    def __init__(self) -> None:
        super().__init__()
        self.mentions: dict[tuple[str, str], int] = {}
        self.counter = 0

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if method == "GET":
            return super().handle(method, path, headers, body)
        if not path.startswith("/webmention"):
            return Answer(405)
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return Answer(400, b"expected a form")
        form = parse_qs(body.decode("ascii"))
        source, target = form.get("source", [""])[0], form.get("target", [""])[0]
        if not all(urlsplit(u).scheme in ("http", "https") for u in (source, target)) or source == target:
            return Answer(400, b"source and target must be different http(s) URLs")
        if urlsplit(target).path not in self.pages or not target.startswith(self.url):
            return Answer(400, b"target is not a page of this site")
        fetched = httpx.get(source, follow_redirects=True, timeout=5)
        links = re.findall(r'href="([^"]+)"', fetched.text) if fetched.status_code == 200 else []
        key = (source, target)
        if target in links:
            with self.lock:
                self.counter += 1
                self.mentions[key] = self.counter
            return Answer(201, b"", {"Location": f"/mentions/{self.counter}"})
        if key in self.mentions:
            del self.mentions[key]
            return Answer(200, b"mention deleted")
        return Answer(400, b"source does not link to target")


class Mastodon(Server):
    """GET /api/v2/instance; POST /api/v1/statuses; PUT /api/v1/statuses/:id; the account's own
    statuses (GET /api/v1/accounts/verify_credentials, GET /api/v1/accounts/:id/statuses, newest
    first, with their HTML `content`). `keys` is what the instance remembers of Idempotency-Keys:
    a real one forgets them after about an hour (clear it to get there)."""

    VISIBILITIES = ("public", "unlisted", "private", "direct")

    def __init__(self, token: str, max_characters: int = 500, per_url: int = 23):
        super().__init__()
        self.token, self.max_characters, self.per_url = token, max_characters, per_url
        self.statuses: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, str] = {}            # Idempotency-Key → status id
        self.lose_next_answer = False             # create the status, then drop the connection

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if method == "GET" and path == "/api/v2/instance":
            return json_answer(200, {"domain": "127.0.0.1", "title": "Test", "version": "4.3.0",
                                     "configuration": {"statuses": {"max_characters": self.max_characters,
                                                                    "max_media_attachments": 4,
                                                                    "characters_reserved_per_url": self.per_url}}})
        if headers.get("authorization") != f"Bearer {self.token}":
            return json_answer(401, {"error": "The access token is invalid"})
        data = json.loads(body or b"{}") if headers.get("content-type", "").startswith("application/json") else {
            k: v[0] for k, v in parse_qs(body.decode()).items()}
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return json_answer(200, {"id": "7", "username": "blog", "acct": "blog"})
        listing = re.fullmatch(r"/api/v1/accounts/(\w+)/statuses(?:\?(.*))?", path)
        if method == "GET" and listing:
            if listing.group(1) != "7":
                return json_answer(404, {"error": "Record not found"})
            limit = min(int(parse_qs(listing.group(2) or "").get("limit", ["20"])[0]), 40)
            with self.lock:
                newest = sorted(self.statuses.values(), key=lambda s: int(s["id"]), reverse=True)[:limit]
            return json_answer(200, [{**s, "content": html_content(s["text"])} for s in newest])
        if method == "POST" and path == "/api/v1/statuses":
            key = headers.get("idempotency-key")
            if not key:  # the real service accepts this; ours insists, so a retry can never double-post
                return json_answer(422, {"error": "Idempotency-Key header required"})
            with self.lock:
                if key in self.keys:
                    return json_answer(200, self.statuses[self.keys[key]])
                problem = self._invalid(data)
                if problem:
                    return json_answer(422, {"error": problem})
                status_id = str(len(self.statuses) + 1)
                status = {"id": status_id, "url": f"{self.url}@blog/{status_id}", "text": data["status"],
                          "visibility": data.get("visibility", "public"), "language": data.get("language"),
                          "edited_at": None}
                self.statuses[status_id] = status
                self.keys[key] = status_id
                if self.lose_next_answer:
                    self.lose_next_answer = False
                    return Answer(200, drop=True)
            return json_answer(200, status)
        match = re.fullmatch(r"/api/v1/statuses/(\w+)", path)
        if method == "PUT" and match:
            if match.group(1) not in self.statuses:
                return json_answer(404, {"error": "Record not found"})
            problem = self._invalid(data)
            if problem:
                return json_answer(422, {"error": problem})
            status = self.statuses[match.group(1)]
            status.update(text=data["status"], edited_at=datetime.now().isoformat())
            return json_answer(200, status)
        return json_answer(404, {"error": "Record not found"})

    def _invalid(self, data: dict[str, Any]) -> str:
        text = data.get("status") or ""
        if not text.strip():
            return "Validation failed: Text can't be blank"
        if graphemes(re.sub(r"https?://\S+", "x" * self.per_url, text)) > self.max_characters:
            return f"Validation failed: Text character limit of {self.max_characters} exceeded"
        if data.get("visibility", "public") not in self.VISIBILITIES:
            return "Validation failed: Visibility is not included in the list"
        return ""


def html_content(text: str) -> str:
    """A status's text as Mastodon renders it: paragraphs, links as anchors, entities escaped."""
    def anchor(match: re.Match[str]) -> str:
        url = match.group(0)  # escaped with the text around it
        return f'<a href="{url}" rel="nofollow noopener" target="_blank">{url}</a>'
    paragraphs = (re.sub(r"https?://[^\s<]+", anchor, html.escape(part, quote=False)) for part in text.split("\n\n"))
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


class Bluesky(Server):
    """A PDS's XRPC calls used by syndicate, with rate-limit headers on every answer."""

    UPLOAD_LIMIT = 5_000_000        # the PDS's blob upload limit; the lexicon's thumb limit is checked at createRecord

    def __init__(self, handle: str, password: str, access_uses: int = 10**6):
        super().__init__()
        self.account, self.password, self.did = handle, password, "did:plc:testaccount0000000000"
        self.access_uses = access_uses       # an access token expires after this many uses
        self.tokens: dict[str, int] = {}     # access token → uses left
        self.refresh_tokens: set[str] = set()
        self.blobs: dict[str, tuple[str, int]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.sessions_created = 0
        self.throttle_next_create = False    # answer one createRecord with 429 and a reset a second away
        self.lose_next_create = False        # create the record, then drop the connection

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        answer = self._handle(method, urlsplit(path), headers, body)
        answer.headers.setdefault("RateLimit-Limit", "3000")
        answer.headers.setdefault("RateLimit-Remaining", "2999")
        answer.headers.setdefault("RateLimit-Reset", str(int(time.time()) + 300))
        answer.headers.setdefault("RateLimit-Policy", "3000;w=300")
        return answer

    def _error(self, status: int, error: str, message: str, **headers: str) -> Answer:
        return json_answer(status, {"error": error, "message": message}, **headers)

    def _authorized(self, headers: dict[str, str]) -> Answer | None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            if token not in self.tokens:
                return self._error(401, "AuthenticationRequired", "Invalid token")
            if self.tokens[token] <= 0:
                return self._error(400, "ExpiredToken", "Token has expired")
            self.tokens[token] -= 1
        return None

    def _new_session(self) -> dict[str, str]:
        access, refresh = secrets.token_hex(8), secrets.token_hex(8)
        self.tokens[access] = self.access_uses
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.account, "did": self.did}

    def _handle(self, method: str, url: Any, headers: dict[str, str], body: bytes) -> Answer:
        name = url.path.removeprefix("/xrpc/")
        if name == "com.atproto.server.createSession" and method == "POST":
            data = json.loads(body or b"{}")
            if data.get("identifier") not in (self.account, self.did) or data.get("password") != self.password:
                return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
            self.sessions_created += 1
            return json_answer(200, self._new_session())
        if name == "com.atproto.server.refreshSession" and method == "POST":
            token = headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.refresh_tokens:
                return self._error(400, "ExpiredToken", "Token has expired")
            self.refresh_tokens.discard(token)
            return json_answer(200, self._new_session())
        if name == "com.atproto.repo.getRecord" and method == "GET":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            record = self.records.get(query.get("rkey", "")) if query.get("repo") in (self.did, self.account) else None
            if record is None:
                return self._error(400, "RecordNotFound", "Could not locate record")
            return json_answer(200, record)
        refused = self._authorized(headers)
        if refused:
            return refused
        if name == "com.atproto.repo.uploadBlob" and method == "POST":
            if not headers.get("content-type"):
                return self._error(400, "InvalidRequest", "missing content-type")
            if len(body) > self.UPLOAD_LIMIT:
                return self._error(413, "PayloadTooLarge", "request entity too large")
            cid = "bafkrei" + hashlib.sha256(body).hexdigest()[:52]
            self.blobs[cid] = (headers["content-type"], len(body))
            return json_answer(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                              "mimeType": headers["content-type"], "size": len(body)}})
        if name == "com.atproto.repo.createRecord" and method == "POST":
            return self._create(json.loads(body or b"{}"))
        return self._error(400, "MethodNotImplemented", f"{name} is not implemented")

    def _create(self, data: dict[str, Any]) -> Answer:
        if self.throttle_next_create:
            self.throttle_next_create = False
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded",
                               **{"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(time.time()) + 1)})
        if data.get("repo") not in (self.did, self.account) or data.get("collection") != "app.bsky.feed.post":
            return self._error(400, "InvalidRequest", "repo or collection not valid")
        rkey = data.get("rkey", "")
        if not TID.fullmatch(rkey):
            return self._error(400, "InvalidRequest", "rkey must be a TID")
        if rkey in self.records:
            return self._error(400, "InvalidRequest", "Record already exists")
        problem = self._invalid_post(data.get("record") or {})
        if problem:
            return self._error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(json.dumps(data["record"]).encode()).hexdigest()[:52]
        self.records[rkey] = {"uri": uri, "cid": cid, "value": data["record"]}
        if self.lose_next_create:
            self.lose_next_create = False
            return Answer(200, drop=True)
        return json_answer(200, {"uri": uri, "cid": cid})

    def _invalid_post(self, record: dict[str, Any]) -> str:
        text = record.get("text")
        if record.get("$type") != "app.bsky.feed.post" or not isinstance(text, str):
            return "Record must have the property \"text\""
        if graphemes(text) > 300 or len(text.encode()) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        try:
            datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))
        except (KeyError, ValueError, AttributeError):
            return "Record/createdAt must be a valid datetime"
        size = len(text.encode())
        for facet in record.get("facets", []):
            index = facet.get("index", {})
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
                return "Record/facets/index out of range"
        embed = record.get("embed")
        if embed is not None:
            external = embed.get("external", {})
            if embed.get("$type") != "app.bsky.embed.external" or not all(
                    isinstance(external.get(k), str) for k in ("uri", "title", "description")):
                return "Record/embed/external must have uri, title and description"
            thumb = external.get("thumb")
            if thumb is not None:
                link = thumb.get("ref", {}).get("$link")
                if link not in self.blobs:
                    return "Record/embed/external/thumb: blob not found"
                mime, size = self.blobs[link]
                if not mime.startswith("image/"):
                    return "Record/embed/external/thumb mimeType must be image/*"
                if size > 1_000_000:
                    return "Record/embed/external/thumb file too large (max 1000000 bytes)"
        return ""


def slice_bytes(text: str, facet: dict[str, Any]) -> str:
    index = facet["index"]
    return text.encode()[index["byteStart"]:index["byteEnd"]].decode()

