"""Which category a destination host belongs to: domain lists with wildcard subdomains.

``facebook.com`` covers the domain and every subdomain (as Squid's ``.facebook.com`` does);
``*.fbcdn.net`` covers only the subdomains. Hosts are compared in lower case, without a port or
a trailing dot, in their ASCII (punycode) form, which is what a proxy sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from civicloop.errors import Invalid

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_DOMAINS_PER_CATEGORY = 2000


def normalize_host(host: str) -> str:
    """``WWW.Facebook.com.:443`` → ``www.facebook.com``; ``[::1]:443`` → ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    colon = host.rfind(":")
    if colon != -1 and host.count(":") == 1:
        host = host[:colon]
    return host.rstrip(".")


def host_of_url(url: str) -> str:
    """The host of a URL as logged or typed: ``http://www.x.com:80/a`` and ``www.x.com:443`` → ``www.x.com``."""
    start = url.find("://")
    rest = url[start + 3 :] if start != -1 else url
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1 and found < end:
            end = found
    authority = rest[:end]
    return normalize_host(authority[authority.rfind("@") + 1 :])


def normalize_domain(entry: str) -> str:
    """Validate one list entry; returns it in canonical form (``*.`` prefix kept, IDN as punycode)."""
    text = entry.strip().lower().rstrip(".")
    wildcard = text.startswith("*.")
    name = text[2:] if wildcard else text
    if name.startswith("."):  # Squid's ".example.com" spelling means the same as ours
        name = name[1:]
    try:
        ascii_name = name.encode("idna").decode("ascii") if name else ""
    except UnicodeError as exc:
        raise Invalid(f"{entry.strip()!r} is not a domain name") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels) or len(ascii_name) > 253:
        raise Invalid(f"{entry.strip()!r} is not a domain name like facebook.com or *.fbcdn.net")
    return f"*.{ascii_name}" if wildcard else ascii_name


def parse_domain_list(text: str) -> list[str]:
    """A textarea or file: one domain per line or separated by commas/spaces; ``#`` starts a comment."""
    entries: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        entries += [part for part in re.split(r"[\s,]+", line) if part]
    domains = sorted({normalize_domain(entry) for entry in entries})
    if len(domains) > MAX_DOMAINS_PER_CATEGORY:
        raise Invalid(f"a category holds at most {MAX_DOMAINS_PER_CATEGORY} domains")
    return domains


@dataclass(frozen=True)
class DomainMatcher:
    """Maps hosts to category keys; a lookup is a handful of dictionary probes."""

    covers: Mapping[str, str] = field(default_factory=dict)
    subdomains_only: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, categories: Iterable[tuple[str, Iterable[str]]]) -> DomainMatcher:
        covers: dict[str, str] = {}
        subdomains: dict[str, str] = {}
        for key, domains in categories:
            for domain in domains:
                table, name = (subdomains, domain[2:]) if domain.startswith("*.") else (covers, domain)
                other = table.get(name)
                if other is not None and other != key:
                    raise Invalid(f"{domain} is listed in both {other} and {key}; a domain belongs to one category")
                table[name] = key
        return cls(covers, subdomains)

    def category_of(self, host: str) -> str | None:
        """The category of an already normalised host, or None."""
        found = self.covers.get(host)
        if found is not None:
            return found
        dot = host.find(".")
        while dot != -1:
            suffix = host[dot + 1 :]
            found = self.covers.get(suffix) or self.subdomains_only.get(suffix)
            if found is not None:
                return found
            dot = host.find(".", dot + 1)
        return None
