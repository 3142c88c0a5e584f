"""The small expression language of flow files: conditions, computed values and `{...}` text.

Flow files are reviewed by clinicians, so expressions read like arithmetic
(`belief_after < belief_before`, `mean(pluck(ladder, "suds"))`) and can do nothing else:
the text is parsed with Python's `ast` and only the node types and functions listed here are
accepted, at load time. Nothing is ever passed to `eval`.

Evaluation is forgiving because it runs in a live conversation: a missing name is None,
comparisons with None are False and arithmetic with None gives None, so a skipped optional
answer never crashes a turn.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mindbridge.companion import sleep, wording


class ExpressionError(ValueError):
    """An expression or template uses something the flow language does not allow."""


def _mean(values: Iterable[Any]) -> float | None:
    nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return round(sum(nums) / len(nums), 2) if nums else None


def _pluck(items: Iterable[Any], key: str) -> list[Any]:
    return [item.get(key) for item in items or () if isinstance(item, Mapping)]


def _sort_by(items: Iterable[Any], key: str) -> list[Any]:
    rows = [item for item in items or () if isinstance(item, Mapping)]
    return sorted(rows, key=lambda item: (item.get(key) is None, item.get(key) or 0))


def _first(items: Sequence[Any] | None) -> Any:
    return items[0] if items else None


def _last(items: Sequence[Any] | None) -> Any:
    return items[-1] if items else None


def _count(items: Sized | None) -> int:
    return len(items) if items else 0


def _closest(items: Iterable[Any], key: str, target: float) -> Any:
    """The row whose `key` is nearest `target` (used to pick the first exposure step)."""
    rows = [i for i in items or () if isinstance(i, Mapping) and i.get(key) is not None]
    return min(rows, key=lambda i: abs(float(i[key]) - target)) if rows else None


def _minutes(hours: float) -> float:
    return hours * 60


def _safe_round(value: float | None, digits: int = 0) -> float | None:
    if value is None:
        return None
    result = round(float(value), digits)
    return int(result) if digits == 0 else result


# Every function a flow may call. Adding one here is a code change, reviewed like any other.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "mean": _mean,
    "min": lambda *a: min((x for x in _flat(a) if x is not None), default=None),
    "max": lambda *a: max((x for x in _flat(a) if x is not None), default=None),
    "count": _count,
    "round": _safe_round,
    "abs": lambda x: None if x is None else abs(x),
    "pluck": _pluck,
    "sort_by": _sort_by,
    "first": _first,
    "last": _last,
    "closest": _closest,
    "minutes": _minutes,
    "diary_night": sleep.diary_night,
    "sleep_efficiency": sleep.sleep_efficiency,
    "pooled_efficiency": sleep.pooled_efficiency,
    "sleep_window": sleep.sleep_window,
    "adjust_window": sleep.adjust_window,
}


def _flat(args: tuple[Any, ...]) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return list(args[0])
    return list(args)


_BOOL_OPS = (ast.And, ast.Or)
_BIN_OPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b else None,
    ast.FloorDiv: lambda a, b: a // b if b else None,
    ast.Mod: lambda a, b: a % b if b else None,
}
_CMP_OPS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: bool(a == b),
    ast.NotEq: lambda a, b: bool(a != b),
    ast.Lt: lambda a, b: bool(a < b),
    ast.LtE: lambda a, b: bool(a <= b),
    ast.Gt: lambda a, b: bool(a > b),
    ast.GtE: lambda a, b: bool(a >= b),
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression; `names` are the top-level names it reads."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, namespace: Mapping[str, Any]) -> Any:
        try:
            return _eval(self.tree.body, namespace)
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError):
            return None


@lru_cache(maxsize=1024)
def parse(source: str) -> Expression:
    """Parse and check `source`; raises ExpressionError naming what is not allowed."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot read expression {source!r}: {exc.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, source)
        if isinstance(node, ast.Name) and not _is_call_target(tree, node):
            names.add(node.id)
    return Expression(source, tree, frozenset(names))


def _is_call_target(tree: ast.Expression, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Constant,
    ast.Call,
    ast.Attribute,
    ast.Subscript,
    ast.List,
    ast.Tuple,
    ast.IfExp,
    ast.keyword,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    *_BIN_OPS,
    *_CMP_OPS,
)


def _check_node(node: ast.AST, source: str) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExpressionError(f"{type(node).__name__} is not allowed in expression {source!r}")
    if isinstance(node, ast.Call) and (
        not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS
    ):
        called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        raise ExpressionError(
            f"unknown function {called!r} in expression {source!r} "
            f"(allowed: {', '.join(sorted(FUNCTIONS))})"
        )
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise ExpressionError(f"private attribute {node.attr!r} in expression {source!r}")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError(f"private name {node.id!r} in expression {source!r}")
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
        raise ExpressionError(f"only constant indexes like x[0] are allowed in {source!r}")


def _eval(node: ast.AST, ns: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return ns.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, ns)
        return base.get(node.attr) if isinstance(base, Mapping) else None
    if isinstance(node, ast.Subscript):
        base = _eval(node.value, ns)
        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
        if isinstance(base, Mapping):
            return base.get(key)
        if (
            isinstance(base, list | tuple)
            and isinstance(key, int)
            and -len(base) <= key < len(base)
        ):
            return base[key]
        return None
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, ns) for e in node.elts]
    if isinstance(node, ast.BoolOp):  # Python's meaning: `x or 0` gives x when x is set
        value: Any = None
        for operand in node.values:
            value = _eval(operand, ns)
            if bool(value) is isinstance(node.op, ast.Or):
                return value
        return value
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, ns)
        if isinstance(node.op, ast.Not):
            return not value
        return None if value is None else -value
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, ns), _eval(node.right, ns)
        if left is None or right is None:
            return None
        result = _BIN_OPS[type(node.op)](left, right)
        return None if isinstance(result, float) and not math.isfinite(result) else result
    if isinstance(node, ast.Compare):
        left = _eval(node.left, ns)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, ns)
            is_eq = isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn)
            if not is_eq and (left is None or right is None):
                return False
            if isinstance(op, ast.In | ast.NotIn) and right is None:
                return isinstance(op, ast.NotIn)
            if not _CMP_OPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, ns) if _eval(node.test, ns) else _eval(node.orelse, ns)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_eval(a, ns) for a in node.args]
        kwargs = {k.arg: _eval(k.value, ns) for k in node.keywords if k.arg}
        return FUNCTIONS[node.func.id](*args, **kwargs)
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover


# --- text templates -------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_TERM = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)\s*$")


def _clock_text(value: Any) -> str:
    minutes = round(float(value)) % sleep.DAY
    hour, minute = divmod(minutes, 60)
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    if minutes == 0:
        return "midnight"
    if minutes == 12 * 60:
        return "noon"
    return f"{hour12}:{minute:02d} {suffix}" if minute else f"{hour12} {suffix}"


def _hm_text(value: Any) -> str:
    total = round(float(value))
    hours, minutes = divmod(abs(total), 60)
    sign = "-" if total < 0 else ""
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{minutes} min"


def _list_text(value: Any) -> str:
    items = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _numbered_text(value: Any) -> str:
    """A list as numbered lines; rows with one field show that field."""
    items = value if isinstance(value, list | tuple) else [value]
    lines = []
    for i, item in enumerate(items, 1):
        if isinstance(item, Mapping):
            item = " ".join(str(v) for v in item.values() if v is not None)
        lines.append(f"{i}. {item}")
    return "\n".join(lines)


def _number_text(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


def _signed_text(value: Any) -> str:
    number = float(value)
    text = _number_text(abs(number))
    return f"+{text}" if number > 0 else (f"-{text}" if number < 0 else "0")


# Filters turn a stored value into words: `{window.bedtime|clock}` -> "11:30 pm".
FILTERS: dict[str, Callable[[Any], str]] = {
    "clock": _clock_text,
    "hm": _hm_text,
    "pct": lambda v: f"{round(float(v) * 100)}%",
    "list": _list_text,
    "numbered": _numbered_text,
    "num": _number_text,
    "signed": _signed_text,
    "lower": lambda v: str(v).lower(),
    "traps": wording.traps_text,
    "ladder": wording.ladder_text,
}


@dataclass(frozen=True)
class Placeholder:
    path: tuple[str, ...]
    filters: tuple[str, ...]


@lru_cache(maxsize=1024)
def placeholders(text: str) -> tuple[Placeholder, ...]:
    """The `{name.key|filter}` placeholders in `text`; raises ExpressionError on bad syntax."""
    found: list[Placeholder] = []
    for match in _PLACEHOLDER.finditer(text):
        term, *filters = match.group(1).split("|")
        m = _TERM.match(term)
        if not m:
            raise ExpressionError(f"bad placeholder {{{match.group(1)}}} in {text!r}")
        for f in filters:
            if f.strip() not in FILTERS:
                known = ", ".join(sorted(FILTERS))
                raise ExpressionError(f"unknown filter {f.strip()!r} in {text!r} (known: {known})")
        found.append(Placeholder(tuple(m.group(1).split(".")), tuple(f.strip() for f in filters)))
    return tuple(found)


def _lookup(path: tuple[str, ...], ns: Mapping[str, Any]) -> Any:
    value: Any = ns
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def render(text: str, ns: Mapping[str, Any]) -> str:
    """Fill the placeholders; a missing value or a failing filter renders as empty text."""

    def fill(match: re.Match[str]) -> str:
        term, *filters = match.group(1).split("|")
        value = _lookup(tuple(term.strip().split(".")), ns)
        if value is None:
            return ""
        try:
            for f in filters:
                value = FILTERS[f.strip()](value)
        except (TypeError, ValueError, KeyError):
            return ""
        if isinstance(value, float):
            return _number_text(value)
        return str(value)

    return _PLACEHOLDER.sub(fill, text).strip()
