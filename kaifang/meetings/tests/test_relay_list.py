"""A meeting's relay list: every venue in sight with its report or 未报送, a filter for those not yet
relayed, pages with the total, an audited export of the filtered rows; another city sees none of it."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.meetings import services
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


@pytest.fixture
def relayed(meeting):  # type: ignore[no-untyped-def]
    """沈阳市 and 浑南区 have reported; Shenyang's other 12 counties have not."""
    for code, attendees in (("210100", 60), ("210112", 35)):
        services.report_relay(
            actor=SystemActor("test"),
            meeting=meeting,
            unit=OrgUnit.objects.get(code=code),
            relayed_on=datetime.date(2018, 3, 22),
            form="special",
            text="召开专题会议传达学习",
            attendees=attendees,
        )
    return meeting


def test_the_city_sees_every_venue_and_filters_those_not_yet_relayed(client_for, shenyang, relayed):
    c = client_for(shenyang)
    url = f"/meetings/{relayed.pk}/relay/"
    # Shenyang's sight: the city and its 13 districts and counties = 14 venues; 2 reported, 12 not.
    assert c.get(url).context["page"].count == 14
    missing = c.get(url + "?status=missing&size=20").context["page"]
    assert missing.count == 12 and "浑南区" not in [v.unit.name for v in missing]
    reported = c.get(url + "?status=relayed").context["page"]
    assert [(v.unit.name, v.relay_attendees) for v in reported] == [("沈阳市", 60), ("浑南区", 35)]
    assert c.get(url + "?status=missing&q=浑南").context["page"].count == 0  # the filters combine
    assert "已报送 2 / 应报送 14" in c.get(url).content.decode()


def test_the_export_is_the_filtered_list_and_is_audited(client_for, shenyang, relayed):
    response = client_for(shenyang).get(f"/meetings/{relayed.pk}/relay.xlsx?status=missing")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.max_row == 1 + 12
    event = AuditEvent.objects.filter(action="export.meetings.relay").latest("id")
    assert event.after["rows"] == 12
    assert event.after["filters"] == {"meeting": relayed.pk, "status": "missing", "sort": "missing"}


def test_the_api_pages_the_relay_list(client_for, shenyang, relayed):
    body = client_for(shenyang).get(f"/api/v1/meetings/{relayed.pk}/relay?status=missing&limit=5&offset=10").json()
    assert body["count"] == 12 and len(body["items"]) == 2  # rows 11 and 12 of 12
    assert all(item["relayed"] is False for item in body["items"])


def test_another_city_and_a_county_see_only_their_own(client_for, dalian, hunnan, relayed):
    url = f"/meetings/{relayed.pk}/relay/"
    dalian_rows = client_for(dalian).get(url + "?unit=210100").context["page"]
    assert dalian_rows.count == 0  # Shenyang's venues are outside Dalian's sight
    own = client_for(hunnan).get(url).context["page"]
    assert [v.unit.name for v in own] == ["浑南区"]
    api = client_for(dalian).get(f"/api/v1/meetings/{relayed.pk}/relay?unit=210112").json()
    assert api == {"items": [], "count": 0}


def test_the_list_puts_the_units_that_have_not_relayed_first_by_default(client_for, shenyang, relayed):
    page = client_for(shenyang).get(f"/meetings/{relayed.pk}/relay/?size=20").context["page"]
    flags = [v.relayed for v in page]
    assert flags == sorted(flags) and flags[0] is False and flags[-1] is True  # 12 missing, then the 2 reported
