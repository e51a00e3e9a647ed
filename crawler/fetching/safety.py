"""Request guard: only http(s), and no private, loopback, link-local or cloud-metadata targets the user did not name."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from crawler.settings import with_defaults

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean instance metadata
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud metadata
        "192.0.0.192",  # Oracle Cloud metadata
        "fd00:ec2::254",  # AWS metadata over IPv6
    )
)
DNS_CACHE_SIZE = 4096  # hosts whose resolved addresses are remembered
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Resolver = Callable[[str, int], list[str]]


class RefusedRequest(IgnoreRequest):
    """A request the safety guard refused; the message names the URL and the reason."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (blocking: run it in a thread)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]  # an IPv4 or IPv6 address string


def is_guarded(address: str) -> bool:
    """True for an address a crawl must not reach unasked: anything not globally routable, and metadata services."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip in METADATA_ADDRESSES or not ip.is_global


def _literal(host: str) -> str | None:
    """The host as an IP address string when it is one, else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def hosts_of(urls: Iterable[str]) -> frozenset[str]:
    """Lower-cased host names of URLs (the sites the user named)."""
    return frozenset(h for h in ((urlsplit(u.strip()).hostname or "") for u in urls if u) if h)


def named_hosts(crawler) -> frozenset[str]:
    """Hosts of the running spider's start URLs (`start_urls`, or `urls` of the urls spider)."""
    spider = getattr(crawler, "spider", None)
    urls = list(getattr(spider, "start_urls", None) or []) + list(getattr(spider, "urls", None) or [])
    return hosts_of(urls)


class SafetyMiddleware:
    """Downloader middleware: refuse non-http(s) URLs and unnamed private targets, after DNS and every redirect.

    Hosts of the spider's start URLs are named by the user and may be private (the demo, a local site),
    unless CLEANWIRE_DENY_PRIVATE is set. Refusals raise RefusedRequest and count
    `cleanwire/refused/scheme` or `cleanwire/refused/private`.
    """

    def __init__(
        self, stats, deny_private: bool = False, resolver: Resolver = resolve, named: frozenset[str] | None = None
    ) -> None:
        self.stats = stats
        self.deny_private = deny_private
        self.resolver = resolver
        self.named = named
        self.crawler = None
        self.cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        if not settings.getbool("CLEANWIRE_SAFETY"):
            raise NotConfigured("CLEANWIRE_SAFETY is off")
        guard = cls(crawler.stats, settings.getbool("CLEANWIRE_DENY_PRIVATE"))
        guard.crawler = crawler
        return guard

    def named_hosts(self) -> frozenset[str]:
        """Hosts the user named: the spider's start URLs."""
        if self.named is None:
            self.named = named_hosts(self.crawler)
        return self.named

    async def process_request(self, request, spider=None) -> None:
        parsed = urlparse_cached(request)
        if parsed.scheme not in ALLOWED_SCHEMES:
            self.refuse(request, "scheme", f"the {parsed.scheme or 'missing'} scheme is not fetched")
        host = (parsed.hostname or "").lower()
        if not host:
            self.refuse(request, "scheme", "no host")
        if host in self.named_hosts() and not self.deny_private:
            return None
        addresses = await self.addresses(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        guarded = [a for a in addresses if is_guarded(a)]
        if guarded:
            why = "named, but private targets are denied" if host in self.named_hosts() else "not named by the user"
            self.refuse(request, "private", f"{host} is a private or internal address ({guarded[0]}; {why})")
        return None

    def process_response(self, request, response, spider=None):
        """A redirect Scrapy would not follow (file:, ftp:, data:) is refused and counted, not passed on as a 3xx."""
        location = response.headers.get("Location")
        if response.status in REDIRECT_STATUSES and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ALLOWED_SCHEMES:
                self.refuse(request, "scheme", f"redirect to a {scheme or 'relative'}: URL ({target[:80]})")
        return response

    async def addresses(self, host: str, port: int) -> tuple[str, ...]:
        """The host's addresses: the literal itself, or a cached threaded DNS lookup (empty when it fails)."""
        literal = _literal(host)
        if literal:
            return (literal,)
        if host in self.cache:
            self.cache.move_to_end(host)
            return self.cache[host]
        try:
            found = tuple(await self._in_thread(host, port))
        except (OSError, UnicodeError):
            return ()  # the download fails on its own with a DNS error
        self.cache[host] = found
        if len(self.cache) > DNS_CACHE_SIZE:
            self.cache.popitem(last=False)
        return found

    async def _in_thread(self, host: str, port: int) -> list[str]:
        """Run the blocking resolver off the reactor: asyncio's executor, or Twisted's thread pool."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return await deferToThread(self.resolver, host, port)
        return await asyncio.to_thread(self.resolver, host, port)

    def refuse(self, request, kind: str, reason: str) -> None:
        self.stats.inc_value(f"cleanwire/refused/{kind}")
        logger.warning("refused %s: %s", request.url[:200], reason)
        raise RefusedRequest(f"refused {request.url[:200]}: {reason}")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver (DNS_RESOLVER) refusing guarded addresses for hosts the user did not name.

    The middleware checks a request before it is queued; this checks the address the download actually
    connects to, so a name that answers a public address first and a private one later (DNS rebinding)
    is still refused. IP literals never reach a resolver: the middleware alone covers them.
    """

    crawler = None
    enabled = True
    deny_private = False

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        settings = with_defaults(crawler.settings)
        resolver.enabled = settings.getbool("CLEANWIRE_SAFETY")
        resolver.deny_private = settings.getbool("CLEANWIRE_DENY_PRIVATE")
        return resolver

    def getHostByName(self, name: str, timeout=()):  # Twisted's interface
        return super().getHostByName(name, timeout).addCallback(self.check, name)

    def check(self, address: str, name: str) -> str:
        """The address, or DNSLookupError when it is guarded and the name was not named (or all are denied)."""
        if not (self.enabled and is_guarded(address)):
            return address
        crawlers = list(getattr(self.crawler, "crawlers", None) or [self.crawler])  # Scrapy passes its CrawlerProcess
        named = frozenset().union(*(named_hosts(c) for c in crawlers))
        if not self.deny_private and name.lower().strip("[]") in named:
            return address
        for crawler in crawlers:
            if getattr(crawler, "stats", None) is not None:
                crawler.stats.inc_value("cleanwire/refused/private_dns")
        logger.warning("refused %s: resolved to %s, a private or internal address", name, address)
        raise DNSLookupError(f"{name} resolved to {address}, a private or internal address: refused")
