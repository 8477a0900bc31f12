"""A small, safe expression language for derived indicators (never `eval`).

    expr    := term (("+" | "-") term)*
    term    := factor (("*" | "/") factor)*
    factor  := ("+" | "-") factor | primary
    primary := NUMBER | CODE | FUNC "(" expr ("," expr)* ")" | "(" expr ")"

Operands are indicator codes (EXPORT, FDI_NEW …) and decimal numbers; × ÷ − are accepted for
* / -. Functions: share(a, b) and ratio(a, b) (a ÷ b), yoy(a) (growth of a against the same
period last year), abs(a), min(a, b, …), max(a, b, …). A division by zero, or a zero/missing base,
gives NOT_COMPARABLE (不可比); a missing operand gives None (no value). No Django here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kaifang.indicators.maths import NOT_COMPARABLE, _NotComparable, yoy_growth

MAX_LENGTH = 500
MAX_DEPTH = 40
FUNCTIONS = {"share": 2, "ratio": 2, "yoy": 1, "abs": 1, "min": -1, "max": -1}
Value = Decimal | _NotComparable | None

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()×÷−,]))")
_OPS = {"×": "*", "÷": "/", "−": "-"}


class ExpressionError(ValueError):
    """A formula that cannot be parsed; the message is Chinese and says where."""


@dataclass(frozen=True)
class Token:
    kind: str  # number | name | op | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"公式过长（最多 {MAX_LENGTH} 个字符）。")
    tokens: list[Token] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"第 {position + 1} 个字符“{stripped[position]}”无法识别。")
        kind = match.lastgroup or "op"
        value = match.group(kind)
        tokens.append(Token(kind, _OPS.get(value, value), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(stripped)))
    return tokens


# --- Syntax tree --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Number | Ref | Unary | Binary | Call


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None) -> Token:
        token = self.token
        if text is not None and token.text != text:
            where = "末尾" if token.kind == "end" else f"第 {token.position + 1} 个字符"
            raise ExpressionError(f"{where}处应为“{text}”。")
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("公式为空。")
        node = self.expr()
        if self.token.kind != "end":
            raise ExpressionError(f"第 {self.token.position + 1} 个字符处多出“{self.token.text}”。")
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("公式嵌套过深。")
        node = self.term()
        while self.token.text in ("+", "-") and self.token.kind == "op":
            op = self.take().text
            node = Binary(op, node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.token.text in ("*", "/") and self.token.kind == "op":
            op = self.take().text
            node = Binary(op, node, self.factor())
        return node

    def factor(self) -> Node:
        if self.token.kind == "op" and self.token.text in ("+", "-"):
            op = self.take().text
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError("公式嵌套过深。")
            node = Unary(op, self.factor())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.take()
            try:
                return Number(Decimal(token.text))
            except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
                raise ExpressionError(f"数字“{token.text}”无效。") from exc
        if token.kind == "name":
            self.take()
            if self.token.text == "(":
                name = token.text.lower()
                if name not in FUNCTIONS:
                    raise ExpressionError(f"未知函数“{token.text}”（可用：{'、'.join(FUNCTIONS)}）。")
                self.take("(")
                args = [self.expr()]
                while self.token.text == ",":
                    self.take(",")
                    args.append(self.expr())
                self.take(")")
                arity = FUNCTIONS[name]
                if arity >= 0 and len(args) != arity:
                    raise ExpressionError(f"函数 {name} 需要 {arity} 个参数。")
                return Call(name, tuple(args))
            return Ref(token.text)
        if token.text == "(":
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        where = "末尾" if token.kind == "end" else f"第 {token.position + 1} 个字符“{token.text}”"
        raise ExpressionError(f"{where}处缺少数字、指标代码或括号。")


def parse(text: str) -> Node:
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """The indicator codes a formula reads."""
    if isinstance(node, Ref):
        return {node.code}
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    if isinstance(node, Call):
        out: set[str] = set()
        for arg in node.args:
            out |= references(arg)
        return out
    return set()


def uses_last_year(node: Node) -> bool:
    if isinstance(node, Call):
        return node.name == "yoy" or any(uses_last_year(a) for a in node.args)
    if isinstance(node, Unary):
        return uses_last_year(node.operand)
    if isinstance(node, Binary):
        return uses_last_year(node.left) or uses_last_year(node.right)
    return False


# --- Evaluation ---------------------------------------------------------------------------------

Lookup = Callable[[str, int], Decimal | None]
"""lookup(code, years_back) → the operand's value (this period, or the same period years back)."""


def evaluate(node: Node, lookup: Lookup, years_back: int = 0) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        return lookup(node.code, years_back)
    if isinstance(node, Unary):
        value = evaluate(node.operand, lookup, years_back)
        if not isinstance(value, Decimal):
            return value
        return -value if node.op == "-" else value
    if isinstance(node, Binary):
        left = evaluate(node.left, lookup, years_back)
        right = evaluate(node.right, lookup, years_back)
        if left is NOT_COMPARABLE or right is NOT_COMPARABLE:
            return NOT_COMPARABLE
        if not isinstance(left, Decimal) or not isinstance(right, Decimal):
            return None
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            return NOT_COMPARABLE
        return left / right
    return _call(node, lookup, years_back)


def _call(node: Call, lookup: Lookup, years_back: int) -> Value:
    if node.name == "yoy":
        current = evaluate(node.args[0], lookup, years_back)
        base = evaluate(node.args[0], lookup, years_back + 1)
        if current is NOT_COMPARABLE or base is NOT_COMPARABLE:
            return NOT_COMPARABLE
        return yoy_growth(current, base)  # type: ignore[arg-type]
    values = [evaluate(arg, lookup, years_back) for arg in node.args]
    if any(v is NOT_COMPARABLE for v in values):
        return NOT_COMPARABLE
    if any(v is None for v in values):
        return None
    numbers = [v for v in values if isinstance(v, Decimal)]
    if node.name in ("share", "ratio"):
        return NOT_COMPARABLE if numbers[1] == 0 else numbers[0] / numbers[1]
    if node.name == "abs":
        return abs(numbers[0])
    if node.name == "min":
        return min(numbers)
    return max(numbers)


def check(text: str, known_codes: set[str], *, own_code: str = "") -> set[str]:
    """Parse and check a formula against the catalogue; returns its references or raises."""
    node = parse(text)
    refs = references(node)
    unknown = sorted(refs - known_codes)
    if unknown:
        raise ExpressionError(f"公式引用了不存在的指标：{'、'.join(unknown)}。")
    if own_code and own_code in refs:
        raise ExpressionError("公式不能引用指标自身。")
    return refs


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A formula that depends on itself through others: the first cycle found as a path of codes
    (["A", "B", "A"]), or None. `graph` maps each formula indicator to the codes it references."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(code: str) -> list[str] | None:
        state[code] = 1
        path.append(code)
        for ref in sorted(graph.get(code, ())):
            if state.get(ref) == 1:
                return [*path[path.index(ref) :], ref]
            if ref in graph and ref not in state:
                found = visit(ref)
                if found:
                    return found
        path.pop()
        state[code] = 2
        return None

    for code in sorted(graph):
        if code not in state:
            found = visit(code)
            if found:
                return found
    return None


def cycle_message(cycle: list[str]) -> str:
    return f"公式循环引用：{' → '.join(cycle)}。"
