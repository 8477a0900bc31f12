"""示例数据: the 2018 assessment scheme for the 14 cities, three manual entries and a published Q1.

The scheme mixes indicator items (实际利用外资 completion, 进出口总额 growth, 引进内资 efficacy
coefficient, 外商投资新设企业数 threshold against the time-phased target, 签约项目数 ranking,
跨境电商交易额 bonus/penalty steps), task performance from supervision, reporting quality, a manual
bonus/penalty item and a veto item. The June 2018 running score is computed live from the data;
the Q1 (2018-03) result is published (frozen). Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kaifang.assessment import services
from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot, ManualAdjustment, SchemeStatus
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit, UnitGroup

DEMO_ACTOR = SystemActor("demo")

SCHEME_CODE = "KH-2018-CITY"
Q1 = datetime.date(2018, 3, 1)

ITEMS: list[dict[str, Any]] = [
    {"code": "fdi", "name": "实际利用外资", "kind": "completion", "weight": "25", "indicator": "FDI",
     "params": {"cap": "1.2"}},
    {"code": "trade", "name": "进出口总额增速", "kind": "growth", "weight": "15", "indicator": "TRADE",
     "params": {"target_growth": "0.05", "cap": "1.2"}, "missing": "exclude"},
    {"code": "domestic", "name": "引进内资", "kind": "efficacy", "weight": "15", "indicator": "DOMESTIC"},
    {"code": "fie", "name": "外商投资新设企业数", "kind": "threshold", "weight": "5", "indicator": "FIE_NEW",
     "params": {"basis": "target"}},
    {"code": "projects", "name": "签约项目数排名", "kind": "ranking", "weight": "10", "indicator": "PROJ_SIGNED",
     "params": {"step": "0.5", "floor": "3"}},
    {"code": "cbec", "name": "跨境电商交易额", "kind": "step", "weight": "5", "indicator": "CBEC",
     "params": {"up_step": "10", "up_points": "1", "max_up": "2",
                "down_step": "5", "down_points": "1", "max_down": "3"}},
    {"code": "tasks", "name": "督办任务落实", "kind": "tasks", "weight": "15"},
    {"code": "reporting", "name": "数据报送质量", "kind": "reporting", "weight": "10",
     "params": {"answers_for": "own_and_approved"}},
    {"code": "bonus", "name": "加减分事项", "kind": "manual", "weight": "0",
     "params": {"max_bonus": "3", "max_penalty": "3"}},
    {"code": "veto", "name": "一票否决事项", "kind": "veto", "weight": "0", "params": {"grade": "较差"}},
]  # fmt: skip

ENTRIES = [
    (
        "210800",
        "2",
        "引进世界500强企业投资项目1个（示例数据）",
        "省商务厅2018年5月确认函（示例）",
        datetime.date(2018, 5, 1),
    ),
    (
        "211200",
        "-1",
        "签约项目未按期开工2个（示例数据）",
        "省督查室2018年4月督查通报（示例）",
        datetime.date(2018, 4, 1),
    ),
    # Brings 盘锦市 level with 本溪市 in the published Q1 (both 84.46): the tie rule decides, by the
    # 实际利用外资 points (本溪 23.07 before 盘锦 18.65), so the demo shows it at work.
    (
        "211100",
        "1.5",
        "承办全省对外开放重大招商活动1次（示例数据）",
        "省商务厅2018年3月确认函（示例）",
        datetime.date(2018, 3, 1),
    ),
]


def load_assessment_demo(*, actor: Any = DEMO_ACTOR) -> dict[str, int]:
    """Load the scheme, entries and the Q1 publication (after indicators, reporting and supervision)."""
    scheme = AssessmentScheme.objects.filter(code=SCHEME_CODE).order_by("-number").first()
    if scheme is None:
        scheme = services.create_scheme(
            actor=actor,
            code=SCHEME_CODE,
            name="2018年度全省对外开放工作考核（14市）",
            year=2018,
            group=UnitGroup.objects.get(code="G-CITIES"),
            items=ITEMS,
            tie_rule="item:fdi",
            grading={"mode": "shares", "bands": [["0.2", "优秀"], ["0.3", "良好"], ["0.3", "一般"]]},
            description="示例数据：权重与计分办法参照公开的招商引资考核办法整理，非真实文件。",
        )
    if scheme.status == SchemeStatus.DRAFT:
        scheme = services.activate_scheme(actor=actor, scheme=scheme)
    created = 0
    for code, points, reason, evidence, period in ENTRIES:
        unit = OrgUnit.objects.get(code=code)
        if ManualAdjustment.objects.filter(scheme_code=SCHEME_CODE, unit=unit, reason=reason).exists():
            continue
        entry = services.propose_adjustment(
            actor=actor,
            scheme_code=SCHEME_CODE,
            item_code="bonus",
            unit=unit,
            period=period,
            points=Decimal(points),
            reason=reason,
            evidence=evidence,
        )
        services.decide_adjustment(actor=actor, adjustment=entry, action="approve")
        created += 1
    _load_department_scheme(actor)
    published = 0
    if not AssessmentSnapshot.objects.filter(scheme_code=SCHEME_CODE, period=Q1).exists():
        services.publish_assessment(actor=actor, scheme=scheme, period=Q1, reason="2018年一季度考核结果（示例数据）")
        published = 1
    return {"entries": created, "published": published}


DEPT_ITEMS: list[dict[str, Any]] = [
    {"code": "tasks", "name": "督办任务落实", "kind": "tasks", "weight": "70",
     "params": {"per_overdue": "3", "per_urge": "1", "per_notice": "2", "per_failed": "2"}},
    {"code": "reporting", "name": "数据报送质量", "kind": "reporting", "weight": "30"},
    {"code": "bonus", "name": "加减分事项", "kind": "manual", "weight": "0",
     "params": {"max_bonus": "5", "max_penalty": "5"}},
]  # fmt: skip


def _load_department_scheme(actor: Any) -> None:
    """A second scheme, for the provincial departments: task performance weighs most (督考合一)."""
    if AssessmentScheme.objects.filter(code="KH-2018-DEPT").exists():
        return
    scheme = services.create_scheme(
        actor=actor,
        code="KH-2018-DEPT",
        name="2018年度省直部门对外开放工作考核",
        year=2018,
        group=UnitGroup.objects.get(code="G-DEPTS"),
        items=DEPT_ITEMS,
        grading={"mode": "thresholds", "bands": [["95", "优秀"], ["85", "良好"], ["70", "一般"]]},
        description="示例数据：以督办任务落实为主的部门考核。",
    )
    services.activate_scheme(actor=actor, scheme=scheme)
