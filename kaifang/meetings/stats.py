"""Attendance statistics (参会统计): 应到 / 实到 / 请假 / 迟到 / 缺席 / 参会率, overall and by city.

Conventions (as sub-venue attendance is usually counted): 应到 is every sub-venue; 实到 those that
checked in (late ones included); 迟到 those that checked in after start + grace; 请假 those with an
approved leave receipt that did not check in; 缺席 = 应到 − 实到 − 请假; 参会率 = 实到 / 应到, in
per cent with one decimal, rounded half up. A city row aggregates the city's own venue and the
venues of its counties (and of other units under it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class VenueFact:
    """What the statistics need to know about one sub-venue."""

    city_code: str
    city_name: str
    checked_in: bool
    late: bool = False
    on_leave: bool = False


@dataclass
class AttendanceRow:
    code: str
    name: str
    expected: int = 0
    present: int = 0
    leave: int = 0
    late: int = 0
    absent: int = 0
    rate: Decimal | None = field(default=None)

    def add(self, fact: VenueFact) -> None:
        self.expected += 1
        if fact.checked_in:
            self.present += 1
            self.late += int(fact.late)
        elif fact.on_leave:
            self.leave += 1
        else:
            self.absent += 1
        self.rate = rate(self.present, self.expected)


def rate(present: int, expected: int) -> Decimal | None:
    if expected == 0:
        return None
    return (Decimal(present) * 100 / Decimal(expected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def attendance(facts: list[VenueFact]) -> tuple[AttendanceRow, list[AttendanceRow]]:
    """(the overall row, one row per city in first-seen order)."""
    total = AttendanceRow(code="", name="合计")
    by_city: dict[str, AttendanceRow] = {}
    for fact in facts:
        total.add(fact)
        by_city.setdefault(fact.city_code, AttendanceRow(code=fact.city_code, name=fact.city_name)).add(fact)
    return total, list(by_city.values())
