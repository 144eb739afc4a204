"""The client's address as the trusted proxies saw it.

Without trusted proxies (the default) the client is the socket peer, whatever X-Forwarded-For
says: anyone can send that header. With COUNTYPATH_TRUSTED_PROXIES set, a request from one of
them is attributed to the address it forwarded: X-Forwarded-For is read from the nearest hop
back, skipping trusted proxies, and the first untrusted hop is the client. A hop that is not an
address stops the walk at the proxy that passed it on.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address

Network = IPv4Network | IPv6Network


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(
    peer: str | None, forwarded: Iterable[bytes], networks: tuple[Network, ...]
) -> str:
    if peer is None:
        return "unknown"
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded for h in value.decode("latin-1").split(",")]
    client = peer
    for hop in reversed([h for h in hops if h]):
        try:
            client = str(ip_address(hop))
        except ValueError:
            break
        if not _trusted(client, networks):
            break
    return client
