"""The client's address, also behind reverse proxies (SECURITY.md, login behind a proxy).

``REMOTE_ADDR`` is the client only when nothing stands in between. Behind a proxy it is
the proxy, and the client is in ``X-Forwarded-For`` — a header anyone can send. So the
header is believed only as far as trusted proxies wrote it: starting from
``REMOTE_ADDR`` and walking ``X-Forwarded-For`` from the right, every hop that is a
trusted proxy is stepped over, and the first hop that is not is the client (the
"rightmost untrusted" rule). What a client puts in the header itself stands to the left
of what the first trusted proxy appended, and is never reached.
"""

import ipaddress


def parse_networks(text: str):
    """``TRUSTED_PROXIES``: comma-separated addresses or networks (10.0.0.0/8, ::1).
    Raises ValueError naming the first entry that is neither."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str):
    """An address from a header hop: '1.2.3.4', '1.2.3.4:5678', '[::1]:80', '::1'."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(meta, networks) -> str:
    """The client's address from a request's META, believing ``X-Forwarded-For`` only as
    far as the ``networks`` of trusted proxies wrote it."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    nearest = _address(remote)
    if not networks or not _trusted(nearest, networks):
        return str(nearest) if nearest else remote
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage written by a trusted proxy: the client is not known beyond it.
            return str(nearest)
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy: the request came from inside
