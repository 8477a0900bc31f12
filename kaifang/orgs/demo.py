"""The Liaoning reference tree: real divisions, demo departments, real platforms, policy groups."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from kaifang.core.actors import SystemActor, is_system_actor
from kaifang.orgs.models import ChangeKind, OrgUnit, UnitKind
from kaifang.orgs.services import load_divisions, set_group_members, upsert_unit
from kaifang.orgs.services.changes import record_past

DATA_DIR = Path(settings.BASE_DIR) / "data"

# Provincial departments the demo needs (code, name after the province's name, short name).
DEPARTMENTS = [
    ("SWT", "商务厅", "商务厅"),
    ("FGW", "发展和改革委员会", "发改委"),
    ("GXT", "工业和信息化厅", "工信厅"),
    ("KJT", "科学技术厅", "科技厅"),
    ("RST", "人力资源和社会保障厅", "人社厅"),
    ("ZMB", "自由贸易试验区工作办公室", "自贸办"),
    ("CZT", "财政厅", "财政厅"),
    ("TJJ", "统计局", "统计局"),
    ("WSB", "人民政府外事办公室", "外办"),
    ("YSJ", "营商环境建设局", "营商局"),
    ("JTT", "交通运输厅", "交通厅"),
    ("GZW", "人民政府国有资产监督管理委员会", "国资委"),
]

# Divisions that changed before 2018: kept with validity dates so old figures still have a home.
HISTORIC_DIVISIONS = [
    ("210122", "辽中县", "210100", datetime.date(2016, 1, 21)),
    ("211121", "大洼县", "211100", datetime.date(2016, 1, 21)),
]
# Their successors (撤县设区, code changed), recorded as applied changes so the unit pages show lineage.
HISTORIC_SUCCESSORS = {"210122": ("210115", "辽中区"), "211121": ("211104", "大洼区")}

CITY_CODES = [
    "210100",
    "210200",
    "210300",
    "210400",
    "210500",
    "210600",
    "210700",
    "210800",
    "210900",
    "211000",
    "211100",
    "211200",
    "211300",
    "211400",
]
GROUPS = [
    ("G-CITIES", "14个地级市", CITY_CODES, "全省14个地级市，市级考核组"),
    (
        "G-COASTAL6",
        "沿海六市",
        ["210200", "210600", "210700", "210800", "211100", "211400"],
        "沿海经济带：大连、丹东、锦州、营口、盘锦、葫芦岛",
    ),
    ("G-NORTHWEST", "辽西北", ["210900", "211200", "211300"], "阜新、铁岭、朝阳"),
    (
        "G-SYEZ",
        "沈阳经济区",
        ["210100", "210300", "210400", "210500", "210800", "210900", "211000", "211200"],
        "沈阳、鞍山、抚顺、本溪、营口、阜新、辽阳、铁岭",
    ),
]
# Groups of every unit of a kind (code, name, kind, only units current today, description): the
# counties merged away before 2018 stay out; platforms founded after the demo's today stay in.
KIND_GROUPS = [
    ("G-COUNTIES", "县（市、区）", UnitKind.COUNTY, True, "全省县级行政单位，县级考核组"),
    ("G-DEPTS", "省直部门", UnitKind.DEPARTMENT, False, "参与对外开放工作考核的省直部门"),
    ("G-PLATFORMS", "开放平台", UnitKind.PLATFORM, False, "自贸片区、开发区、综试区等"),
]


def load_org_tree(*, actor: Any = None) -> None:
    """Divisions from data/, then historic divisions, departments, platforms and groups (idempotent)."""
    load_divisions(actor=actor, text=(DATA_DIR / "liaoning_divisions.csv").read_text(encoding="utf-8"))
    province = OrgUnit.objects.get(kind=UnitKind.PROVINCE)
    for code, name, parent_code, ended in HISTORIC_DIVISIONS:
        upsert_unit(
            actor=actor,
            code=code,
            name=name,
            kind=UnitKind.COUNTY,
            parent=OrgUnit.objects.get(code=parent_code),
            valid_to=ended,
            sort_order=int(code),
        )
    for index, (code, name, short) in enumerate(DEPARTMENTS):
        upsert_unit(
            actor=actor,
            code=code,
            name=f"{province.name}{name}",
            short_name=short,
            kind=UnitKind.DEPARTMENT,
            parent=province,
            sort_order=900000 + index,
        )
    load_platforms(actor=actor, path=DATA_DIR / "liaoning_platforms.csv")
    for code, name, _parent_code, ended in HISTORIC_DIVISIONS:
        record_past(
            actor=actor if is_system_actor(actor) else SystemActor(str(actor or "demo")),
            kind=ChangeKind.RENAME,
            effective=ended,
            sources=[(code, name)],
            results=[HISTORIC_SUCCESSORS[code]],
        )
    groups = [(code, name, OrgUnit.objects.filter(code__in=codes), text) for code, name, codes, text in GROUPS]
    for code, name, kind, current_only, text in KIND_GROUPS:
        units = OrgUnit.objects.current() if current_only else OrgUnit.objects.all()
        groups.append((code, name, units.filter(kind=kind), text))
    for code, name, members, description in groups:
        set_group_members(actor=actor, code=code, name=name, members=list(members), description=description)


SKIPPED_PLATFORM_TYPES = {"international_transport_corridor"}


def load_platforms(*, actor: Any, path: Path) -> None:
    """Platforms from the sourced CSV (name,type,city_code,year_established …), coded PF01, PF02 …"""
    with path.open(encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle), start=1):
            if row["type"] in SKIPPED_PLATFORM_TYPES:
                continue
            parent = OrgUnit.objects.get(code=row["city_code"])
            year = row.get("year_established", "").strip()
            upsert_unit(
                actor=actor,
                code=f"PF{index:02d}",
                name=row["name"],
                short_name=row["name"],
                kind=UnitKind.PLATFORM,
                parent=parent,
                platform_type=row["type"],
                valid_from=datetime.date(int(year), 1, 1) if year.isdigit() else None,
                sort_order=800000 + index,
            )
