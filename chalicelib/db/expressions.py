"""Condition and update expressions, and the requests that carry them.

Every attribute name goes into an expression as a placeholder (`#n0`, ...) and
every value as another (`:v0`, ...), filled in through ExpressionAttributeNames
and ExpressionAttributeValues: no name clashes with one of DynamoDB's reserved
words, and no value is ever spliced into expression text. A condition is built
from named sub-conditions, the way PynamoDB's condition objects are:

    claim_free = attr(until).not_exists() | attr(until).lt(now)
    update(table, key, set={claim: mine}, add={attempts: 1},
           condition=attr(status).eq(PENDING) & claim_free)

`put`, `update` and `delete` return the request: the keyword arguments of
PutItem, UpdateItem or DeleteItem, and the body of a TransactWriteItems part.
`scan` returns a Scan's, its filter a condition too.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from chalicelib.db.items import to_item, to_value


class Placeholders:
    """The names and values of one request's expressions."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}  # attribute -> placeholder
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = self._names.get(attribute)
        if placeholder is None:
            placeholder = self._names[attribute] = f"#n{len(self._names)}"
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = to_value(value)
        return placeholder

    def fill(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._names:
            request["ExpressionAttributeNames"] = {p: a for a, p in self._names.items()}
        if self.values:
            request["ExpressionAttributeValues"] = self.values
        return request


class Condition:
    """A condition expression, written out once its request's placeholders exist."""

    def __init__(self, render: Callable[[Placeholders], str]) -> None:
        self._render = render

    def render(self, placeholders: Placeholders) -> str:
        return self._render(placeholders)

    def __and__(self, other: Condition) -> Condition:
        return Condition(lambda p: f"({self.render(p)} AND {other.render(p)})")

    def __or__(self, other: Condition) -> Condition:
        return Condition(lambda p: f"({self.render(p)} OR {other.render(p)})")

    def __invert__(self) -> Condition:
        return Condition(lambda p: f"(NOT {self.render(p)})")


class Attr:
    """An attribute, for conditions on it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _compare(self, operator: str, value: Any) -> Condition:
        return Condition(lambda p: f"{p.name(self.name)} {operator} {p.value(value)}")

    def eq(self, value: Any) -> Condition:
        return self._compare("=", value)

    def lt(self, value: Any) -> Condition:
        return self._compare("<", value)

    def begins_with(self, prefix: str) -> Condition:
        return Condition(lambda p: f"begins_with({p.name(self.name)}, {p.value(prefix)})")

    def exists(self) -> Condition:
        return Condition(lambda p: f"attribute_exists({p.name(self.name)})")

    def not_exists(self) -> Condition:
        return Condition(lambda p: f"attribute_not_exists({p.name(self.name)})")


def attr(name: str) -> Attr:
    return Attr(name)


def _conditioned(request: dict[str, Any], placeholders: Placeholders,
                 condition: Condition | None) -> dict[str, Any]:
    if condition is not None:
        request["ConditionExpression"] = condition.render(placeholders)
    return placeholders.fill(request)


def put(table: str, item: Mapping[str, Any], *, condition: Condition | None = None) -> dict[str, Any]:
    return _conditioned({"TableName": table, "Item": to_item(dict(item))}, Placeholders(),
                        condition)


def delete(table: str, key: Mapping[str, Any], *,
           condition: Condition | None = None) -> dict[str, Any]:
    return _conditioned({"TableName": table, "Key": to_item(dict(key))}, Placeholders(),
                        condition)


def check(table: str, key: Mapping[str, Any], *, condition: Condition) -> dict[str, Any]:
    """A transaction's ConditionCheck: it writes nothing, and the transaction
    holds only if `condition` holds on the item."""
    return _conditioned({"TableName": table, "Key": to_item(dict(key))}, Placeholders(),
                        condition)


def update(table: str, key: Mapping[str, Any], *, set: Mapping[str, Any] | None = None,  # noqa: A002
           add: Mapping[str, Any] | None = None, remove: Iterable[str] = (),
           condition: Condition | None = None) -> dict[str, Any]:
    """SET each of `set`, ADD each of `add` (numbers), REMOVE each of `remove`."""
    p = Placeholders()
    clauses = []
    if set:
        clauses.append("SET " + ", ".join(f"{p.name(n)} = {p.value(v)}" for n, v in set.items()))
    if add:
        clauses.append("ADD " + ", ".join(f"{p.name(n)} {p.value(v)}" for n, v in add.items()))
    removed = [p.name(n) for n in remove]
    if removed:
        clauses.append("REMOVE " + ", ".join(removed))
    if not clauses:
        raise ValueError("an update must change something")
    request = {"TableName": table, "Key": to_item(dict(key)), "UpdateExpression": " ".join(clauses)}
    return _conditioned(request, p, condition)


def scan(table: str, *, filter: Condition) -> dict[str, Any]:  # noqa: A002
    """A Scan of the whole table for the items `filter` matches."""
    p = Placeholders()
    return p.fill({"TableName": table, "FilterExpression": filter.render(p)})
