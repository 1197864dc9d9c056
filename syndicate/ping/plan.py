"""What `syndicate ping` sends: the manifest's feeds and posts, minus what each endpoint already
received."""

from __future__ import annotations

from datetime import datetime, timezone

from ..config import Settings
from ..delivery.built import Built, BuiltPost
from ..delivery.notification import Endpoint, Notification
from ..delivery.state import DeliveryState
from . import indexnow, weblogs, websub


def configured_endpoints(settings: Settings) -> tuple[Endpoint, ...]:
    """Every endpoint of [ping] (load_settings has checked them), each once."""
    ping = settings.ping
    endpoints = [Endpoint("websub", url) for url in ping.websub]
    endpoints += [Endpoint("xmlrpc", url) for url in ping.xmlrpc]
    if ping.indexnow:
        endpoints.append(Endpoint("indexnow", ping.indexnow))
    return tuple(dict.fromkeys(endpoints))  # the same endpoint listed twice is pinged once


def plan(built: Built, endpoints: tuple[Endpoint, ...], state: DeliveryState,
         settings: Settings) -> tuple[list[Notification], dict[Endpoint, set[str] | None]]:
    """Every notification of this run, in a stable order: endpoints as configured, then URLs; and
    per endpoint the state worth keeping: what is still built, and removals not yet announced."""
    result: list[Notification] = []
    live: dict[Endpoint, set[str] | None] = {}
    current = {url for url, _ in built.items}
    for endpoint in endpoints:
        live[endpoint] = current
        if endpoint.kind == "websub":
            # RFC 5005 §4: archive documents are fixed pages, not topics anybody subscribes to.
            topics = [(f.url, f.sha256) for f in built.feeds if not f.archive]
            result += websub.notifications(endpoint, state.pending(endpoint, topics))
        elif endpoint.kind == "xmlrpc":
            pending = state.pending(endpoint, built.items)
            if pending:
                result.append(weblogs.notification(endpoint, built.title, built.base_url,
                                                   _changed_url(built, pending), built.main_feed,
                                                   tuple(pending)))
        else:
            items = built.items + built.redirects
            known = {url for url, _ in items}
            removed = [url for url in state.known(endpoint) if url not in known]
            live[endpoint] = None  # a removed URL is forgotten once its removal is delivered
            result += indexnow.notifications(endpoint, settings.ping.indexnow_key, built.base_url,
                                             state.pending(endpoint, items), removed)
    return result, live


def _changed_url(built: Built, pending: list[tuple[str, str]]) -> str:
    """The page extendedPing names as changed: the newest changed post, else the site itself."""
    changed = {url for url, _ in pending}
    posts = [post for post in built.posts if post.url in changed]
    return max(posts, key=_published).url if posts else built.base_url


def _published(post: BuiltPost) -> datetime:
    try:
        moment = datetime.fromisoformat(post.published)
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
