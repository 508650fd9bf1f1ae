"""Which addresses a form post may redirect to, and how the error's query is added."""
from __future__ import annotations

import pytest

from chalicelib.http.redirects import is_allowed_target, origin_of, with_query

ALLOWED = ("https://www.example.org", "http://localhost:8080", "*")


@pytest.mark.parametrize("url", ["https://www.example.org/thanks", "HTTPS://WWW.example.org",
                                 "http://localhost:8080/a?b=c#d"])
def test_addresses_on_an_allowed_origin_are_allowed(url: str) -> None:
    assert is_allowed_target(url, ALLOWED)


@pytest.mark.parametrize("url", [
    None, "", "https://evil.example", "//www.example.org", "https:www.example.org",
    "https:/www.example.org", "https://www.example.org@evil.example",
    "https://www.example.org:443", "https://www.example.org.evil.example",
    "https://www.exämple.org", "https://www.example.org/\n", "ftp://www.example.org",
])
def test_anything_else_is_refused_even_with_a_star_in_the_origins(url: str | None) -> None:
    assert not is_allowed_target(url, ALLOWED)


def test_origin_of_refuses_ports_that_are_not_numbers() -> None:
    assert origin_of("http://localhost:80a/") is None
    assert origin_of("http://localhost:8080/x") == "http://localhost:8080"


def test_the_query_is_added_before_the_fragment() -> None:
    assert with_query("https://s.example/oops?lang=fr#top", {"error": "rate_limited",
                                                             "fields": "a,b"}) == \
        "https://s.example/oops?lang=fr&error=rate_limited&fields=a,b#top"
