"""A small JQL interpreter for the fake Jira: the clauses secgate and the tests use.

Supports AND / OR / NOT, parentheses, ``=``, ``!=``, ``~``, ``!~``, ``>=``,
``>``, ``<=``, ``<``, ``in (...)``, ``not in (...)``, ``is EMPTY`` and
``ORDER BY``. Errors come out as Jira's 400 messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Predicate = Callable[[Any], bool]


class JqlError(ValueError):
    """Becomes a 400 with this text in errorMessages."""


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\')|(?P<op>!=|!~|>=|<=|=|~|>|<|\(|\)|,)'
    r"|(?P<word>[A-Za-z0-9_.\-:/]+))"
)

#: JQL field name (lower case) -> attribute of the fake issue, and its kind.
FIELDS: dict[str, tuple[str, str]] = {
    "project": ("project", "project"),
    "fixversion": ("fix_versions", "list"),
    "affectedversion": ("versions", "list"),
    "labels": ("labels", "list"),
    "component": ("components", "list"),
    "updated": ("updated", "date"),
    "updateddate": ("updated", "date"),
    "created": ("created", "date"),
    "createddate": ("created", "date"),
    "resolutiondate": ("resolutiondate", "date"),
    "summary": ("summary", "text"),
    "status": ("status", "name"),
    "statuscategory": ("category_name", "name"),
    "resolution": ("resolution", "name"),
    "issuetype": ("issuetype", "name"),
    "type": ("issuetype", "name"),
    "priority": ("priority", "name"),
    "key": ("key", "key"),
    "issuekey": ("key", "key"),
    "id": ("id", "key"),
}


def tokens(jql: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    jql = jql.rstrip()
    while pos < len(jql):
        match = _TOKEN.match(jql, pos)
        if not match or match.end() == pos:
            pos = len(jql) - len(jql[pos:].lstrip())
            raise JqlError(
                f"Error in the JQL Query: The character '{jql[pos]}' is a reserved JQL "
                f"character. (line 1, character {pos + 1})"
            )
        pos = match.end()
        if match.group("str") is not None:
            raw = match.group("str")[1:-1]
            out.append(("str", re.sub(r"\\(.)", r"\1", raw)))
        elif match.group("op") is not None:
            out.append(("op", match.group("op")))
        elif match.group("word") is not None:
            out.append(("word", match.group("word")))
    return out


class Query:
    """A parsed query: a predicate over fake issues and an ORDER BY."""

    def __init__(self, jql: str, context: Any) -> None:
        self.context = context
        self.toks = tokens(jql)
        self.pos = 0
        self.order: list[tuple[str, bool]] = []
        if self._at_order() or not self.toks:
            self.predicate: Predicate = lambda issue: True
        else:
            self.predicate = self._or()
        if self._at_order():
            self._order_by()
        if self.pos != len(self.toks):
            raise JqlError(
                f"Error in the JQL Query: Expecting end of query but got '{self._peek()}'."
            )

    # -- parsing -------------------------------------------------------------

    def _peek(self) -> str:
        return self.toks[self.pos][1] if self.pos < len(self.toks) else ""

    def _word(self, *words: str) -> bool:
        if self.pos < len(self.toks) and self.toks[self.pos][0] == "word":
            return self.toks[self.pos][1].lower() in words
        return False

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.toks):
            raise JqlError("Error in the JQL Query: the query ended unexpectedly.")
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def _at_order(self) -> bool:
        return self._word("order")

    def _or(self) -> Predicate:
        left = self._and()
        while self._word("or"):
            self.pos += 1
            right = self._and()
            left = (lambda a, b: lambda i: a(i) or b(i))(left, right)
        return left

    def _and(self) -> Predicate:
        left = self._not()
        while self._word("and"):
            self.pos += 1
            right = self._not()
            left = (lambda a, b: lambda i: a(i) and b(i))(left, right)
        return left

    def _not(self) -> Predicate:
        if self._word("not"):
            self.pos += 1
            inner = self._not()
            return lambda i: not inner(i)
        if self._peek() == "(":
            self.pos += 1
            inner = self._or()
            if self._take()[1] != ")":
                raise JqlError("Error in the JQL Query: Expecting ')'.")
            return inner
        return self._clause()

    def _values(self) -> list[str]:
        if self._take()[1] != "(":
            raise JqlError("Error in the JQL Query: Expecting '(' after 'in'.")
        values: list[str] = []
        while True:
            kind, value = self._take()
            if kind == "op":
                raise JqlError(f"Error in the JQL Query: unexpected '{value}' in a list.")
            values.append(value)
            sep = self._take()[1]
            if sep == ")":
                return values
            if sep != ",":
                raise JqlError("Error in the JQL Query: Expecting ',' or ')'.")

    def _clause(self) -> Predicate:
        kind, name = self._take()
        if kind != "word" and kind != "str":
            raise JqlError(f"Error in the JQL Query: Expecting a field name but got '{name}'.")
        field = FIELDS.get(name.lower())
        if field is None:
            raise JqlError(
                f"Field '{name}' does not exist or you do not have permission to view it."
            )
        if self._word("is"):
            self.pos += 1
            negate = self._word("not")
            if negate:
                self.pos += 1
            if not self._word("empty", "null"):
                raise JqlError("Error in the JQL Query: Expecting EMPTY after IS.")
            self.pos += 1
            attr = field[0]
            return lambda i: bool(getattr(i, attr)) == negate
        negate = False
        if self._word("not"):
            self.pos += 1
            negate = True
            if not self._word("in"):
                raise JqlError("Error in the JQL Query: Expecting 'in' after 'not'.")
        if self._word("in"):
            self.pos += 1
            values = self._values()
            preds = [self._compare(name, field, "=", v) for v in values]

            def found(issue: Any) -> bool:
                return any(p(issue) for p in preds)

            return (lambda i: not found(i)) if negate else found
        op_kind, op = self._take()
        if op_kind != "op" or op in "(),":
            raise JqlError(f"Error in the JQL Query: Expecting an operator but got '{op}'.")
        value_kind, value = self._take()
        if value_kind == "op":
            raise JqlError(f"Error in the JQL Query: Expecting a value but got '{value}'.")
        return self._compare(name, field, op, value)

    def _compare(self, name: str, field: tuple[str, str], op: str, value: str) -> Predicate:
        attr, kind = field
        check = getattr(self.context, "check_value", None)
        if check is not None and op in ("=", "!="):
            check(name.lower(), value)
        if kind == "date":
            when = parse_date(value, self.context.user_zone)
            ops: dict[str, Callable[[datetime, datetime], bool]] = {
                ">=": lambda a, b: a >= b,
                ">": lambda a, b: a > b,
                "<=": lambda a, b: a <= b,
                "<": lambda a, b: a < b,
                "=": lambda a, b: a == b,
                "!=": lambda a, b: a != b,
            }
            if op not in ops:
                raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
            cmp = ops[op]
            return lambda i: getattr(i, attr) is not None and cmp(getattr(i, attr), when)
        if op in ("~", "!~"):
            if kind != "text":
                raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
            needle = value.strip('"').casefold()

            def hit(issue: Any) -> bool:
                return needle in (getattr(issue, attr) or "").casefold()

            return (lambda i: not hit(i)) if op == "!~" else hit
        if op not in ("=", "!="):
            raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
        folded = value.casefold()

        def eq(issue: Any) -> bool:
            value = getattr(issue, attr)
            if kind == "list":
                return any(v.casefold() == folded for v in value)
            return str(value or "").casefold() == folded

        return (lambda i: not eq(i)) if op == "!=" else eq

    def _order_by(self) -> None:
        self.pos += 1
        if not self._word("by"):
            raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
        self.pos += 1
        while True:
            _kind, name = self._take()
            if name.lower() not in FIELDS:
                raise JqlError(f"Not able to sort using field '{name}'.")
            asc = True
            if self._word("asc", "desc"):
                asc = self._take()[1].lower() == "asc"
            self.order.append((FIELDS[name.lower()][0], asc))
            if self._peek() != ",":
                return
            self.pos += 1


def parse_date(value: str, zone: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format."
    )
