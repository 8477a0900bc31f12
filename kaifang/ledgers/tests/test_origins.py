"""Investor origins from ISO 3166 with Chinese names, and strategy groups as dated data.

Italy signed its 一带一路 memorandum on 2019-03-23 and let it lapse on 2024-03-22, so an Italian
project signed in October 2018 is not a 一带一路 project, one signed in May 2019 is, and the 2018
one stays untagged after Italy joined. 江西, 湖南, 重庆, 贵州, 云南 are in 长江经济带 (国发〔2014〕39号).
"""

import datetime

import pytest

from kaifang.core.actors import SystemActor
from kaifang.ledgers.models import InvestmentProject
from kaifang.ledgers.reference import FOREIGN_ORIGINS, ORIGIN_NAMES, origin_tags, origins_with_tag
from kaifang.ledgers.selectors import _by_origin_tag
from kaifang.ledgers.tests.conftest import move, new_project
from kaifang.refdata.origins import origin_choices
from kaifang.refdata.services import save_membership

pytestmark = pytest.mark.django_db


def test_countries_and_regions_have_chinese_names_as_statistics_write_them():
    assert (ORIGIN_NAMES["JP"], ORIGIN_NAMES["KR"], ORIGIN_NAMES["KH"]) == ("日本", "韩国", "柬埔寨")
    assert (ORIGIN_NAMES["HK"], ORIGIN_NAMES["MO"], ORIGIN_NAMES["TW"]) == ("中国香港", "中国澳门", "中国台湾")
    assert ORIGIN_NAMES["CN-JX"] == "江西省" and ORIGIN_NAMES["CN-NX"] == "宁夏回族自治区"
    assert "HK" in FOREIGN_ORIGINS and "IT" in FOREIGN_ORIGINS and "CN-YN" not in FOREIGN_ORIGINS
    groups = {str(label): items for label, items in origin_choices()}
    assert len(groups["国内（省外）"]) == 31  # 31 provincial-level divisions of the mainland
    assert [c for c, _n in groups["港澳台"]] == ["HK", "MO", "TW"]
    assert len(groups["外国"]) == 245 + 1  # ISO 3166-1's 249, less CN, HK, MO, TW; plus 其他
    assert "CN-HK" not in ORIGIN_NAMES and "CN" not in ORIGIN_NAMES


def test_the_yangtze_economic_belt_is_complete():
    belt = origins_with_tag("长江经济带", datetime.date(2018, 6, 1))
    assert belt == sorted(
        ["CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-JX", "CN-HB", "CN-HN", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN"]
    )
    assert origins_with_tag("长江经济带", datetime.date(2014, 9, 24)) == []  # before 国发〔2014〕39号


def test_a_project_is_tagged_by_the_membership_on_the_day_it_was_signed(settings):
    settings.KAIFANG_DEMO_TODAY = "2019-06-01"
    in_2018 = move(new_project(origin="IT", name="意大利项目2018"), ("negotiate", "2018-09-01"), ("sign", "2018-10-08"))
    assert in_2018.origin_tags == []
    assert origin_tags("IT", datetime.date(2019, 5, 6)) == ["一带一路"]
    assert origin_tags("IT", datetime.date(2024, 6, 1)) == []  # lapsed 2024-03-22
    in_2019 = new_project(origin="IT", name="意大利项目2019", received=datetime.date(2019, 5, 6))
    assert in_2019.origin_tags == ["一带一路"]
    tagged = _by_origin_tag(InvestmentProject.objects.filter(origin="IT"), "一带一路")
    assert list(tagged.values_list("name", flat=True)) == ["意大利项目2019"]
    assert origin_tags("KR", datetime.date(2022, 2, 1)) == ["RCEP", "日韩"]  # RCEP in force for Korea that day
    assert origin_tags("KR", datetime.date(2022, 1, 31)) == ["日韩"]


def test_an_administrator_edits_a_membership_and_tags_follow():
    project = new_project(origin="DE", name="德国项目", received=datetime.date(2018, 3, 1))
    assert project.origin_tags == []
    save_membership(
        actor=SystemActor("test"),
        group="一带一路",
        member="DE",
        valid_from=datetime.date(2018, 1, 1),
        values={"valid_to": None, "source": "测试", "verification": "test"},
    )
    assert InvestmentProject.objects.get(pk=project.pk).origin_tags == ["一带一路"]


def test_origin_names_follow_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        assert [ORIGIN_NAMES[c] for c in ("KR", "HK", "CN-GX", "IT")] == [
            "South Korea",
            "Hong Kong, China",
            "Guangxi",
            "Italy",
        ]
        assert not any("\u4e00" <= ch <= "\u9fff" for _c, name in ORIGIN_NAMES.items() for ch in name)
