"""The client's address behind trusted proxies: the rightmost hop that is not one."""

import pytest

from overgang.lib.clientip import client_address, parse_networks

PROXIES = parse_networks("10.0.0.1, 10.1.0.0/16, ::1")


def _meta(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return meta


@pytest.mark.parametrize("meta,expected", [
    # No proxy in between: the header is the client's own words and is ignored.
    (_meta("203.0.113.7", "198.51.100.1"), "203.0.113.7"),
    # Through the trusted proxy: the hop it appended.
    (_meta("10.0.0.1", "198.51.100.1"), "198.51.100.1"),
    # A client that sends its own header: what the proxy appended is still the rightmost.
    (_meta("10.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1"), "198.51.100.1"),
    # Two trusted proxies in a row (a load balancer, then nginx).
    (_meta("10.0.0.1", "198.51.100.1, 10.1.4.2"), "198.51.100.1"),
    # An untrusted hop in the middle stops the walk there.
    (_meta("10.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.4.2"), "203.0.113.9"),
    # Every hop trusted: the request came from inside; the leftmost trusted hop.
    (_meta("10.0.0.1", "10.1.0.5"), "10.1.0.5"),
    # No header through the proxy: the proxy itself.
    (_meta("10.0.0.1"), "10.0.0.1"),
    # Garbage appended by a trusted hop: no further than that hop.
    (_meta("10.0.0.1", "198.51.100.1, not-an-ip"), "10.0.0.1"),
    # Ports and IPv6 forms, IPv4-mapped addresses.
    (_meta("10.0.0.1", "198.51.100.1:5555"), "198.51.100.1"),
    (_meta("::1", "[2001:db8::5]:443"), "2001:db8::5"),
    (_meta("::ffff:10.0.0.1", "198.51.100.2"), "198.51.100.2"),
])
def test_it_takes_the_rightmost_untrusted_hop(meta, expected):
    assert client_address(meta, PROXIES) == expected


def test_without_trusted_proxies_only_the_socket_counts():
    assert client_address(_meta("10.0.0.1", "198.51.100.1"), ()) == "10.0.0.1"


def test_a_bad_setting_names_the_entry():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        parse_networks("10.0.0.1, 10.0.0.300")
