"""The 督办通知单 in the official-document layout of GB/T 9704-2012: A4, the red 版头 with the 发文字号
above the red rule, the title, the body, and page numbers in the standard's form."""

from __future__ import annotations

import datetime
import re
import subprocess
import tempfile

import pytest
from django.urls import reverse

from kaifang.accounts.models import User
from kaifang.supervision import services
from kaifang.supervision.models import TaskState
from kaifang.supervision.notices import render_notice_pdf
from kaifang.supervision.tests.factories import make_task

D = datetime.date
pytestmark = pytest.mark.django_db


def _pdf(pdf: bytes, *args: str, out: tuple[str, ...] = ("-",)) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run([*args, handle.name, *out], capture_output=True, check=True).stdout.decode()


def test_the_notice_is_a4_with_the_red_masthead_number_title_and_page_number(province: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, title="推进跨境电商试点", deadline=D(2018, 6, 30))
    notice = services.issue_notice(actor=province, task=task, requirement="请书面说明", on=D(2018, 7, 2))
    pdf = render_notice_pdf(notice)
    info = _pdf(pdf, "pdfinfo", out=())
    assert "(A4)" in info
    lines = [line.replace(" ", "") for line in _pdf(pdf, "pdftotext", "-layout").splitlines() if line.strip()]
    # The 版头 in reading order: the issuing office, the 发文字号 beneath it, then the title.
    assert lines[0] == "辽宁省对外开放工作领导小组办公室"
    assert lines[1] == "督办〔2018〕1号"
    assert lines[2] == "督办通知单"
    assert lines[3] == "浑南区：" or lines[3].endswith("浑南区：")
    flat = "".join(lines)
    for expected in ("推进跨境电商试点", "办理时限2018年6月30日", "请书面说明", "2018年7月2日"):
        assert expected in flat
    assert lines[-1] == "—1—"


def test_the_notice_margins_follow_the_standard(province: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, title="推进跨境电商试点", deadline=D(2018, 6, 30))
    notice = services.issue_notice(actor=province, task=task, requirement="请书面说明", on=D(2018, 7, 2))
    bbox = _pdf(render_notice_pdf(notice), "pdftotext", "-bbox")
    # The first word sits on the top margin (37 mm = 104.9 pt, plus the line's leading); the text block's
    # left edge is 28 mm (79.4 pt) in: the 仿宋 body paragraph "浑南区：" starts there.
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]+)</word>', bbox)
    _x, first_y, _word = words[0]
    assert 104 <= float(first_y) <= 125
    to = next(w for w in words if w[2].startswith("浑南区"))
    assert abs(float(to[0]) - 28 * 72 / 25.4) < 1.0


def test_the_notice_as_ofd_reads_back_as_text_and_stays_in_scope(
    client_for, province: User, hunnan: User, shenhe: User
) -> None:  # type: ignore[no-untyped-def]
    import ofdkit

    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, title="推进跨境电商试点", deadline=D(2018, 6, 30))
    notice = services.issue_notice(actor=province, task=task, requirement="请书面说明", on=D(2018, 7, 2))
    response = client_for(hunnan).get(reverse("supervision:notice_ofd", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
    page = ofdkit.open(response.content).pages[0]
    runs = [run.text for run in page.runs]
    assert runs[:3] == ["辽宁省对外开放工作领导小组办公室", "督办〔2018〕1号", "督办通知单"]
    assert "推进跨境电商试点" in "".join(page.text().split())
    # Another county (沈河区) sees nothing of 浑南区's notice, in either format.
    assert client_for(shenhe).get(reverse("supervision:notice_ofd", args=[notice.pk])).status_code == 404
    assert client_for(shenhe).get(reverse("supervision:notice_pdf", args=[notice.pk])).status_code == 404
