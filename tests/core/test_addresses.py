"""The client's address: only what our own proxies wrote is believed."""

import pytest
from django.test import RequestFactory

from core.addresses import client_ip


def request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 0, []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_one_proxy_believes_the_address_it_appended(settings):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 1, []
    assert client_ip(request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"
    # A client that writes the header itself cannot choose its address: the proxy
    # appended the real one at the right.
    assert client_ip(request("10.0.0.2", "198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_two_proxies(settings):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 2, []
    assert client_ip(request("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"


@pytest.mark.parametrize("forwarded", ["198.51.100.1, 203.0.113.7", "203.0.113.7"])
def test_trusted_proxy_addresses_are_skipped_from_the_right(settings, forwarded):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 0, ["10.0.0.2", "10.0.0.9"]
    assert client_ip(request("10.0.0.2", forwarded + ", 10.0.0.9")) == "203.0.113.7"


def test_a_request_straight_from_a_client_ignores_its_header_when_proxies_are_named(settings):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 0, ["10.0.0.2"]
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_garbage_in_the_header_is_not_an_address(settings):
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 1, []
    assert client_ip(request("10.0.0.2", "<script>")) is None
