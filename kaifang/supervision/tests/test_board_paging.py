"""The board at scale (issue 17): counts cover every page, only one page is loaded as models, the
query count does not grow with the tasks, and each light is the one the task page shows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from kaifang.supervision import board
from kaifang.supervision.models import Milestone, TaskState
from kaifang.supervision.selectors import TASK_LIST, light_of
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2018, 7, 5)


@pytest.fixture(autouse=True)
def today(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def make_board(count_green: int) -> None:
    """`count_green` tasks of 浑南区 on track to year end; one overdue (red, 2018-06-30); one whose
    only milestone is past but done (green: a done milestone lights nothing); one with a milestone
    due 2018-07-07 (yellow: two days left, within three)."""
    for i in range(count_green):
        make_task(lead="210112", state=TaskState.IN_PROGRESS, title=f"常规{i:02d}", report_day=None, progress=90)
    make_task(lead="210112", state=TaskState.IN_PROGRESS, title="逾期", deadline=D(2018, 6, 30), report_day=None)
    done = make_task(
        lead="210103",
        state=TaskState.IN_PROGRESS,
        title="节点已完成",
        report_day=None,
        progress=90,
        milestones=(("完成签约", D(2018, 6, 1)),),
    )
    Milestone.objects.filter(task=done).update(done=True)
    make_task(
        lead="210103",
        state=TaskState.IN_PROGRESS,
        title="节点临期",
        report_day=None,
        progress=90,
        milestones=(("完成选址", D(2018, 7, 7)),),
    )


def paged(user, query: str):  # type: ignore[no-untyped-def]
    listing = TASK_LIST.read(QueryDict(query), user=user)
    return board.board(user, listing, today=TODAY)


def test_counts_cover_every_page_and_the_page_holds_full_rows(shenyang) -> None:  # type: ignore[no-untyped-def]
    make_board(23)
    result = paged(shenyang, "size=20&page=2")
    # 26 tasks: 23 + 1 green (its done milestone does not count) = 24 green, 1 red, 1 yellow.
    assert result.summary["by_light"] == {"red": 1, "yellow": 1, "green": 24, "grey": 0}
    assert result.page.count == 26 and len(result.page) == 6  # page 2 of 20 a page: rows 21–26
    first = paged(shenyang, "size=20")
    assert [r.light.color for r in list(first.page)[:2]] == ["red", "yellow"]  # red first, then yellow
    for row in first.page:  # the page's rows are model rows with the light the task page shows
        assert row.task.lead_unit.code in {"210112", "210103"}
        assert row.light == light_of(row.task, today=TODAY)
    units = {u["code"]: u for u in result.summary["by_unit"]}
    assert units["210112"]["total"] == 24 and units["210112"]["red"] == 1
    assert units["210103"]["total"] == 2 and units["210103"]["yellow"] == 1


def test_queries_do_not_grow_with_the_tasks(shenyang) -> None:  # type: ignore[no-untyped-def]
    make_board(3)
    with CaptureQueriesContext(connection) as few:
        paged(shenyang, "size=20")
    make_board(30)
    with CaptureQueriesContext(connection) as many:
        paged(shenyang, "size=20")
    assert len(many) == len(few)


def test_another_county_sees_none_of_it(shenhe) -> None:  # type: ignore[no-untyped-def]
    make_board(2)
    result = paged(shenhe, "")
    # 沈河区's reporter sees only 沈河区's two tasks (one yellow), nothing of 浑南区.
    assert result.page.count == 2
    assert result.summary["by_light"] == {"red": 0, "yellow": 1, "green": 1, "grey": 0}
