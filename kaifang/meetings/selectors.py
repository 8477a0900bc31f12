"""Reads about meetings, always through the visibility guard."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.meetings.models import Meeting, MeetingQuerySet, RelayForm, RelayReport, Venue
from kaifang.meetings.stats import AttendanceRow, VenueFact, attendance
from kaifang.orgs.forms import unit_filter
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import scope_root, unit_scope_q
from kaifang.supervision.selectors import tasks_citing_meeting


def visible_meetings(user: Any) -> MeetingQuerySet:
    """Meetings `user` takes part in: hosted in, or with a venue in, the user's scope."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("main_unit")
        .annotate(
            venue_count=Count("venues", distinct=True),
            checked_in_count=Count("venues", filter=Q(venues__checked_in_at__isnull=False), distinct=True),
        )
    )


def get_meeting_for_user(user: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.visible_to(user).select_related("main_unit").filter(pk=pk).first()
    if meeting is None:
        raise Http404("meeting not found")
    return meeting


def venues_for_user(user: Any, meeting: Meeting) -> Any:
    """The meeting's venues the user may see: all for the organiser's scope, else those in scope."""
    venues = meeting.venues.select_related("unit", "unit__parent", "checked_in_by")
    if _sees_main(user, meeting):
        return venues.order_by("unit__path")
    return venues.filter(unit_scope_q(user, prefix="unit__")).order_by("unit__path")


def _sees_main(user: Any, meeting: Meeting) -> bool:
    return OrgUnit.objects.filter(unit_scope_q(user, prefix=""), pk=meeting.main_unit_id).exists()


def get_venue_for_user(user: Any, meeting: Meeting, unit_code: str) -> Venue:
    venue = venues_for_user(user, meeting).filter(unit__code=unit_code[:32]).first()
    if venue is None:
        raise Http404("venue not found")
    return venue


def my_venue(user: Any, meeting: Meeting) -> Venue | None:
    """The venue of the user's own unit, if it is one."""
    unit_id = getattr(user, "unit_id", None)
    return meeting.venues.select_related("unit").filter(unit_id=unit_id).first() if unit_id else None


def city_of(unit: OrgUnit, cities: dict[str, OrgUnit]) -> OrgUnit:
    """The city a unit belongs to (itself for a city; the unit itself when it is under no city)."""
    if unit.kind == UnitKind.CITY:
        return unit
    for code in unit.path.strip("/").split("/"):
        if code in cities:
            return cities[code]
    return unit


def attendance_for(user: Any, meeting: Meeting) -> tuple[AttendanceRow, list[AttendanceRow]]:
    """Attendance statistics over the venues the user may see, overall and by city."""
    venues = list(venues_for_user(user, meeting))
    cities = {u.code: u for u in OrgUnit.objects.filter(kind=UnitKind.CITY)}
    facts = []
    for venue in venues:
        city = city_of(venue.unit, cities)
        facts.append(
            VenueFact(
                city_code=city.code,
                city_name=city.name,
                checked_in=venue.checked_in_at is not None,
                late=venue.checked_in_at is not None and venue.checked_in_at > meeting.late_after,
                on_leave=venue.receipt_status == "leave",
            )
        )
    return attendance(facts)


def relay_status(user: Any, meeting: Meeting) -> tuple[list[RelayReport], list[OrgUnit]]:
    """(reports the user may see, venue units in the user's sight that have not reported yet)."""
    venues = venues_for_user(user, meeting)
    reports = list(
        RelayReport.objects.filter(meeting=meeting, unit_id__in=venues.values("unit_id")).select_related("unit")
    )
    reported = {r.unit_id for r in reports}
    missing = [v.unit for v in venues if v.unit_id not in reported]
    return reports, missing


def _relay_state(venues: Any, value: str) -> Any:
    return venues.filter(relayed=value == "relayed")


RELAY_LIST = ListSpec(
    filters=(
        Filter(
            "status",
            gettext_lazy("报送情况"),
            lookup=_relay_state,
            choices=[("missing", gettext_lazy("未报送")), ("relayed", gettext_lazy("已报送"))],
        ),
        unit_filter(label=gettext_lazy("地区或单位")),
        Filter("form", gettext_lazy("传达形式"), lookup="relay_form", choices=RelayForm.choices),
    ),
    search=("unit__name", "relay_text"),
    search_label=gettext_lazy("单位或落实情况"),
    sorts=(
        Sort("missing", gettext_lazy("未报送在前"), ("relayed", "unit__path")),  # the default: who still owes it
        Sort("unit", gettext_lazy("单位"), ("unit__path",)),
        Sort("date", gettext_lazy("传达日期（新→旧）"), ("-relayed", "-relayed_on", "unit__path")),
    ),
)


def relay_rows(user: Any, meeting: Meeting, listing: Listing | None = None) -> Any:
    """Every venue in the user's sight with its relay report, if any (relayed, relayed_on,
    relay_form, relay_attendees, relay_text), narrowed by a reading of RELAY_LIST."""
    reports = RelayReport.objects.filter(meeting=meeting, unit=OuterRef("unit"))
    venues = venues_for_user(user, meeting).annotate(
        relayed=Exists(reports),
        relayed_on=Subquery(reports.values("relayed_on")[:1]),
        relay_form=Subquery(reports.values("form")[:1]),
        relay_attendees=Subquery(reports.values("attendees")[:1]),
        relay_text=Subquery(reports.values("text")[:1]),
    )
    return listing.apply(venues) if listing is not None else venues


def tasks_from_meeting(user: Any, meeting: Meeting) -> Any:
    """Supervised tasks that cite this meeting as their source, as far as `user` may see them."""
    return tasks_citing_meeting(user, meeting.pk)


def my_meeting_todos(user: Any) -> list[dict[str, Any]]:
    """What the user's own unit still owes its meetings: a receipt, a check-in, a relay report."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id or scope_root(user) is None:
        return []
    venues = (
        Venue.objects.filter(unit_id=unit_id)
        .exclude(meeting__status__in=["draft", "cancelled"])
        .select_related("meeting")
        .order_by("-meeting__starts_at")[:20]
    )
    reported = set(RelayReport.objects.filter(unit_id=unit_id).values_list("meeting_id", flat=True))
    todos = []
    for venue in venues:
        meeting = venue.meeting
        if meeting.can_answer() and venue.receipt_status == "pending":
            todos.append({"meeting": meeting, "todo": _("填写回执")})
        elif meeting.status == "in_progress" and venue.checked_in_at is None and venue.receipt_status != "leave":
            todos.append({"meeting": meeting, "todo": _("签到")})
        elif meeting.status == "ended" and meeting.pk not in reported:
            todos.append({"meeting": meeting, "todo": _("报送传达落实情况")})
    return todos
