"""Diff a new GB/T 2260 division list against the current tree and propose the changes it implies.

Same code, other name → rename; same code, other parent → move. A code that disappeared and a
new one of the same level and the same name stem (辽中县 210122 → 辽中区 210115: stem 辽中) →
rename with a new code (撤县设区), or a move when the parent changed too. Of the rest, several
disappeared codes and one new code under the same parent → merge; one disappeared code and
several new ones under its parent → split, with equal shares marked 待核定 for the reviewer to correct. Anything
left is listed for a person to decide.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaifang.orgs.models import ADMIN_DIVISION_KINDS, OrgUnit
from kaifang.orgs.services import LEVEL_KINDS

STEM = re.compile(r"(自治县|自治旗|新区|县|区|市|旗)$")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    parent: str
    kind: str

    @property
    def stem(self) -> str:
        return STEM.sub("", self.name)


@dataclass
class Diff:
    proposals: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for p in self.proposals:
            before = "、".join(f"{s['name']}（{s['code']}）" for s in p["source_rows"])
            after = "、".join(f"{r['name']}（{r['code']}）" for r in p["results"])
            out.append(f"{p['label']}：{before} → {after}")
        return out + [_("需人工判断：%(x)s") % {"x": text} for text in self.unmatched]


def read_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [
        Row(r["code"].strip(), r["name"].strip(), (r.get("parent_code") or "").strip(), LEVEL_KINDS[r["level"].strip()])
        for r in reader
        if (r.get("code") or "").strip() and (r.get("level") or "").strip() in LEVEL_KINDS
    ]


def tree_rows(on: datetime.date, prefixes: set[str]) -> list[Row]:
    """The divisions valid on `on` whose codes start with one of `prefixes` (the file's provinces)."""
    units = OrgUnit.objects.current(on).filter(kind__in=ADMIN_DIVISION_KINDS).select_related("parent")
    return [
        Row(u.code, u.name, u.parent.code if u.parent else "", u.kind)
        for u in units
        if any(u.code.startswith(p) for p in prefixes)
    ]


def _proposal(kind: str, label: str, sources: list[Row], results: list[Row], shares: list[str]) -> dict[str, Any]:
    return {
        "kind": kind,
        "label": label,
        "sources": [s.code for s in sources],
        "source_rows": [{"code": s.code, "name": s.name} for s in sources],
        "results": [
            {"code": r.code, "name": r.name, "parent": r.parent, "share": share}
            for r, share in zip(results, shares, strict=True)
        ],
    }


def diff(old: list[Row], new: list[Row]) -> Diff:
    before, after = {r.code: r for r in old}, {r.code: r for r in new}
    out = Diff()
    for code in sorted(before.keys() & after.keys()):
        a, b = before[code], after[code]
        if a.parent != b.parent:
            out.proposals.append(_proposal("move", _("变更隶属"), [a], [b], ["1"]))
        elif a.name != b.name:
            out.proposals.append(_proposal("rename", _("更名"), [a], [b], ["1"]))
    gone = [before[c] for c in sorted(before.keys() - after.keys())]
    added = [after[c] for c in sorted(after.keys() - before.keys())]
    for g in list(gone):
        match = next((a for a in added if a.kind == g.kind and a.stem == g.stem), None)
        if match is None:
            continue
        gone.remove(g)
        added.remove(match)
        if match.parent == g.parent:
            label = _("撤县设区") if g.name.endswith("县") and match.name.endswith("区") else _("更名并更改代码")
            out.proposals.append(_proposal("rename", label, [g], [match], ["1"]))
        else:
            out.proposals.append(_proposal("move", _("变更隶属并更改代码"), [g], [match], ["1"]))
    for parent in sorted({r.parent for r in gone} | {r.parent for r in added}):
        was = [g for g in gone if g.parent == parent]
        now = [a for a in added if a.parent == parent]
        if len(now) == 1 and len(was) >= 2:
            out.proposals.append(_proposal("merge", _("合并"), was, now, ["1"]))
        elif len(was) == 1 and len(now) >= 2:
            equal = (Decimal(1) / len(now)).quantize(Decimal("0.000001"))
            shares = [str(equal)] * (len(now) - 1) + [str(Decimal(1) - equal * (len(now) - 1))]
            out.proposals.append(_proposal("split", _("拆分（份额待核定）"), was, now, shares))
        else:
            continue  # nothing, or too ambiguous to guess: left for a person
        gone = [g for g in gone if g not in was]
        added = [a for a in added if a not in now]
    out.unmatched += [_("撤销 %(n)s（%(c)s）") % {"n": g.name, "c": g.code} for g in gone]
    out.unmatched += [_("新设 %(n)s（%(c)s）") % {"n": a.name, "c": a.code} for a in added]
    return out
