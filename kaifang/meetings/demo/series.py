"""Demo standing meeting: the opening-up office's monthly meeting, held January to April 2018 and
then silently not held in May and June — the province's meeting list shows the gap."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kaifang.core.actors import SystemActor
from kaifang.meetings import cadence, services
from kaifang.meetings.models import Cadence, MeetingKind, MeetingSeries
from kaifang.orgs.models import OrgUnit

SERIES_TITLE = "省对外开放工作领导小组办公室月度工作例会"
HELD_ON = [datetime.date(2018, 1, 12), datetime.date(2018, 2, 9), datetime.date(2018, 3, 9), datetime.date(2018, 4, 13)]


def load_standing_meeting_demo(province: OrgUnit) -> MeetingSeries:
    existing = MeetingSeries.objects.filter(title=SERIES_TITLE).first()
    if existing is not None:
        return existing
    actor = SystemActor("demo")
    series = cadence.create_series(
        actor=actor,
        title=SERIES_TITLE,
        cadence=Cadence.MONTHLY,
        main_unit=province,
        first_period=datetime.date(2018, 1, 1),
    )
    tz = timezone.get_current_timezone()
    for day in HELD_ON:
        start = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=tz)
        meeting = services.create_meeting(
            actor=actor,
            title=f"{SERIES_TITLE}（{day.month}月）",
            kind=MeetingKind.WORK,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1, minutes=30),
            main_unit=province,
            main_room="省商务厅三楼会议室",
            agenda="一、通报上月开放指标和督办事项进展\n二、研究下月重点工作",
            series=series,
        )
        for action in ("notify", "start", "end"):
            services.transition_meeting(actor=actor, meeting=meeting, action=action)
    return series
