"""Where webhooks may be sent: the one address policy, used at registration and at delivery.

A URL's host is resolved once; every address it resolves to must pass, and the sender connects
to the first of them (pinned), so a name that answers differently the second time (DNS
rebinding) cannot steer a delivery elsewhere. Numeric spellings (`2130706433`, `0x7f000001`)
and IPv4-mapped IPv6 addresses are what the resolver makes of them: the addresses are checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[IPAddress]]

SCHEMES = {"http": 80, "https": 443}
# Allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS: RFC 1918, shared (CGNAT) and unique-local.
PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
# Cloud metadata services outside link-local: refused always.
METADATA = frozenset(ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254"))
# Special-purpose ranges that Python's `is_global` does not flag on every version, among them
# those that embed or translate IPv4 addresses (6to4, NAT64, Teredo).
SPECIAL = tuple(ipaddress.ip_network(n) for n in (
    "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15", "2002::/16", "64:ff9b::/96",
    "64:ff9b:1::/48", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16"))


class Refused(Exception):
    """The URL may not be a webhook target; the message says why."""


def refusal(address: IPAddress, allow_private: bool) -> str | None:
    """Why `address` may not be a target, or None when it may.

    Unspecified, link-local, multicast, metadata and reserved or special-purpose addresses are
    refused always; loopback and private ones unless `allow_private`; global ones never.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if allow_private else "a loopback address"
    if any(address in network for network in PRIVATE):
        return None if allow_private else "a private address"
    if (address.is_reserved or address.is_private or not address.is_global
            or any(address in network for network in SPECIAL)):
        return "a reserved address"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (numeric forms included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"the host {host} does not resolve") from exc
    found: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
    if not found:
        raise Refused(f"the host {host} has no IP address")
    return found


def target(url: str, allow_private: bool, resolver: Resolver = resolve) -> IPAddress:
    """Check an http(s) URL and return the address to connect to; raise Refused otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise Refused("only http and https URLs are accepted")
    try:
        host, port = parts.hostname, parts.port or SCHEMES[parts.scheme.lower()]
    except ValueError as exc:
        raise Refused(f"the URL's port is not valid: {exc}") from None
    if not host:
        raise Refused("the URL has no host")
    if not host.isascii():
        raise Refused("write the host name in its ASCII (punycode) form")
    addresses = resolver(host, port)
    for address in addresses:
        reason = refusal(address, allow_private)
        if reason is not None:
            raise Refused(f"{host} resolves to {address}, {reason}; webhooks may not be sent "
                          "there" + ("" if allow_private or not _private_only(reason)
                                     else " (see WEBHOOK_ALLOW_PRIVATE_NETWORKS)"))
    return addresses[0]


def _private_only(reason: str) -> bool:
    return reason in ("a loopback address", "a private address")
