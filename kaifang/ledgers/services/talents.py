"""Writes to the talent ledger (招才引智台账); each change pushes the derived 引进人才数 figures."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kaifang.audit.services import record_event, snapshot
from kaifang.ledgers import derived
from kaifang.ledgers.models import TalentRecord
from kaifang.ledgers.reference import ORIGIN_NAMES, TalentKind, TalentLevel
from kaifang.ledgers.services import check_can_write, check_date
from kaifang.orgs.models import OrgUnit, UnitKind

TALENT_FIELDS = ["name", "kind", "headcount", "field", "level", "employer", "unit_id", "introduced_on", "source_region"]


@dataclass
class TalentInput:
    name: str
    kind: str
    field: str
    level: str
    employer: str
    unit: OrgUnit
    introduced_on: datetime.date
    source_region: str
    headcount: int = 1
    programme: str = ""
    note: str = ""
    external_id: str = ""
    phone: str = ""  # personal data: SM4-encrypted at rest, never in the audit trail
    id_number: str = ""


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_ok(value: str) -> bool:
    """An 18-character resident ID number whose check character is right (GB 11643-1999)."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17]


def clean_talent_input(data: TalentInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip() or len(data.name) > 100:
        errors["name"] = ["请填写姓名或团队名称（100字以内）。"]
    if data.kind not in TalentKind.values:
        errors["kind"] = ["类型只能是个人或团队。"]
    elif data.kind == TalentKind.PERSON and data.headcount != 1:
        errors["headcount"] = ["个人的人数为1。"]
    elif not 1 <= data.headcount <= 500:
        errors["headcount"] = ["团队人数应在1到500之间。"]
    if not data.field.strip() or len(data.field) > 100:
        errors["field"] = ["请填写专业领域。"]
    if data.level not in TalentLevel.values:
        errors["level"] = ["人才层次应为国家级、省级、市级或其他。"]
    if not data.employer.strip() or len(data.employer) > 200:
        errors["employer"] = ["请填写用人单位。"]
    if data.source_region not in ORIGIN_NAMES:
        errors["source_region"] = ["来源地不在列表中。"]
    phone = data.phone.strip()
    if phone and not (7 <= len(phone) <= 20 and phone.replace("-", "").replace(" ", "").isdigit()):
        errors["phone"] = ["联系电话应为手机号或固定电话号码。"]
    id_number = data.id_number.strip().upper()
    if id_number and not id_number_ok(id_number):
        errors["id_number"] = ["身份证件号码应为18位，且末位校验码正确。"]
    if data.unit.kind == UnitKind.PLATFORM:
        errors["unit"] = ["责任单位应为市、县（区）或省直部门。"]
    if errors:
        raise ValidationError(errors)
    check_date(data.introduced_on, label="引进日期")


def create_talent(*, actor: Any, data: TalentInput) -> TalentRecord:
    clean_talent_input(data)
    check_can_write(actor, data.unit)
    with transaction.atomic():
        if data.external_id and TalentRecord.objects.filter(external_id=data.external_id).exists():
            raise ValidationError({"external_id": [f"台账编号 {data.external_id} 已存在。"]}, code="duplicate")
        record = TalentRecord.objects.create(
            external_id=data.external_id or f"T-{uuid.uuid4().hex[:12]}",
            name=data.name.strip(),
            kind=data.kind,
            headcount=data.headcount,
            field=data.field.strip(),
            level=data.level,
            programme=data.programme.strip()[:100],
            employer=data.employer.strip(),
            unit=data.unit,
            introduced_on=data.introduced_on,
            source_region=data.source_region,
            note=data.note.strip()[:200],
            phone=data.phone.strip(),
            id_number=data.id_number.strip().upper(),
        )
        derived.push_values(actor=actor, keys={(data.unit.pk, data.introduced_on.replace(day=1))})
        record_event(actor=actor, action="ledgers.talent.create", obj=record, after=snapshot(record, TALENT_FIELDS))
    return record
