"""Which host may receive the key: the pure rule of api/trust.py (end to end, through the
CLI, in tests/security/test_hosts.py)."""

from __future__ import annotations

import pytest

from assistctl.api.trust import (
    check_destination,
    host_of,
    is_loopback,
    same_url,
    trusted_url,
    untrusted_url,
)
from assistctl.config.providers import PROVIDERS
from assistctl.errors import AssistctlError, ConfigError, UsageError

OPENAI = PROVIDERS["openai"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.openai.com/v1", "api.openai.com"),
        ("https://API.OpenAI.com:443/v1", "api.openai.com"),
        ("http://127.0.0.1:8765/v1", "127.0.0.1:8765"),
        ("http://[::1]:80/v1", "[::1]"),
        ("https://gw.example:8443", "gw.example:8443"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


def test_same_url_is_scheme_host_port_and_path() -> None:
    assert same_url("https://api.openai.com/v1", "HTTPS://api.OPENAI.com:443/v1/")
    assert not same_url("https://api.openai.com/v1", "http://api.openai.com/v1")
    assert not same_url("https://api.openai.com/v1", "https://api.openai.com:8443/v1")
    assert not same_url("https://api.openai.com/v1", "https://api.openai.com/v2")
    assert not same_url("https://api.openai.com/v1", "https://api.openai.com.evil.example/v1")


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.1", "::1"])
def test_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["localhost.evil.example", "10.0.0.1", "0.0.0.0", "example"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_url_from_a_process_variable_is_the_trusted_sides_choice() -> None:
    # What an environment's base_url_env variable resolves through (issue 15).
    chosen = trusted_url("https://prod-gateway.example/v1", "PROD_BASE_URL")
    check_destination(chosen, OPENAI, key=True)


def test_a_project_file_url_gets_a_key_only_as_the_presets_own() -> None:
    check_destination(untrusted_url("https://api.openai.com/v1/"), OPENAI, key=True)
    with pytest.raises(ConfigError, match=r"ASSISTCTL_BASE_URL=https://gw\.example/v1"):
        check_destination(untrusted_url("https://gw.example/v1"), OPENAI, key=True)
    with pytest.raises(ConfigError):
        check_destination(untrusted_url("https://gw.example/v1"), OPENAI, key=False)
    # On this machine and without a key: nothing to leak.
    check_destination(untrusted_url("http://127.0.0.1:9/v1"), OPENAI, key=False)
    with pytest.raises(ConfigError):
        check_destination(untrusted_url("http://127.0.0.1:9/v1"), OPENAI, key=True)


@pytest.mark.parametrize("url", ["http://gw.example/v1", "http://10.1.2.3:8080/v1"])
def test_no_key_over_plain_http_off_this_machine(url: str) -> None:
    with pytest.raises(UsageError, match="over plain http"):
        check_destination(trusted_url(url, "--base-url"), OPENAI, key=True)
    check_destination(trusted_url(url.replace("http:", "https:"), "--base-url"), OPENAI, key=True)
    check_destination(trusted_url("http://localhost:8765/v1", "--base-url"), OPENAI, key=True)


def test_the_refusal_is_one_sentence_naming_how_to_allow_it() -> None:
    with pytest.raises(AssistctlError) as err:
        check_destination(untrusted_url("https://gw.example/v1"), OPENAI, key=True)
    text = str(err.value)
    assert text.count(". ") == 0 and text.endswith(".")
    assert "--base-url https://gw.example/v1" in text
