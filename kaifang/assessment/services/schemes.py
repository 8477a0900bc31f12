"""An assessment scheme as a file (JSON or YAML): export, a fully validated import whose dry run shows
the rule texts generated from the file, and copying last year's scheme into a new year as a draft.

A file holds one scheme: code, name, year, group (a unit group code), tie rule, grading, items
(code, name, kind, weight, indicator code, params, missing rule). The import checks everything the
engine will need — kinds and their parameters, weights, indicator codes, the group, the tie rule,
the grade bands — before writing. A new code becomes version 1 (a draft); a known code becomes its
next version (a draft, with the reason "imported from <file>"), unless the file equals the latest
version, which changes nothing. `activate` puts the imported version in use at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_province_user
from kaifang.assessment import engine, services
from kaifang.assessment.models import AssessmentScheme
from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.core.spreadsheets import Problem
from kaifang.indicators.models import Indicator
from kaifang.orgs.models import UnitGroup

FORMAT = "kaifang.scheme"
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
ITEM_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_BYTES = 1024 * 1024
SCHEME_KEYS = {"format", "version", "code", "name", "year", "group", "tie_rule", "grading", "description", "items"}
ITEM_KEYS = {"code", "name", "kind", "weight", "indicator", "params", "missing"}


def scheme_document(scheme: AssessmentScheme) -> dict[str, Any]:
    """One scheme version as a JSON/YAML-ready document (what `import_scheme` reads back)."""
    return {
        "format": FORMAT,
        "version": 1,
        "code": scheme.code,
        "name": scheme.name,
        "year": scheme.year,
        "group": scheme.group.code,
        "tie_rule": scheme.tie_rule,
        "grading": scheme.grading,
        "description": scheme.description,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "weight": engine.fmt(i.weight),
                "indicator": i.indicator.code if i.indicator else None,
                "params": i.params,
                "missing": i.missing,
            }
            for i in scheme.items.select_related("indicator")
        ],
    }


def scheme_file(scheme: AssessmentScheme, fmt: str) -> bytes:
    document = scheme_document(scheme)
    if fmt == "yaml":
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass
class SchemeImportResult:
    filename: str
    sha256: str = ""
    rows: int = 0  # items
    document: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    item_texts: list[tuple[str, str]] = field(default_factory=list)  # (item name, generated formula text)
    existing: AssessmentScheme | None = None
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scheme: AssessmentScheme | None = None
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return _("发现 %(n)d 个问题，未导入方案。请修改后重新上传。") % {"n": len(self.problems)}
        code = self.document.get("code", "")
        if self.unchanged:
            return _("方案 %(c)s 与现有第 %(n)d 版相同，无需导入。") % {"c": code, "n": self.existing.number}  # type: ignore[union-attr]
        if self.committed and self.scheme is not None:
            return _("已导入方案 %(c)s 第 %(n)d 版（%(s)s）。") % {
                "c": code,
                "n": self.scheme.number,
                "s": self.scheme.get_status_display(),
            }
        what = _("新版本") if self.existing else _("新方案")
        return _("检查通过（尚未导入）：%(c)s，%(what)s，%(n)d 个考核项。") % {"c": code, "what": what, "n": self.rows}


def _parse(data: bytes, filename: str) -> dict[str, Any]:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件超过 1 MB。"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("文件须为 UTF-8 编码的 JSON 或 YAML。")) from exc
    try:
        is_yaml = filename.lower().endswith((".yaml", ".yml"))
        document = yaml.safe_load(text) if is_yaml else json.loads(text)  # safe_load: plain data, no objects
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValidationError(_("文件格式不正确：%(e)s") % {"e": str(exc)[:160]}) from exc
    if not isinstance(document, dict):
        raise ValidationError(_("文件内容应为一个方案（键值对象）。"))
    return document


def _check_grading(grading: Any) -> list[str]:
    if not isinstance(grading, dict) or grading.get("mode") not in ("thresholds", "shares"):
        return [_("grading 的 mode 应为 thresholds（按分数线）或 shares（按名次比例）。")]
    bands = grading.get("bands")
    if not isinstance(bands, list) or not bands:
        return [_("grading 的 bands 应为 [数值, 等次] 的列表。")]
    problems, total = [], Decimal(0)
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, list | tuple) or len(band) != 2 or str(band[1]) not in engine.GRADES:
            problems.append(
                _("grading 第 %(i)d 档应为 [数值, 等次]，等次为：%(g)s。") % {"i": index, "g": "、".join(engine.GRADES)}
            )
            continue
        try:
            value = engine.dec(band[0])
        except engine.SchemeError:
            problems.append(_("grading 第 %(i)d 档的数值“%(v)s”不是数字。") % {"i": index, "v": str(band[0])[:20]})
            continue
        total += value
        if grading["mode"] == "shares" and not Decimal(0) < value <= 1:
            problems.append(_("grading 第 %(i)d 档的比例应在 0 与 1 之间。") % {"i": index})
    if grading["mode"] == "shares" and total > 1:
        problems.append(_("grading 各档比例之和不能超过 1。"))
    return problems


def _problems(document: dict[str, Any]) -> list[str]:
    """Everything wrong with the document, each message naming the key or the item."""
    problems = []
    unknown = set(document) - SCHEME_KEYS
    if unknown:
        problems.append(_("未知的键：%(k)s。") % {"k": "、".join(sorted(map(str, unknown)))})
    if not CODE.match(str(document.get("code", ""))):
        problems.append(_("code（方案代码）须为字母、数字、- 或 _，最长 32 位。"))
    if not str(document.get("name", "")).strip() or len(str(document.get("name", ""))) > 120:
        problems.append(_("name（方案名称）须填写，最长 120 字。"))
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        problems.append(_("year（年度）应为 2000–2100 的整数。"))
    if not UnitGroup.objects.filter(code=str(document.get("group", ""))).exists():
        problems.append(_("group（考核组）“%(g)s”不存在。") % {"g": str(document.get("group", ""))[:32]})
    problems += _check_grading(document.get("grading", {"mode": "thresholds", "bands": [["90", "优秀"]]}))
    items = document.get("items")
    if not isinstance(items, list) or not items:
        return [*problems, _("items（考核项）应为非空列表。")]

    known = set(Indicator.objects.values_list("code", flat=True))
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(_("第 %(i)d 个考核项不是对象。") % {"i": index})
            continue
        label = _("第 %(i)d 个考核项（%(c)s）") % {"i": index, "c": str(item.get("code", "—"))[:32]}
        extra = set(item) - ITEM_KEYS
        if extra:
            problems.append(_("%(l)s：未知的键 %(k)s。") % {"l": label, "k": "、".join(sorted(map(str, extra)))})
        if not ITEM_CODE.match(str(item.get("code", ""))) or not str(item.get("name", "")).strip():
            problems.append(_("%(l)s：须有 code（字母、数字、- 或 _）和 name。") % {"l": label})
        try:
            engine.validate_params(
                str(item.get("kind", "")), item.get("params") or {}, weight=engine.dec(item.get("weight", 0))
            )
        except engine.SchemeError as exc:
            problems.append(f"{label}：{exc}")
        indicator = item.get("indicator")
        if item.get("kind") in engine.INDICATOR_KINDS and not indicator:
            problems.append(_("%(l)s：该类型须给出 indicator（指标代码）。") % {"l": label})
        elif indicator and str(indicator) not in known:
            problems.append(_("%(l)s：指标代码“%(c)s”不存在。") % {"l": label, "c": str(indicator)[:32]})
        if item.get("missing", engine.MISSING_ZERO) not in (engine.MISSING_ZERO, engine.MISSING_EXCLUDE):
            problems.append(_("%(l)s：missing 只能是 zero 或 exclude。") % {"l": label})
    if not problems:
        try:
            engine.validate_scheme(_engine_scheme(document))
        except engine.SchemeError as exc:
            problems.append(str(exc))
    return problems


def _items(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": str(i["code"]),
            "name": str(i["name"]),
            "kind": str(i["kind"]),
            "weight": str(i.get("weight", "0")),
            "params": dict(i.get("params") or {}),
            "indicator": str(i["indicator"]) if i.get("indicator") else None,
            "missing": i.get("missing", engine.MISSING_ZERO),
        }
        for i in document["items"]
    ]


def _engine_scheme(document: dict[str, Any]) -> engine.Scheme:
    items = tuple(
        engine.Item(
            code=i["code"],
            name=i["name"],
            kind=i["kind"],
            weight=engine.dec(i["weight"]),
            params=i["params"],
            indicator=i["indicator"] or "",
            missing=i["missing"],
        )
        for i in _items(document)
    )
    grading = document.get("grading") or engine.Scheme("", "", ()).grading
    return engine.Scheme(
        str(document["code"]), str(document["name"]), items, str(document.get("tie_rule") or "shared"), grading
    )


def _same(scheme: AssessmentScheme, document: dict[str, Any]) -> bool:
    stored = scheme_document(scheme)
    keys = ["name", "year", "group", "tie_rule", "grading", "description"]
    normalise = [{**i, "weight": engine.fmt(engine.dec(i["weight"]))} for i in _items(document)]
    return all(stored[k] == document.get(k, stored[k]) for k in keys) and stored["items"] == normalise


def check_scheme_file(*, data: bytes, filename: str) -> SchemeImportResult:
    """The dry run: parse, validate everything, and generate the rule texts from the file."""
    result = SchemeImportResult(filename=(filename or "scheme.json")[:200], sha256=hashlib.sha256(data).hexdigest())
    try:
        document = _parse(data, result.filename)
    except ValidationError as exc:
        result.problems = [Problem(m) for m in exc.messages]
        return result
    result.document = document
    result.problems = [Problem(m) for m in _problems(document)]
    if result.problems:
        return result
    scheme = _engine_scheme(document)
    result.rows = len(scheme.items)
    group = UnitGroup.objects.get(code=document["group"])
    result.rules = engine.rules_text(scheme, group.members.count())
    result.item_texts = [(i.name, engine.describe(i)) for i in scheme.items]
    result.existing = AssessmentScheme.objects.filter(code=document["code"]).order_by("-number").first()
    if result.existing is not None:
        if result.existing.year != document["year"] or result.existing.group.code != document["group"]:
            result.problems.append(
                Problem(
                    _("方案代码 %(c)s 已用于 %(y)d 年度“%(g)s”；新年度或新考核组请换一个方案代码。")
                    % {"c": document["code"], "y": result.existing.year, "g": result.existing.group.name}
                )
            )
        elif _same(result.existing, document):
            result.unchanged = [document["code"]]
    return result


def import_scheme(
    *, actor: Any, data: bytes, filename: str, commit: bool, activate: bool = False
) -> SchemeImportResult:
    """Check a scheme file and, with `commit`, create it (or its next version) as a draft; with
    `activate`, put it in use. All in one transaction, audited with the file's SHA-256."""
    if not is_system_actor(actor) and not is_province_user(actor):
        raise PermissionDenied(_("只有省级管理员或督查人员可以管理考核方案。"))
    result = check_scheme_file(data=data, filename=filename)
    if not commit or result.problems or result.unchanged:
        return result
    document = result.document
    try:
        with transaction.atomic():
            if result.existing is None:
                scheme = services.create_scheme(
                    actor=actor,
                    code=document["code"],
                    name=document["name"],
                    year=document["year"],
                    group=UnitGroup.objects.get(code=document["group"]),
                    items=_items(document),
                    tie_rule=str(document.get("tie_rule") or "shared"),
                    grading=document.get("grading"),
                    description=str(document.get("description") or ""),
                )
            else:
                scheme = services.revise_scheme(
                    actor=actor,
                    scheme=result.existing,
                    reason=_("从文件导入：%(f)s") % {"f": result.filename},
                    items=_items(document),
                    name=document["name"],
                    tie_rule=str(document.get("tie_rule") or "shared"),
                    grading=document.get("grading"),
                )
            record_event(
                actor=actor,
                action="assessment.scheme.import",
                obj=scheme,
                after={"file": result.filename, "sha256": result.sha256, "number": scheme.number},
            )
            if activate:
                scheme = services.activate_scheme(actor=actor, scheme=scheme)
    except (ValidationError, engine.SchemeError) as exc:
        result.problems = [Problem(m) for m in getattr(exc, "messages", [str(exc)])]
        return result
    result.scheme, result.committed = scheme, True
    return result


def next_year_code(code: str, year: int, new_year: int) -> str:
    """KH-2018-CITY → KH-2019-CITY; a code without its year gets the new year appended."""
    return code.replace(str(year), str(new_year)) if str(year) in code else f"{code}-{new_year}"[:32]


def copy_scheme_to_year(
    *, actor: Any, scheme: AssessmentScheme, year: int, code: str = "", name: str = ""
) -> AssessmentScheme:
    """Last year's scheme as a draft for `year`: the same group, items, weights, parameters and
    rules under a new code (the year replaced in code and name unless given), version 1."""
    if not is_system_actor(actor) and not is_province_user(actor):
        raise PermissionDenied(_("只有省级管理员或督查人员可以管理考核方案。"))
    if not 2000 <= year <= 2100 or year == scheme.year:
        raise ValidationError({"year": _("请填写与原方案不同的年度。")})
    code = code.strip() or next_year_code(scheme.code, scheme.year, year)
    name = name.strip() or scheme.name.replace(str(scheme.year), str(year))
    if not CODE.match(code):
        raise ValidationError({"code": _("方案代码须为字母、数字、- 或 _，最长 32 位。")})
    document = {**scheme_document(scheme), "code": code, "name": name, "year": year}
    with transaction.atomic():
        copy = services.create_scheme(
            actor=actor,
            code=code,
            name=name,
            year=year,
            group=scheme.group,
            items=_items(document),
            tie_rule=scheme.tie_rule,
            grading=scheme.grading,
            description=scheme.description,
        )
        record_event(
            actor=actor,
            action="assessment.scheme.copy",
            obj=copy,
            after={"from": scheme.code, "from_number": scheme.number, "year": year},
        )
    return copy
