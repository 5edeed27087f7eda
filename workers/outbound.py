"""Outbound HTTP for webhooks: one POST to the checked, pinned address, no redirect, bounded.

requests connects to whatever the URL's host resolves to when it connects; a check made before
that could be answered by one DNS reply and the connection made to another (DNS rebinding).
`PinnedAdapter` makes urllib3 connect to the address that the policy passed, while the Host
header, the TLS SNI and the certificate check keep the URL's host name (the technique of
requests-hardened's adapter, with our address policy: see docs/DESIGN.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from workers.addresses import IPAddress, Resolver, resolve, target

TIMEOUT = (5.0, 10.0)  # seconds to connect, and to wait for each read of the answer
USER_AGENT = "interview-calendar-webhooks/1"


class PinnedAdapter(HTTPAdapter):
    """Connect to `address`, whatever the URL's host resolves to by now."""

    def __init__(self, address: IPAddress) -> None:
        super().__init__(max_retries=0)
        self.address = address

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]  # SNI
            pool_kwargs["assert_hostname"] = host_params["host"]  # the certificate's name
        host_params["host"] = str(self.address)
        return host_params, pool_kwargs


def host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool,
         timeout: tuple[float, float] = TIMEOUT, resolver: Resolver = resolve,
         verify: bool | str = True) -> int:
    """POST `body` and return the answer's status code; the answer's body is not read.

    Raises addresses.Refused when the policy refuses the address the host resolves to now,
    and requests.RequestException when the connection or the exchange fails.
    """
    address = target(url, allow_private, resolver)
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: it would connect for us
        session.mount("http://", PinnedAdapter(address))
        session.mount("https://", PinnedAdapter(address))
        response = session.post(
            url, data=body, timeout=timeout, allow_redirects=False, stream=True, verify=verify,
            headers={"User-Agent": USER_AGENT, **headers, "Host": host_header(url)})
        response.close()
        return response.status_code
