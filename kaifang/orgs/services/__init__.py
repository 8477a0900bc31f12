"""Writes to the org tree: loading division lists, departments, platforms and groups."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.orgs.models import OrgUnit, UnitGroup, UnitKind

UNIT_FIELDS = ["code", "name", "short_name", "kind", "parent_id", "valid_from", "valid_to", "platform_type"]
DIVISION_CODE = re.compile(r"^\d{6}$")
LEVEL_KINDS = {
    "province": UnitKind.PROVINCE,
    "prefecture": UnitKind.CITY,
    "city": UnitKind.CITY,
    "county": UnitKind.COUNTY,
}
NAME_SUFFIX = re.compile(r"(省|市|自治州|地区|盟|区|县|自治县|旗)$")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("新增 %(c)d 个，更新 %(u)d 个，未变 %(n)d 个") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }


def short_name_for(name: str, kind: str) -> str:
    """沈阳市 → 沈阳; counties keep their full name (浑南区) because stems collide across cities."""
    if kind in (UnitKind.PROVINCE, UnitKind.CITY):
        stem = NAME_SUFFIX.sub("", name)
        return stem if len(stem) >= 2 else name
    return name


def pinyin_initials(name: str) -> str:
    """The pinyin initials of a unit's name for type-ahead (沈阳市 → "sys"). Place names often start
    with a character of several readings (长海县 changhai, 朝阳市 chaoyang) that a dictionary reads
    otherwise, so the first two characters give every reading: "chx zhx", the usual reading first."""
    from pypinyin import Style, lazy_pinyin, pinyin

    def initial(reading: str) -> str:
        return reading[:1].lower() if reading[:1].isascii() and reading[:1].isalpha() else ""

    usual = "".join(initial(r) for r in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    head = pinyin(name[:2], style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    heads = [""]
    for readings in head:
        letters = sorted({initial(r) for r in readings} - {""})
        heads = [h + letter for h in heads for letter in letters or [""]]
    tail = usual[len(heads[0]) :] if heads else usual
    variants = [usual] + [h + tail for h in heads if h + tail != usual]
    return " ".join(dict.fromkeys(v for v in variants if v))[:200]


def _path_for(code: str, parent: OrgUnit | None) -> tuple[str, int]:
    if parent is None:
        return f"/{code}/", 0
    return f"{parent.path}{code}/", parent.depth + 1


def upsert_unit(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    short_name: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    platform_type: str = "",
    sort_order: int = 0,
) -> tuple[OrgUnit, str]:
    """Create or update one unit by code; returns it and "created" | "updated" | "unchanged"."""
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("未知单位类型：%(kind)s") % {"kind": kind}})
    if not code or len(code) > 32 or not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        raise ValidationError({"code": _("单位代码“%(code)s”格式不正确。") % {"code": code}})
    if not name.strip():
        raise ValidationError({"name": _("单位名称不能为空。")})
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("停用日期不能早于启用日期。")})
    path, depth = _path_for(code, parent)
    values = {
        "name": name.strip(),
        "short_name": short_name or short_name_for(name.strip(), kind),
        "kind": kind,
        "parent": parent,
        "path": path,
        "depth": depth,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "platform_type": platform_type,
        "sort_order": sort_order,
        "initials": pinyin_initials(name.strip()),
    }
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().filter(code=code).first()
        if unit is None:
            unit = OrgUnit.objects.create(code=code, **values)
            record_event(
                actor=actor,
                action="orgs.unit.create",
                obj=unit,
                unit=unit,
                after={f: getattr(unit, f) for f in UNIT_FIELDS},
            )
            return unit, "created"
        before = {f: getattr(unit, f) for f in UNIT_FIELDS}
        for key, value in values.items():
            setattr(unit, key, value)
        after = {f: getattr(unit, f) for f in UNIT_FIELDS}
        if before == after and unit.path == path:
            if unit.initials != values["initials"]:  # derived from the name: kept current, not a change
                OrgUnit.objects.filter(pk=unit.pk).update(initials=values["initials"])
            return unit, "unchanged"
        unit.version += 1
        unit.save()
        record_event(actor=actor, action="orgs.unit.update", obj=unit, unit=unit, before=before, after=after)
        return unit, "updated"


def _parse_date(text: str, *, row: int, column: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            _("第 %(row)d 行“%(col)s”列：日期“%(v)s”格式应为 YYYY-MM-DD。") % {"row": row, "col": column, "v": text}
        ) from exc


def load_divisions(*, actor: Any, text: str) -> LoadResult:
    """Load a GB/T 2260 division list (CSV: code,name,parent_code,level[,valid_from,valid_to]).

    All-or-nothing: every row is checked first and any error names its row; then units are
    upserted by code, parents before children, in one transaction. Loading the same file twice
    changes nothing the second time.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "parent_code", "level"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(_("CSV 缺少列：%(cols)s") % {"cols": "、".join(sorted(missing))})
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        code, name = (raw.get("code") or "").strip(), (raw.get("name") or "").strip()
        level, parent_code = (raw.get("level") or "").strip(), (raw.get("parent_code") or "").strip()
        if not DIVISION_CODE.match(code):
            errors.append(_("第 %(row)d 行“code”列：“%(v)s”不是 6 位行政区划代码。") % {"row": number, "v": code})
            continue
        if code in seen:
            errors.append(_("第 %(row)d 行“code”列：代码 %(v)s 重复。") % {"row": number, "v": code})
        seen.add(code)
        if not name:
            errors.append(_("第 %(row)d 行“name”列：名称不能为空。") % {"row": number})
        if level not in LEVEL_KINDS:
            errors.append(
                _("第 %(row)d 行“level”列：未知层级“%(v)s”（应为 province、prefecture 或 county）。")
                % {"row": number, "v": level}
            )
            continue
        try:
            valid_from = _parse_date(raw.get("valid_from") or "", row=number, column="valid_from")
            valid_to = _parse_date(raw.get("valid_to") or "", row=number, column="valid_to")
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        rows.append(
            {
                "row": number,
                "code": code,
                "name": name,
                "kind": LEVEL_KINDS[level],
                "parent_code": parent_code,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
    known = seen | set(OrgUnit.objects.values_list("code", flat=True))
    for row in rows:
        if row["parent_code"] and row["parent_code"] not in known:
            errors.append(
                _("第 %(row)d 行“parent_code”列：上级代码 %(v)s 不存在。")
                % {"row": row["row"], "v": row["parent_code"]}
            )
        if not row["parent_code"] and row["kind"] != UnitKind.PROVINCE:
            errors.append(_("第 %(row)d 行“parent_code”列：只有省级单位可以没有上级。") % {"row": row["row"]})
    if errors:
        raise ValidationError(errors)
    order = {UnitKind.PROVINCE: 0, UnitKind.CITY: 1, UnitKind.COUNTY: 2}
    result = LoadResult()
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: (order[r["kind"]], r["code"])):
            parent = OrgUnit.objects.get(code=row["parent_code"]) if row["parent_code"] else None
            _unit, outcome = upsert_unit(
                actor=actor,
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                parent=parent,
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                sort_order=int(row["code"]),
            )
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def set_group_members(*, actor: Any, code: str, name: str, members: list[OrgUnit], description: str = "") -> UnitGroup:
    """Create or redefine a unit group; the member list before and after goes to the audit trail."""
    with transaction.atomic():
        group, created = UnitGroup.objects.get_or_create(code=code, defaults={"name": name, "description": description})
        before = (
            None if created else {"name": group.name, "members": sorted(group.members.values_list("code", flat=True))}
        )
        group.name, group.description = name, description
        group.save()
        group.members.set(members)
        after = {"name": name, "members": sorted(u.code for u in members)}
        if before != after:
            record_event(
                actor=actor,
                action="orgs.group.create" if created else "orgs.group.update",
                obj=group,
                before=before,
                after=after,
            )
    return group


def load_departments(*, actor: Any, text: str, province: OrgUnit) -> LoadResult:
    """Load the provincial departments (省直部门) under the province from a CSV (code,name[,short_name]).

    Departments have no GB/T 2260 code: the province chooses stable codes (SWT, FGW …). Checked
    row by row first, then upserted in one transaction; loading the same file again changes nothing.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(_("CSV 缺少列：%(cols)s") % {"cols": "、".join(sorted(missing))})
    rows, errors, seen = [], [], set()
    for number, raw in enumerate(reader, start=2):
        code, name = (raw.get("code") or "").strip(), (raw.get("name") or "").strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{1,31}", code):
            errors.append(
                _("第 %(row)d 行“code”列：“%(v)s”应为字母开头的字母、数字（如 SWT）。") % {"row": number, "v": code}
            )
        elif code in seen:
            errors.append(_("第 %(row)d 行“code”列：代码 %(v)s 重复。") % {"row": number, "v": code})
        seen.add(code)
        if not name:
            errors.append(_("第 %(row)d 行“name”列：名称不能为空。") % {"row": number})
        rows.append((code, name, (raw.get("short_name") or "").strip()))
    if errors:
        raise ValidationError(errors)
    result = LoadResult()
    with transaction.atomic():
        for index, (code, name, short) in enumerate(rows):
            _unit, outcome = upsert_unit(
                actor=actor,
                code=code,
                name=name,
                short_name=short,
                kind=UnitKind.DEPARTMENT,
                parent=province,
                sort_order=900000 + index,
            )
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


STANDARD_GROUPS = [
    ("G-CITIES", UnitKind.CITY, "地级市", "全省地级市，市级考核组"),
    ("G-COUNTIES", UnitKind.COUNTY, "县（市、区）", "全省县级行政单位，县级考核组"),
    ("G-DEPTS", UnitKind.DEPARTMENT, "省直部门", "参与对外开放工作考核的省直部门"),
]


def set_standard_groups(*, actor: Any) -> list[UnitGroup]:
    """The groups every province ranks within: all current cities, counties and departments."""
    return [
        set_group_members(
            actor=actor,
            code=code,
            name=name,
            members=list(OrgUnit.objects.current().filter(kind=kind)),
            description=description,
        )
        for code, kind, name, description in STANDARD_GROUPS
    ]
