"""The bulletin as OFD (GB/T 33190): written by `kaifang.core.ofd`, read back by an independent reader
(ofdkit) as text — the title, the 文号 and a unit's score — on an A4 page in the standard's namespace."""

from __future__ import annotations

import io
import zipfile

import ofdkit
import pytest

from kaifang.assessment import services
from kaifang.assessment.tests.conftest import JUNE
from kaifang.core.ofd import NS

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(two_cities, province):
    return services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)


def test_the_ofd_bulletin_carries_the_title_number_and_scores_as_text(published, province):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="ofd")
    bulletin.refresh_from_db()
    assert bulletin.status == "done"
    data = bulletin.file.read()
    document = ofdkit.open(data)
    first = document.pages[0]
    text = "".join(first.text().split())
    assert "关于2018年1-6月全省对外开放工作考核情况的通报" in text
    assert "开放办通〔2018〕6号" in text
    # 沈阳 54 + 40 = 94.00, 大连 70 + 40 = 110.00, each in a cell of its own: a run of its own.
    runs = [run.text for run in first.runs]
    assert "94.00" in runs and "110.00" in runs
    # A4 in millimetres, the masthead in red, in the GB/T 33190 namespace.
    assert (round(first.width), round(first.height)) == (210, 297)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        content = package.read("Doc_0/Pages/Page_0/Content.xml").decode()
        assert f'xmlns:ofd="{NS}"' in package.read("OFD.xml").decode()
    masthead = content.split("辽宁省对外开放工作领导小组办公室")[0].rsplit("<ofd:TextObject", 1)[1]
    assert '<ofd:FillColor Value="192 0 0"/>' in masthead


def test_the_bulletin_ofd_downloads_as_ofd(published, province, client_for):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="ofd")
    response = client_for(province).get(f"/assessment/bulletins/{bulletin.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
