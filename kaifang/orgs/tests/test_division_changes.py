"""Division changes as operations, and history that still compares (按可比口径).

The worked case, 盘锦市 (2018), year-to-date figures of an indicator reported as YTD (亿元):

                     2017-06  2017-07  2017-09 | 2018-06  2018-07  2018-09
    双台子区 211102    25.00    28.00    40.00  |  30.00      —        —
    兴隆台区 211103    30.00    32.00    35.00  |  27.00      —        —
    中心城区 211190      —        —        —    |    —      60.00    90.00   (merge of the two, 2018-07)
    大洼区   211104    30.00    34.00    40.00  |  33.00    38.00    46.00
    盘山县   211122    20.00    25.00    50.00  |  26.00    30.00    33.00   (split 2018-09: 0.6 stays)
    新区     211191      —        —        —    |    —        —      25.00   (0.4 of 盘山县, 2018-09)

June 2018, before any change, year on year: 盘山县 26/20−1 = +30.0%, 双台子区 30/25−1 = +20.0%,
大洼区 33/30−1 = +10.0%, 兴隆台区 27/30−1 = −10.0% — and the same after the changes are applied.
July 2018: 中心城区 compares with 28 + 32 = 60 → 60/60−1 = 0.0%, labelled 按可比口径.
September 2018: 中心城区 90/(40+35) − 1 = +20.0%; 新区 25/(50×0.4 = 20) − 1 = +25.0%;
盘山县 33/(50×0.6 = 30) − 1 = +10.0%; 大洼区 46/40 − 1 = +15.0%. The city: 90+46+33+25 = 194 against
40+35+40+50 = 165 → +17.6%, no re-mapping (all changes inside the city).
Targets 2018: 双台子区 80 + 兴隆台区 120 → 中心城区 200; 盘山县 100 → 盘山县 60 + 新区 40.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kaifang.audit.models import AuditEvent
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, Target
from kaifang.indicators.selectors import aggregate, ranking
from kaifang.indicators.services import save_values as save_through_the_door
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import ChangeState, DivisionLineage, OrgUnit
from kaifang.orgs.services import changes as changes
from kaifang.supervision.models import Task, TaskState
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")
JUN17, JUL17, SEP17 = datetime.date(2017, 6, 1), datetime.date(2017, 7, 1), datetime.date(2017, 9, 1)
JUN, JUL, SEP = datetime.date(2018, 6, 1), datetime.date(2018, 7, 1), datetime.date(2018, 9, 1)
BEFORE = {
    JUN17: {"211102": "25", "211103": "30", "211104": "30", "211122": "20"},
    JUL17: {"211102": "28", "211103": "32", "211104": "34", "211122": "25"},
    SEP17: {"211102": "40", "211103": "35", "211104": "40", "211122": "50"},
    JUN: {"211102": "30", "211103": "27", "211104": "33", "211122": "26"},
}


@pytest.fixture(autouse=True)
def in_chinese():
    with translation.override("zh-hans"):
        yield


def save(province, code, period, value):
    unit = OrgUnit.objects.get(code=code)
    open_figures(["T_FDI"], [unit], period)
    save_through_the_door(actor=province, unit=unit, period=period, entries=[ValueEntry("T_FDI", D(value))])


def merge(admin_user, province):
    change = changes.propose(
        actor=admin_user,
        kind="merge",
        effective=JUL,
        sources=["211102", "211103"],
        results=[{"code": "211190", "name": "盘锦市中心城区", "parent": "211100"}],
        document="测试批复〔2018〕1号",
    )
    changes.review(actor=province_admin_two(), change_id=change.pk)
    return changes.apply(actor=admin_user, change_id=change.pk)


def province_admin_two():
    from kaifang.accounts.models import Role, User

    second, _created = User.objects.get_or_create(
        username="admin2",
        defaults={
            "role": Role.PROVINCE_ADMIN,
            "unit": OrgUnit.objects.get(code="210000"),
            "scope_granted_at": clock.now(),
        },
    )
    return second


def split(admin_user):
    change = changes.propose(
        actor=admin_user,
        kind="split",
        effective=SEP,
        sources=["211122"],
        results=[
            {"code": "211122", "name": "盘山县", "share": "0.6"},
            {
                "code": "211191",
                "name": "盘山新区",
                "sub_units": [{"name": "甲镇", "share": "0.25"}, {"name": "乙镇", "share": "0.15"}],
            },
        ],
        heir="211122",
    )
    changes.review(actor=SYSTEM, change_id=change.pk)
    return changes.apply(actor=SYSTEM, change_id=change.pk)


@pytest.fixture
def fdi(db):
    return make_indicator("T_FDI", name="实际利用外资", unit_of_measure="亿元")


@pytest.fixture
def panjin(fdi, province, admin_user):
    for period, values in BEFORE.items():
        for code, value in values.items():
            save(province, code, period, value)
    for code, annual in (("211102", "80"), ("211103", "120"), ("211122", "100")):
        set_target(actor=province, indicator=fdi, unit=OrgUnit.objects.get(code=code), year=2018, annual=annual)
    return OrgUnit.objects.get(code="211100")


def yoy_by_code(rows):
    return {f.unit.code: (f.rank, f"{f.yoy:+.1%}" if isinstance(f.yoy, D) else str(f.yoy)) for f in rows}


BEFORE_RANKS = {
    "211122": (1, "+30.0%"),
    "211102": (2, "+20.0%"),
    "211104": (3, "+10.0%"),
    "211103": (4, "-10.0%"),
}


def test_a_mid_year_merge_and_split_compare_like_for_like(fdi, panjin, province, admin_user):
    assert (
        yoy_by_code(ranking(user=province, indicator=fdi, group_or_parent=panjin, period=JUN, order_by="yoy"))
        == BEFORE_RANKS
    )

    change, _moved = merge(admin_user, province)
    assert change.state == ChangeState.APPLIED
    center = OrgUnit.objects.get(code="211190")
    assert center.valid_from == JUL and center.path == "/210000/211100/211190/"
    assert OrgUnit.objects.get(code="211102").valid_to == datetime.date(2018, 6, 30)
    save(province, "211190", JUL, "60")
    f = aggregate(user=province, indicator=fdi, unit=center, period_from=JUL, period_to=JUL)
    assert f.last_year_ytd == D("60") and f.yoy == D(0)  # 28 + 32 = 60
    assert "按可比口径" in f.basis_label
    # 盘山县 has not reported July yet: the city is 60 + 38 = 98 over 2 of 3 counties, compared with the
    # same territory a year earlier: 中心城区's predecessors 28 + 32 and 大洼区 34 = 94 → +4.3%.
    save(province, "211104", JUL, "38")
    city = aggregate(user=province, indicator=fdi, unit=panjin, period_from=JUL, period_to=JUL)
    assert (city.ytd_value, city.last_year_ytd, f"{city.yoy:+.1%}") == (D("98"), D("94"), "+4.3%")
    assert (
        city.basis_label == "可比口径：2/3个下级已报，同比按相同2个单位计算；同比按可比口径（上年数据按区划调整折算）"
    )

    split(admin_user)
    for code, value in (("211190", "90"), ("211104", "46"), ("211122", "33"), ("211191", "25")):
        save(province, code, SEP, value)
    after = yoy_by_code(ranking(user=province, indicator=fdi, group_or_parent=panjin, period=SEP, order_by="yoy"))
    assert after == {
        "211191": (1, "+25.0%"),  # 25 / (50 × 0.4)
        "211190": (2, "+20.0%"),  # 90 / (40 + 35)
        "211104": (3, "+15.0%"),  # 46 / 40, untouched
        "211122": (4, "+10.0%"),  # 33 / (50 × 0.6)
    }
    city = aggregate(user=province, indicator=fdi, unit=panjin, period_from=SEP, period_to=SEP)
    assert (city.ytd_value, city.last_year_ytd, f"{city.yoy:.1%}") == (D("194"), D("165"), "17.6%")
    assert not city.remapped and "按可比口径" not in city.basis_label

    # Before the changes: figures as reported, the same ranking as before.
    assert DataValue.objects.get(unit__code="211102", period=JUN).reported == D("30")
    assert (
        yoy_by_code(ranking(user=province, indicator=fdi, group_or_parent=panjin, period=JUN, order_by="yoy"))
        == BEFORE_RANKS
    )


def test_targets_tasks_and_accounts_move_as_the_operation_says(fdi, panjin, province, admin_user):
    from kaifang.accounts.models import Role, UnitAssignment, User
    from kaifang.ledgers.tests.conftest import new_project

    reporter = User.objects.create(
        username="shuangtaizi",
        role=Role.REPORTER,
        unit=OrgUnit.objects.get(code="211102"),
        scope_granted_at=province.scope_granted_at,
    )
    project = new_project(unit_code="211102", name="双台子物流园")
    open_task = make_task(lead="211102", state=TaskState.IN_PROGRESS, title="推进辽滨港口开放")
    closed_task = make_task(lead="211103", state=TaskState.CLOSED, title="已办结事项")
    change = changes.propose(
        actor=admin_user,
        kind="merge",
        effective=JUL,
        sources=["211102", "211103"],
        results=[{"code": "211190", "name": "盘锦市中心城区", "parent": "211100"}],
    )
    listed = [a.line() for a in changes.dry_run(change)]
    assert any("推进辽滨港口开放" in line and "移交 盘锦市中心城区" in line for line in listed)
    assert any("[指标数据] 211102 2018-06" in line and "保持原填报值" in line for line in listed)
    assert any("[目标] 2018 211103" in line and "120 × 1 = 120" in line for line in listed)
    assert not any("已办结事项" in line for line in listed)
    assert not OrgUnit.objects.filter(code="211190").exists()  # a dry run changes nothing

    changes.review(actor=province_admin_two(), change_id=change.pk)
    changes.apply(actor=admin_user, change_id=change.pk)
    split(admin_user)
    targets = {t.unit.code: t.annual for t in Target.objects.filter(indicator=fdi, year=2018)}
    assert targets["211190"] == D("200") and targets["211122"] == D("60") and targets["211191"] == D("40")
    assert targets["211102"] == D("80")  # the ended unit's own row stays as history
    assert Task.objects.get(pk=open_task.pk).lead_unit.code == "211190"
    assert Task.objects.get(pk=closed_task.pk).lead_unit.code == "211103"
    reporter.refresh_from_db()
    assert reporter.unit.code == "211190" and reporter.role == Role.REPORTER and reporter.scope_granted_at is not None
    assert list(UnitAssignment.objects.filter(user=reporter).values_list("unit__code", flat=True)) == ["211190"]
    project.refresh_from_db()
    assert project.unit.code == "211190"
    assert AuditEvent.objects.filter(action="orgs.change.apply").count() == 2
    assert DivisionLineage.objects.filter(successor__code="211191", share=D("0.4")).exists()


def test_published_snapshots_stay_as_published(fdi, panjin, province, admin_user):
    from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
    from kaifang.orgs.models import UnitGroup

    scheme = AssessmentScheme.objects.create(code="T", name="测试", year=2018, group=UnitGroup.objects.first())
    snap = AssessmentSnapshot.objects.create(
        scheme=scheme, scheme_code="T", period=JUN, inputs={"211102": "30"}, results={"211102": 1}, digest="x"
    )
    merge(admin_user, province)
    again = AssessmentSnapshot.objects.get(pk=snap.pk)
    assert (again.inputs, again.results, again.digest) == ({"211102": "30"}, {"211102": 1}, "x")


def test_proposals_are_checked_and_reviewed_by_another_admin(admin_user, hunnan, province):
    with pytest.raises(PermissionDenied):
        changes.propose(
            actor=hunnan,
            kind="rename",
            effective=JUL,
            sources=["210112"],
            results=[{"code": "210112", "name": "新浑南区"}],
        )
    with pytest.raises(ValidationError, match="份额合计应为 1"):
        changes.propose(
            actor=admin_user,
            kind="split",
            effective=JUL,
            sources=["211122"],
            results=[{"code": "211122", "share": "0.5"}, {"code": "211191", "name": "新区", "share": "0.4"}],
        )
    with pytest.raises(ValidationError, match="已被"):
        changes.propose(
            actor=admin_user,
            kind="rename",
            effective=JUL,
            sources=["211122"],
            results=[{"code": "210112", "name": "盘山区"}],
        )
    change = changes.propose(
        actor=admin_user,
        kind="rename",
        effective=JUL,
        sources=["211122"],
        results=[{"code": "211122", "name": "盘山区"}],
    )
    with pytest.raises(PermissionDenied):
        changes.review(actor=admin_user, change_id=change.pk)  # four eyes
    with pytest.raises(ValidationError, match="已审核"):
        changes.apply(actor=admin_user, change_id=change.pk)
    changes.review(actor=province_admin_two(), change_id=change.pk)
    changes.apply(actor=admin_user, change_id=change.pk)
    assert OrgUnit.objects.get(code="211122").name == "盘山区"


def test_a_county_moved_to_another_city_takes_its_history_along(fdi, panjin, province, admin_user):
    """盘山县 moves to 锦州市 as 210790 from July 2018 (a made-up move): 锦州's July YoY adds 盘山县's
    July 2017 (25) to its base, 盘锦's takes it away; 盘锦's past totals keep 盘山县 as reported."""
    save(province, "211122", JUL17, "25")
    jinzhou = OrgUnit.objects.get(code="210700")
    before_move = aggregate(user=province, indicator=fdi, unit=panjin, period_from=JUN, period_to=JUN)
    change = changes.propose(
        actor=admin_user,
        kind="move",
        effective=JUL,
        sources=["211122"],
        results=[{"code": "210790", "name": "盘山县", "parent": "210700"}],
    )
    changes.review(actor=SYSTEM, change_id=change.pk)
    changes.apply(actor=admin_user, change_id=change.pk)
    assert OrgUnit.objects.get(code="210790").path == "/210000/210700/210790/"
    after_move = aggregate(user=province, indicator=fdi, unit=panjin, period_from=JUN, period_to=JUN)
    assert after_move.ytd_value == before_move.ytd_value == D("116")  # 30 + 27 + 33 + 26, as reported
    save(province, "210790", JUL, "30")
    moved = aggregate(
        user=province, indicator=fdi, unit=OrgUnit.objects.get(code="210790"), period_from=JUL, period_to=JUL
    )
    assert (moved.last_year_ytd, f"{moved.yoy:+.1%}") == (D("25"), "+20.0%")
    for code, value in (("211102", "28"), ("211103", "32"), ("211104", "34")):  # July 2017 of the rest of 盘锦
        assert DataValue.objects.get(unit__code=code, period=JUL17).reported == D(value)
    panjin_jul = aggregate(user=province, indicator=fdi, unit=panjin, period_from=JUL, period_to=JUL)
    assert panjin_jul.remapped  # 盘山县's 25 of July 2017 taken out of 盘锦's base
    jinzhou_jul = aggregate(user=province, indicator=fdi, unit=jinzhou, period_from=JUL, period_to=JUL)
    assert jinzhou_jul.remapped and (jinzhou_jul.ytd_value, jinzhou_jul.last_year_ytd) == (D("30"), D("25"))


def test_the_demo_records_liaonings_2016_county_to_district_changes(client_for, province, hunnan):
    page = client_for(province).get("/orgs/210115/").content.decode()
    assert "区划沿革" in page and "2016年1月起" in page and "辽中县" in page and "210122" in page
    old = client_for(province).get("/orgs/210122/").content.decode()
    assert "辽中区" in old and 'href="/orgs/210115/"' in old
    assert client_for(hunnan).get("/orgs/210115/").status_code == 404  # another county sees nothing


def test_the_change_pages_let_a_second_admin_review_and_an_admin_apply(client_for, admin_user, province, hunnan):
    change = changes.propose(
        actor=admin_user,
        kind="rename",
        effective=JUL,
        sources=["211122"],
        results=[{"code": "211122", "name": "盘山区"}],
    )
    page = client_for(admin_user).get(f"/orgs/changes/{change.pk}/").content.decode()
    assert "试运行：实施后将涉及" in page and "盘山区" in page
    assert client_for(hunnan).get("/orgs/changes/").status_code == 404  # a county sees nothing
    assert client_for(province).get(f"/orgs/changes/{change.pk}/").status_code == 404  # nor a supervisor
    own = client_for(admin_user).post(
        f"/orgs/changes/{change.pk}/action/", {"action": "approve", "version": "1"}, follow=True
    )
    assert "提出人不能审核自己提出的调整。" in own.content.decode()
    second = client_for(province_admin_two())
    second.post(f"/orgs/changes/{change.pk}/action/", {"action": "approve", "version": "1"})
    stale = client_for(admin_user).post(
        f"/orgs/changes/{change.pk}/action/", {"action": "apply", "version": "1"}, follow=True
    )
    assert "已被他人修改" in stale.content.decode()
    client_for(admin_user).post(f"/orgs/changes/{change.pk}/action/", {"action": "apply", "version": "2"})
    assert OrgUnit.objects.get(code="211122").name == "盘山区"
    assert "已实施" in client_for(admin_user).get("/orgs/changes/").content.decode()
