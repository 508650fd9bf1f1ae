"""Reading a JSON body: msgspec first, json.loads for whatever it refuses.

The fast reader must never accept a body json.loads would refuse, nor read
one differently, so every body is checked against json.loads here: a corpus
of edge cases, and thousands of seeded mutations of real bodies."""
from __future__ import annotations

import json
import random
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.http import errors
from chalicelib.http.body import _decoded, _strictly_decoded, read_json_object

EDGE_CASES = [
    b'{"a": "\\ud83d\\ude00"}', b'{"a": "\\ud800"}', b'{"a": "\\udc00x"}', b'{"a": 1, "a": 2}',
    b'{"a": -0}', b'{"a": -0.0}', b'{"a": 1E5}', b'{"a": 1e400}', b'{"a": 18446744073709551616}',
    b'{"a": -9223372036854775809}', b'{"a": 0.1}', b'{"a": 5e-324}', b'{"a": "\\/\\b\\f\\n\\r\\t"}',
    b'{"a": "x\x01y"}', b'{"a": "x\ny"}', b'{"a": 01}', b'{"a": 1.}', b'{"a": .5}', b'{"a": +1}',
    b'{"a": true,}', b"{'a': 1}", b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}',
    b'{"a": 1}\x00', b'{"a": 1} x', b' \t\r\n{"a": 1} \n', b'\xef\xbb\xbf{"a": 1}',
    '{"a": 1}'.encode("utf-16"), '{"a": 1}'.encode("utf-32"), b'{"a": "\xff"}',
    b'{"a": "\xed\xa0\x80"}', b'{"a": "\xc3\xa9"}', b'{"\\u0000": null}', b'{"a": [1, {"b": []}]}',
    b'{"a": "\\u00e9\\u2028"}', b'{"n": ' + b"9" * 5000 + b"}", b"[" * 5000 + b"]" * 5000,
]

SEEDS = [b'{"name": "Ada Lovelace", "email": "ada@example.com", "age": 36}',
         b'{"text": "Hello \\u00e9\\n", "tags": [1, 2.5, -3e2, true, false, null]}',
         '{"name": "Zoë", "message": "naïve café 😀"}'.encode()]
ALPHABET = b'{}[]":,.-+eE0123456789\\u tfnrl\x00\x7f\xc3\xa9\xed\xa0\x80\xff'


def mutants(count: int) -> list[bytes]:
    rng = random.Random(14)
    out = []
    for _ in range(count):
        body = bytearray(rng.choice(SEEDS))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(body) + 1)
            action = rng.randrange(3)
            if action == 0:
                body.insert(at, rng.choice(ALPHABET))
            elif action == 1 and at < len(body):
                del body[at]
            elif at < len(body):
                body[at] = rng.choice(ALPHABET)
        out.append(bytes(body))
    return out


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0 here). Without
    recursion: on Python 3.13, json.loads and msgspec both read bodies nested
    deeper than the interpreter's recursion limit."""
    pending = [(a, b)]
    while pending:
        a, b = pending.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            if list(a) != list(b):
                return False
            pending.extend((a[k], b[k]) for k in a)
        elif isinstance(a, list):
            if len(a) != len(b):
                return False
            pending.extend(zip(a, b, strict=True))
        elif a != b:
            return False
    return True


def disagreement(body: bytes) -> str | None:
    strict, data = _strictly_decoded(body)
    if not strict:
        return None
    try:
        _, expected = _decoded(body)
    except (ValueError, RecursionError):
        return f"msgspec accepted a body json.loads refuses: {body!r}"
    return None if same(data, expected) else f"read differently: {body!r}"


@pytest.mark.parametrize("body", EDGE_CASES)
def test_what_msgspec_reads_json_loads_reads_the_same(body: bytes) -> None:
    assert disagreement(body) is None


def test_on_mutated_bodies_too() -> None:
    bodies = mutants(5000)
    assert [d for d in map(disagreement, bodies) if d] == []
    # Both outcomes occur, so the comparison above was not vacuous.
    assert {_strictly_decoded(body)[0] for body in bodies} == {True, False}


def read(body: bytes) -> dict[str, Any]:
    request = SimpleNamespace(raw_body=body, headers={"content-type": "application/json"})
    return read_json_object(request, max_bytes=1_000_000)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [b'\xef\xbb\xbf{"a": 1}', '{"a": 1}'.encode("utf-16"),
                                  b'{"n": 18446744073709551616}'])
def test_what_only_json_loads_reads_is_still_accepted(body: bytes) -> None:
    assert read(body) == json.loads(body)


@pytest.mark.parametrize("body", [b'{"a": "\\ud800"}', b'{"\\udfff": 1}'])
def test_a_lone_surrogate_is_refused_as_not_unicode(body: bytes) -> None:
    with pytest.raises(errors.BadRequest, match="not valid Unicode"):
        read(body)


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 1} x', b"[1]",
                                  b'"\\ud800"'])
def test_what_neither_reads_as_an_object_is_refused(body: bytes) -> None:
    with pytest.raises(errors.BadRequest):
        read(body)
