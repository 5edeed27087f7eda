"""Outbound webhook HTTP: connect to the checked address only, keep the host name, no redirects,
and one deadline for the whole attempt, however slowly the receiver's bytes come.

The receivers are real servers on 127.0.0.1; the host names (`hooks.test`) exist in no DNS,
so a stand-in resolver maps them to 127.0.0.1: a request that arrives at all arrived through
the pinned address.
"""

from __future__ import annotations

import ipaddress
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.network import Proxy
from tests.receiver import dribbling, receiving
from workers.addresses import IPAddress, Refused
from workers.outbound import DeadlineExceeded, post

LOOPBACK = ipaddress.ip_address("127.0.0.1")


def to_loopback(host: str, port: int) -> list[IPAddress]:
    return [LOOPBACK]


def test_the_request_goes_to_the_pinned_address_with_the_url_host_in_the_host_header() -> None:
    with receiving() as receiver:
        status = post(f"http://hooks.test:{receiver.port}/in?x=1", b'{"a":1}',
                      {"Content-Type": "application/json"}, allow_private=True,
                      resolver=to_loopback)
        [got] = receiver.wait_for(1)
    assert status == 204
    assert got.headers["Host"] == f"hooks.test:{receiver.port}"
    assert (got.path, got.body) == ("/in?x=1", b'{"a":1}')


def test_redirects_are_not_followed() -> None:
    with receiving(302) as receiver:
        status = post(receiver.url, b"{}", {}, allow_private=True)
        receiver.wait_for(1)
    assert status == 302
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_loopback_receiver_is_not_contacted_without_the_flag() -> None:
    with receiving() as receiver:
        with pytest.raises(Refused, match="loopback"):
            post(receiver.url, b"{}", {}, allow_private=False)
        assert receiver.requests == []


def test_a_host_rebound_to_a_private_address_after_registration_is_refused_at_send_time(
) -> None:
    with receiving() as receiver, pytest.raises(Refused, match="10.0.0.8"):
        post(f"http://hooks.test:{receiver.port}/", b"{}", {}, allow_private=False,
             resolver=lambda host, port: [ipaddress.ip_address("10.0.0.8")])


def test_a_slow_receiver_times_out() -> None:
    with receiving(delay=2.0) as receiver, pytest.raises(DeadlineExceeded,
                                                          match="no answer within 0.3 s"):
        post(receiver.url, b"{}", {}, allow_private=True, deadline=0.3)


def test_a_receiver_that_dribbles_its_answer_is_cut_off_at_the_deadline() -> None:
    with dribbling(interval=0.2) as receiver:
        began = time.monotonic()
        with pytest.raises(DeadlineExceeded, match="no answer within 1 s"):
            post(receiver.url, b"{}", {}, allow_private=True, deadline=1.0)
        took = time.monotonic() - began
    assert took < 2.0, f"the attempt lasted {took:.1f} s"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for hooks.test, made by openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def server_side(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def test_tls_sends_the_host_name_as_sni_and_checks_the_certificate_against_it(
    certificate: tuple[Path, Path],
) -> None:
    cert, context = certificate[0], server_side(certificate)
    names: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    with receiving(tls=context) as receiver:
        status = post(f"https://hooks.test:{receiver.port}/", b"{}", {}, allow_private=True,
                      resolver=to_loopback, cafile=str(cert))
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            post(f"https://other.test:{receiver.port}/", b"{}", {}, allow_private=True,
                 resolver=to_loopback, cafile=str(cert))
    assert status == 204
    assert names[0] == "hooks.test"
    assert [r.headers["Host"] for r in receiver.requests] == [f"hooks.test:{receiver.port}"]


def test_a_tls_handshake_dribbled_a_byte_at_a_time_is_cut_off_at_the_deadline(
    certificate: tuple[Path, Path],
) -> None:
    cert, context = certificate[0], server_side(certificate)
    with receiving(tls=context) as receiver:
        proxy = Proxy(receiver.port, dribble=0.05)  # a certificate of ~1 KB: a minute to come
        try:
            began = time.monotonic()
            with pytest.raises(DeadlineExceeded, match="no answer within 1 s"):
                post(f"https://hooks.test:{proxy.port}/", b"{}", {}, allow_private=True,
                     resolver=to_loopback, cafile=str(cert), deadline=1.0)
            took = time.monotonic() - began
        finally:
            proxy.close()
    assert took < 2.0, f"the attempt lasted {took:.1f} s"
    assert receiver.requests == [], "the handshake never finished"
