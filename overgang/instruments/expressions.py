"""The relevance (skip-logic) language of instruments.md §2.4.

A definition's `relevant` cell is text written by people, stored in the repository and
evaluated on the server for every save and every imported record. It is therefore
parsed by a small hand-written tokenizer and recursive-descent parser into frozen
dataclasses and interpreted by walking that tree; nothing is ever handed to `eval`.

Grammar (§2.4)::

    expr     = and_expr { "or" and_expr }
    and_expr = unary { "and" unary }
    unary    = "not" "(" expr ")" | "(" expr ")" | atom
    atom     = ref op number | "selected(" ref "," integer ")"
    op       = "=" | "!=" | "<" | "<=" | ">" | ">="
    ref      = "${" item "}"
    number   = [ "-" ] digits [ "." digits ]
    integer  = digits

The language has no string literals and no `true`/`false`: an empty cell means "always
relevant" and is represented by ``ALWAYS``.

Semantics: an atom is false when its item has no value, including ``!=`` (§2.4), so
``not``, ``and`` and ``or`` are ordinary Boolean operators over atoms that already
encode "answered". Which answers count as values (only those of relevant items) is the
engine's business; ``evaluate`` treats whatever is in the mapping as the values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExpressionError(ValueError):
    """A relevance expression that does not follow the grammar; `position` is 0-based."""

    def __init__(self, message: str, position: int, source: str = ""):
        self.message = message
        self.position = position
        self.source = source
        super().__init__(f"{message} at position {position}" + (f" in {source!r}" if source else ""))


# --- the tree --------------------------------------------------------------------


@dataclass(frozen=True)
class Always:
    """The empty expression: always relevant."""

    def __str__(self):
        return ""


@dataclass(frozen=True)
class Compare:
    name: str
    op: str
    value: Decimal
    position: int = 0

    def __str__(self):
        return f"${{{self.name}}} {self.op} {self.value}"


@dataclass(frozen=True)
class Selected:
    name: str
    code: int
    position: int = 0

    def __str__(self):
        return f"selected(${{{self.name}}}, {self.code})"


@dataclass(frozen=True)
class Not:
    operand: Expression

    def __str__(self):
        return f"not ({self.operand})"


@dataclass(frozen=True)
class And:
    operands: tuple[Expression, ...]

    def __str__(self):
        return " and ".join(_wrap(o, Or) for o in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Expression, ...]

    def __str__(self):
        return " or ".join(str(o) for o in self.operands)


Expression = Always | Compare | Selected | Not | And | Or
ALWAYS = Always()


def _wrap(node, kind):
    return f"({node})" if isinstance(node, kind) else str(node)


# --- tokenizer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ref, number, op, lparen, rparen, comma, and, or, not, selected, end
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    tokens = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            i += 1
        elif source.startswith("${", i):
            end = source.find("}", i + 2)
            if end < 0:
                raise ExpressionError("unclosed reference '${'", i, source)
            name = source[i + 2 : end]
            if not _NAME.fullmatch(name):
                raise ExpressionError(f"bad item name {name!r} in reference", i, source)
            tokens.append(Token("ref", name, i))
            i = end + 1
        elif _NUMBER.match(source, i):
            m = _NUMBER.match(source, i)
            if m.end() < n and (source[m.end()] == "." or source[m.end()].isalnum()):
                raise ExpressionError("malformed number", i, source)
            tokens.append(Token("number", m.group(), i))
            i = m.end()
        elif source.startswith(("!=", "<=", ">="), i):
            tokens.append(Token("op", source[i : i + 2], i))
            i += 2
        elif ch in "=<>":
            tokens.append(Token("op", ch, i))
            i += 1
        elif ch in "(),":
            tokens.append(Token({"(": "lparen", ")": "rparen", ",": "comma"}[ch], ch, i))
            i += 1
        elif _WORD.match(source, i):
            word = _WORD.match(source, i).group()
            if word not in ("and", "or", "not", "selected"):
                raise ExpressionError(f"unknown word {word!r} (keywords are lower case: and, or, not, selected)", i, source)
            tokens.append(Token(word, word, i))
            i += len(word)
        else:
            raise ExpressionError(f"unexpected character {ch!r}", i, source)
    tokens.append(Token("end", "", n))
    return tokens


# --- parser ------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self, kind: str, what: str) -> Token:
        tok = self.tok
        if tok.kind != kind:
            found = "end of expression" if tok.kind == "end" else repr(tok.text)
            raise ExpressionError(f"expected {what}, found {found}", tok.position, self.source)
        self.i += 1
        return tok

    def expr(self):
        operands = [self.and_expr()]
        while self.tok.kind == "or":
            self.i += 1
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self):
        operands = [self.unary()]
        while self.tok.kind == "and":
            self.i += 1
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self):
        if self.tok.kind == "not":
            self.i += 1
            self.take("lparen", "'(' after 'not'")
            inner = self.expr()
            self.take("rparen", "')'")
            return Not(inner)
        if self.tok.kind == "lparen":
            self.i += 1
            inner = self.expr()
            self.take("rparen", "')'")
            return inner
        return self.atom()

    def atom(self):
        if self.tok.kind == "selected":
            start = self.tok.position
            self.i += 1
            self.take("lparen", "'(' after 'selected'")
            ref = self.take("ref", "a reference ${item}")
            self.take("comma", "','")
            code = self.take("number", "a code")
            if not _DIGITS.fullmatch(code.text):
                raise ExpressionError("the code in selected() must be a whole number ≥ 0", code.position, self.source)
            self.take("rparen", "')'")
            return Selected(ref.text, int(code.text), start)
        ref = self.take("ref", "a reference ${item}, 'selected(', 'not (' or '('")
        op = self.take("op", "a comparison operator (=, !=, <, <=, >, >=)")
        number = self.take("number", "a number")
        return Compare(ref.text, op.text, Decimal(number.text), ref.position)


def parse(source: str | None) -> Expression:
    """Parse a relevance expression; empty or None is ``ALWAYS``. Raises ExpressionError."""
    if source is None or not source.strip():
        return ALWAYS
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text", 0)
    parser = _Parser(source)
    node = parser.expr()
    if parser.tok.kind != "end":
        raise ExpressionError(f"unexpected {parser.tok.text!r}", parser.tok.position, source)
    return node


# --- inspection --------------------------------------------------------------------


def atoms(node: Expression) -> list[Compare | Selected]:
    """Every atom in source order; the validator checks each against its item."""
    if isinstance(node, (Compare, Selected)):
        return [node]
    if isinstance(node, Not):
        return atoms(node.operand)
    if isinstance(node, (And, Or)):
        return [a for o in node.operands for a in atoms(o)]
    return []


def references(node: Expression) -> list[str]:
    """Referenced item names, first occurrence order, without duplicates."""
    return list(dict.fromkeys(a.name for a in atoms(node)))


# --- evaluation --------------------------------------------------------------------


def _number(value) -> Decimal | None:
    """An answer as a number, or None when it is not one (then every comparison is false)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def _codes(value) -> set[int]:
    """A multiple-choice answer as a set of codes: a tuple of ints or the string '1 3 9'."""
    if isinstance(value, str):
        parts = value.split()
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = list(value)
    else:
        return set()
    out = set()
    for part in parts:
        if isinstance(part, bool):
            continue
        if isinstance(part, int):
            out.add(part)
        elif isinstance(part, str) and _DIGITS.fullmatch(part):
            out.add(int(part))
    return out


def _compare(left: Decimal, op: str, right: Decimal) -> bool:
    try:
        if op == "=":
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
    except InvalidOperation:
        return False
    return False


def evaluate(node: Expression, values: Mapping) -> bool:
    """True when the expression holds for `values` (item name → answer).

    A name that is absent, or maps to None, has no value and makes its atom false.
    Never raises for any mapping: an answer of the wrong shape is simply not a value
    the atom can match.
    """
    if isinstance(node, Always):
        return True
    # (type(...) is dict first: the abstract Mapping check costs more than the rest.)
    mapping = type(values) is dict or isinstance(values, Mapping)
    if isinstance(node, Compare):
        left = _number(values.get(node.name)) if mapping else None
        return left is not None and _compare(left, node.op, node.value)
    if isinstance(node, Selected):
        value = values.get(node.name) if mapping else None
        return value is not None and node.code in _codes(value)
    if isinstance(node, Not):
        return not evaluate(node.operand, values)
    if isinstance(node, And):
        return all(evaluate(o, values) for o in node.operands)
    if isinstance(node, Or):
        return any(evaluate(o, values) for o in node.operands)
    raise TypeError(f"not an expression node: {node!r}")


def predicate(node: Expression):
    """``node`` as a function of the values, with ``predicate(node)(values) ==
    evaluate(node, values)`` for every mapping, built once instead of walking the tree on
    every call (the generator and bulk checks call it millions of times)."""
    if isinstance(node, Always):
        return _always
    if isinstance(node, Compare):
        name, op, right = node.name, node.op, node.value

        def compare(values):
            value = values.get(name) if type(values) is dict or isinstance(values, Mapping) else None
            if type(value) is int:  # the common case (a code), exactly as its Decimal compares
                return _compare(value, op, right)
            left = _number(value)
            return left is not None and _compare(left, op, right)

        return compare
    if isinstance(node, Selected):
        name, code = node.name, node.code

        def selected(values):
            value = values.get(name) if type(values) is dict or isinstance(values, Mapping) else None
            return value is not None and code in _codes(value)

        return selected
    if isinstance(node, Not):
        operand = predicate(node.operand)
        return lambda values: not operand(values)
    if isinstance(node, And):
        operands = tuple(predicate(o) for o in node.operands)
        return lambda values: all(o(values) for o in operands)
    if isinstance(node, Or):
        operands = tuple(predicate(o) for o in node.operands)
        return lambda values: any(o(values) for o in operands)
    raise TypeError(f"not an expression node: {node!r}")


def _always(values):
    return True
