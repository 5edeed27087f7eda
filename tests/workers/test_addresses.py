"""The address policy of webhook targets: one verdict per address, with and without the flag.

Hosts here are numeric: the system resolver turns them into addresses without asking DNS.
"""

from __future__ import annotations

import ipaddress

import pytest

from workers.addresses import Refused, refusal, target

PUBLIC, PRIVATE_ONLY, NEVER = "public", "refused unless the flag", "refused always"
VERDICTS = [
    ("127.0.0.1", PRIVATE_ONLY),
    ("10.0.0.1", PRIVATE_ONLY),
    ("172.16.5.4", PRIVATE_ONLY),
    ("192.168.1.1", PRIVATE_ONLY),
    ("100.64.0.1", PRIVATE_ONLY),
    ("[::1]", PRIVATE_ONLY),
    ("[fd12:3456::1]", PRIVATE_ONLY),
    ("[::ffff:127.0.0.1]", PRIVATE_ONLY),
    ("[::ffff:10.1.2.3]", PRIVATE_ONLY),
    ("2130706433", PRIVATE_ONLY),
    ("0x7f000001", PRIVATE_ONLY),
    ("017700000001", PRIVATE_ONLY),
    ("127.1", PRIVATE_ONLY),
    ("169.254.169.254", NEVER),
    ("[fe80::1]", NEVER),
    ("[::ffff:169.254.169.254]", NEVER),
    ("2852039166", NEVER),  # 169.254.169.254
    ("100.100.100.200", NEVER),  # a cloud's metadata service inside the CGNAT range
    ("[fd00:ec2::254]", NEVER),
    ("0.0.0.0", NEVER),
    ("0", NEVER),
    ("[::]", NEVER),
    ("224.0.0.1", NEVER),
    ("[ff02::1]", NEVER),
    ("255.255.255.255", NEVER),
    ("240.0.0.1", NEVER),
    ("192.0.2.10", NEVER),  # documentation
    ("[2002:7f00:1::1]", NEVER),  # 6to4 of 127.0.0.1
    ("[64:ff9b::7f00:1]", NEVER),  # NAT64 of 127.0.0.1
    ("93.184.216.34", PUBLIC),
    ("8.8.8.8", PUBLIC),
    ("[2606:4700:4700::1111]", PUBLIC),
]


@pytest.mark.parametrize(("host", "verdict"), VERDICTS)
@pytest.mark.parametrize("allow_private", [False, True])
def test_each_address_gets_its_verdict_with_and_without_the_flag(host: str, verdict: str,
                                                                 allow_private: bool) -> None:
    url = f"http://{host}:8080/hook"
    allowed = verdict == PUBLIC or (verdict == PRIVATE_ONLY and allow_private)
    if allowed:
        assert target(url, allow_private) is not None
    else:
        with pytest.raises(Refused, match="webhooks may not be sent there"):
            target(url, allow_private)


def test_ipv4_mapped_addresses_are_judged_as_the_ipv4_address_they_carry() -> None:
    mapped = ipaddress.ip_address("::ffff:169.254.169.254")
    assert refusal(mapped, allow_private=True) == "a link-local address"
    assert refusal(ipaddress.ip_address("::ffff:10.0.0.1"), allow_private=False) == \
        "a private address"


@pytest.mark.parametrize("url", ["ftp://93.184.216.34/", "file:///etc/passwd",
                                 "gopher://93.184.216.34/", "javascript:alert(1)", "//x/y",
                                 "93.184.216.34/hook"])
def test_only_http_and_https_urls_are_accepted(url: str) -> None:
    with pytest.raises(Refused, match="only http and https"):
        target(url, allow_private=True)


def test_a_host_that_resolves_to_a_public_and_a_private_address_is_refused() -> None:
    both = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7")]
    with pytest.raises(Refused, match="10.0.0.7"):
        target("https://hooks.example/", False, resolver=lambda host, port: both)


def test_the_first_resolved_address_is_the_one_to_connect_to() -> None:
    found = [ipaddress.ip_address("93.184.216.35"), ipaddress.ip_address("93.184.216.34")]
    assert target("https://hooks.example/", False, resolver=lambda h, p: found) == found[0]


def test_a_refusal_names_the_flag_only_where_the_flag_would_help() -> None:
    with pytest.raises(Refused, match="WEBHOOK_ALLOW_PRIVATE_NETWORKS"):
        target("http://10.0.0.1/", allow_private=False)
    with pytest.raises(Refused) as refused:
        target("http://169.254.169.254/", allow_private=False)
    assert "WEBHOOK_ALLOW_PRIVATE_NETWORKS" not in str(refused.value)

