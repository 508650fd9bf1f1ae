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
from chalicelib.http.body import _decoded, _DuplicateKey, _strictly_decoded, read_json_object

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
    except _DuplicateKey:
        # msgspec keeps a repeated key's last value; the body is refused instead.
        return None if refused_as_repeated(body) else f"a repeated key accepted: {body!r}"
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


def refused_as_repeated(body: bytes) -> str | None:
    """The key a read refuses `body` for repeating, or None if it is not refused so."""
    try:
        read(body)
    except errors.ValidationFailed as refused:
        (detail,) = refused.details
        assert detail["message"] == "must be sent once"
        return str(detail["field"])
    except errors.BadRequest:
        return None
    return None


def repeats_a_key(body: bytes) -> bool:
    """The oracle: json's own parser, told to look."""
    found = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        if len(set(keys)) != len(keys):
            found.append(keys)
        return dict(items)
    json.loads(body, object_pairs_hook=pairs)
    return bool(found)


@pytest.mark.parametrize("body,key", [
    (b'{"a": 1, "a": 2}', "a"), (b'{"name": "Ada", "email": "a@x.io", "name": "Eve"}', "name"),
    (b'{"a": {"b": 1, "b": 2}}', "b"), (b'{"a": [{"b": 1}, {"c": 1, "c": 1}]}', "c"),
    (b'{"a": 1, "\\u0061": 2}', "a"), (b'{"a" : 1 ,  "a"\t:\n2}', "a"),
    (b'{"m": "x: y: z", "t": "10:30", "m": ""}', "m"), (b'{"k:": 1, "k:": 2}', "k:"),
    (b'\xef\xbb\xbf{"a": 1, "a": 2}', "a"), ('{"a": 1, "a": 2}'.encode("utf-16"), "a"),
    (b'{"n": 18446744073709551616, "n": 1}', "n"),
])
def test_a_key_sent_twice_is_refused_naming_it(body: bytes, key: str) -> None:
    assert refused_as_repeated(body) == key


@pytest.mark.parametrize("body", [
    b'{"message": "Dear team: at 10:30, see https://x.io/a:b", "subject": "Re: re:"}',
    b'{"m": "he said \\":\\" and left"}', b'{"a:b": "c:d", "e": [":", {"f:": ":"}]}',
    b'{"a": "\\u003a", "b": 1}', b'{"name": "name", "email": "email@x.io"}',
    b'{"a": [{"b": 1}, {"b": 2}]}', '{"naïve": "café: ☕"}'.encode(),
])
def test_keys_sent_once_are_read_whatever_the_colons_and_escapes(body: bytes) -> None:
    assert read(body) == json.loads(body)


def generated_bodies(count: int) -> list[bytes]:
    """Objects written by hand, keys drawn from few names (so some repeat),
    strings full of colons, quotes, backslashes and escapes, nested."""
    rng = random.Random(24)
    names = ["a", "b", "a:", ":", "é", "\"", "ab"]
    texts = ["", ":", "x:y", "\"", "\\", "\":", "é:", "a\nb", "10:30", "\u2028"]

    def value(depth: int) -> str:
        kind = rng.randrange(6 if depth < 3 else 3)
        if kind == 0:
            return json.dumps(rng.choice(texts), ensure_ascii=rng.random() < 0.5)
        if kind == 1:
            return rng.choice(["1", "true", "null", "-2.5"])
        if kind == 2:
            return json.dumps(rng.choice(texts) + rng.choice(texts), ensure_ascii=False)
        if kind == 3:
            return "[" + ", ".join(value(depth + 1) for _ in range(rng.randrange(3))) + "]"
        return obj(depth + 1)

    def obj(depth: int) -> str:
        members = []
        for _ in range(rng.randrange(5)):
            key = json.dumps(rng.choice(names), ensure_ascii=rng.random() < 0.5)
            members.append(key + rng.choice([":", " : ", ":\n"]) + value(depth))
        return "{" + ",".join(members) + "}"
    return [obj(0).encode() for _ in range(count)]


def test_a_repeated_key_is_refused_exactly_when_json_finds_one() -> None:
    bodies = generated_bodies(4000)
    verdicts = [(repeats_a_key(body), refused_as_repeated(body) is not None) for body in bodies]
    assert [body for body, (oracle, refused) in zip(bodies, verdicts, strict=True)
            if oracle != refused] == []
    assert {oracle for oracle, _ in verdicts} == {True, False}  # both kinds were tried
