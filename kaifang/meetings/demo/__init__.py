"""Demo data (示例数据): the 2018 provincial opening-up teleconference with all 14 cities and 100
counties as sub-venues, realistic receipts and roll call, the two speeches and relay reports.

Deterministic (seeded) and idempotent. The receipts and relay reports go through the services;
the roll call is a batch (one audit event), as a bulk load may be.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from kaifang.audit.services import record_event
from kaifang.core.actors import SystemActor
from kaifang.meetings import services
from kaifang.meetings.demo.speeches import GOVERNOR_SPEECH, GOVERNOR_TITLE, SECRETARY_SPEECH, SECRETARY_TITLE
from kaifang.meetings.models import Meeting, MeetingKind, RelayForm, Venue
from kaifang.meetings.services import roll_call
from kaifang.orgs.models import OrgUnit, UnitKind

MEETING_TITLE = "2018年全省对外开放工作电视电话会议"
DAY = datetime.date(2018, 3, 16)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "建国",
    "志强",
    "海涛",
    "晓东",
    "立新",
    "宏伟",
    "春明",
    "国华",
    "丽娟",
    "永刚",
    "文斌",
    "红梅",
    "德胜",
    "振宇",
    "俊峰",
    "玉兰",
    "长青",
    "卫东",
    "明",
    "军",
    "伟",
    "静",
    "磊",
    "勇",
]
CITY_TITLES = ["市长", "常务副市长", "副市长", "副市长"]
COUNTY_TITLES = {"区": ["区长", "副区长", "常务副区长"], "县": ["县长", "副县长"], "市": ["市长", "副市长"]}
LEAVE_REASONS = [
    "主要领导参加国务院督查组反馈会，分管领导在京参加招商推介活动",
    "同时段召开森林防火紧急调度会",
    "主要领导带队在外地开展双招双引活动",
    "参加省委巡视整改推进会",
]
RELAY_TEXTS = [
    "召开党委常委会议专题传达学习会议精神，研究制定贯彻落实工作方案，明确牵头领导和责任单位，逐项建立任务台账。",
    "召开政府常务会议传达会议精神，对稳外贸、稳外资和双招双引工作作出具体部署，要求各部门按月报送进展。",
    "以电视电话会议形式传达到各乡镇（街道）和有关部门，印发落实分工方案，纳入年度绩效考核。",
    "印发通知转发会议精神，结合本地实际提出十项具体措施，建立周调度、月通报制度。",
]
# Telephone area codes by city (示例电话号码 are made up; only the area codes are real).
AREA_CODES = {
    "210100": "024",
    "210200": "0411",
    "210300": "0412",
    "210400": "024",
    "210500": "024",
    "210600": "0415",
    "210700": "0416",
    "210800": "0417",
    "210900": "0418",
    "211000": "0419",
    "211100": "0427",
    "211200": "024",
    "211300": "0421",
    "211400": "0429",
}
# The meeting's documents, in the order they were read: (title, speaker, text).
DOCUMENTS = [(GOVERNOR_TITLE, "省长", GOVERNOR_SPEECH), (SECRETARY_TITLE, "省委书记", SECRETARY_SPEECH)]
RELAY_FORMS = [RelayForm.PARTY_COMMITTEE, RelayForm.EXECUTIVE, RelayForm.TELECONFERENCE, RelayForm.DOCUMENT]


def _at(hour: int, minute: int, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(DAY.year, DAY.month, DAY.day, hour, minute, second))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(unit: OrgUnit, rng: random.Random) -> str:
    city_code = unit.path.strip("/").split("/")[1]
    return f"{AREA_CODES.get(city_code, '024')}-{rng.randint(2000, 8999)}{rng.randint(1000, 9999)}"


def _leader_title(unit: OrgUnit, rng: random.Random) -> str:
    if unit.kind == UnitKind.CITY:
        return rng.choice(CITY_TITLES)
    return rng.choice(COUNTY_TITLES.get(unit.name[-1], ["区长", "副区长"]))


def load_meetings_demo() -> Meeting:
    """Create the demo teleconference once; returns it (the existing one when already loaded)."""
    existing = Meeting.objects.filter(title=MEETING_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(20180316)
    province = OrgUnit.objects.get(kind=UnitKind.PROVINCE, parent__isnull=True)
    units = list(OrgUnit.objects.current(DAY).filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY]).order_by("path"))
    meeting = services.create_meeting(
        actor=SystemActor("demo"),
        title=MEETING_TITLE,
        kind=MeetingKind.TELECONFERENCE,
        starts_at=_at(9, 0),
        ends_at=_at(11, 30),
        main_unit=province,
        main_room="省政府五楼第一会议室（主会场）",
        main_contact="省政府督查室 王督查",
        main_phone="024-2345 6789（示例）",
        conference_link="https://vc.example.gov.cn/rooms/20180316-kaifang",
        agenda="一、省长讲话，部署2018年对外开放重点工作\n二、大连市、沈阳市、营口市作交流发言\n三、省委书记讲话",
        late_grace_minutes=5,
        venue_units=units,
    )
    services.transition_meeting(actor=SystemActor("demo"), meeting=meeting, action="notify")
    venues = list(meeting.venues.select_related("unit", "meeting"))
    counties = [v for v in venues if v.unit.kind == UnitKind.COUNTY]
    on_leave = {v.pk for v in rng.sample(counties, 4)}
    absent = {v.pk for v in rng.sample([v for v in counties if v.pk not in on_leave], 1)}
    late = {v.pk for v in rng.sample([v for v in venues if v.pk not in on_leave | absent], 7)}
    for index, venue in enumerate(venues):
        city = venue.unit.kind == UnitKind.CITY
        roll_call.update_venue(
            actor=SystemActor("demo"),
            venue=venue,
            room="市政府第一会议室" if city else "政府视频会议室",
            contact_name=_person(rng),
            contact_phone=_phone(venue.unit, rng),
        )
        if venue.pk in absent:
            continue
        if venue.pk in on_leave:
            roll_call.answer_receipt(
                actor=SystemActor("demo"),
                venue=venue,
                attending=False,
                leave_reason=LEAVE_REASONS[index % len(LEAVE_REASONS)],
            )
            continue
        roll_call.answer_receipt(
            actor=SystemActor("demo"),
            venue=venue,
            attending=True,
            leader_name=_person(rng),
            leader_title=_leader_title(venue.unit, rng),
            head_count=rng.randint(12, 40) if city else rng.randint(5, 20),
        )
    _roll_call(meeting, late=late, skip=on_leave | absent, rng=rng)
    for title, speaker, text in DOCUMENTS:
        services.add_document(actor=SystemActor("demo"), meeting=meeting, title=title, speaker=speaker, text=text)
    _relay_reports(meeting, rng, skip=absent)
    services.transition_meeting(actor=SystemActor("demo"), meeting=meeting, action="start")
    ended = services.transition_meeting(actor=SystemActor("demo"), meeting=meeting, action="end")
    from kaifang.meetings.demo.series import load_standing_meeting_demo

    load_standing_meeting_demo(province)
    return ended


def _roll_call(meeting: Meeting, *, late: set[int], skip: set[int], rng: random.Random) -> None:
    """Check-in times: most between 8:35 and 9:04, the late ones between 9:06 and 9:25."""
    venues = list(meeting.venues.exclude(pk__in=skip))
    for venue in venues:
        if venue.pk in late:
            venue.checked_in_at = _at(9, rng.randint(6, 24), rng.randint(0, 59))
        else:
            venue.checked_in_at = _at(8, 35) + datetime.timedelta(seconds=rng.randint(0, 29 * 60))
        venue.version += 1
    with transaction.atomic():
        Venue.objects.bulk_update(venues, ["checked_in_at", "version"])
        record_event(
            actor=SystemActor("demo"),
            action="meetings.venue.check_in_batch",
            obj=meeting,
            after={"checked_in": len(venues), "late": len(late)},
        )


def _relay_reports(meeting: Meeting, rng: random.Random, *, skip: set[int]) -> None:
    """Twelve of the fourteen cities and about two thirds of the counties report how they relayed it."""
    venues = [v for v in meeting.venues.select_related("unit") if v.pk not in skip]
    cities = [v for v in venues if v.unit.kind == UnitKind.CITY]
    silent = {v.pk for v in rng.sample(cities, 2)}
    for venue in venues:
        if venue.pk in silent or (venue.unit.kind == UnitKind.COUNTY and rng.random() < 0.35):
            continue
        pick = rng.randrange(len(RELAY_TEXTS))
        services.report_relay(
            actor=SystemActor("demo"),
            meeting=meeting,
            unit=venue.unit,
            relayed_on=DAY + datetime.timedelta(days=rng.randint(1, 10)),
            form=RELAY_FORMS[pick],
            attendees=rng.randint(20, 80),
            text=f"{venue.unit.name}{RELAY_TEXTS[pick]}（示例数据）",
        )
