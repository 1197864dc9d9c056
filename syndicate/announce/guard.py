"""Which hosts Webmention may reach: the site's allow/deny list for targets, and no loopback,
private or otherwise non-public address (a link, or an endpoint a page advertises, must not turn
the deploy machine into a door to its own network) unless the host is allowed by name."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import AnnounceSettings


def host_matches(host: str, patterns: list[str]) -> bool:
    """`example.org` matches that host and its subdomains; `*.example.org` only the subdomains."""
    host = host.lower().rstrip(".")
    for pattern in (p.lower().strip().rstrip(".") for p in patterns):
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern or host.endswith("." + pattern):
            return True
    return False


@dataclass(frozen=True)
class Guard:
    hosts_allow: tuple[str, ...] = ()
    hosts_deny: tuple[str, ...] = ()
    allow_private: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: AnnounceSettings) -> Guard:
        return cls(tuple(settings.hosts_allow), tuple(settings.hosts_deny), tuple(settings.allow_private))

    def target_refusal(self, url: str) -> str:
        """Why a link is no Webmention target ("" when it is one): [announce] hosts_deny / hosts_allow."""
        host = urlsplit(url).hostname or ""
        if host_matches(host, list(self.hosts_deny)):
            return f"{host} is in [announce] hosts_deny"
        if self.hosts_allow and not host_matches(host, list(self.hosts_allow)):
            return f"{host} is not in [announce] hosts_allow"
        return ""

    async def address(self, url: str, timeout: float) -> tuple[str, str]:
        """(the address to connect to, "") or ("", why not): only http(s), only public addresses
        unless the host is in [announce] allow_private."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "", f"not an http(s) URL: {url[:200]}"
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "", f"not a valid port in {url[:200]}"
        try:
            async with asyncio.timeout(timeout):
                found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError) as exc:
            return "", f"host not found: {host} ({exc.__class__.__name__})"
        addresses = [info[4][0] for info in found]
        if host_matches(host, list(self.allow_private)):
            return addresses[0], ""
        for address in addresses:
            refusal = non_public(address)
            if refusal:
                return "", (f"{host} is {refusal} ({address}); refused, as it could reach the deploy "
                            "machine's own network (allow it by name in [announce] allow_private)")
        return addresses[0], ""


def non_public(address: str) -> str:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for test, name in ((ip.is_loopback, "a loopback address"), (ip.is_private, "a private-network address"),
                       (ip.is_link_local, "a link-local address"), (ip.is_multicast, "a multicast address"),
                       (ip.is_unspecified, "an unspecified address"), (ip.is_reserved, "a reserved address"),
                       (not ip.is_global, "not a public address")):
        if test:
            return name
    return ""
