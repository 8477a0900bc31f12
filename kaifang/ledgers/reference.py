"""Reference tables of the ledgers: investor origins with strategy tags, industry sections, stages.

Origins are ISO 3166 countries and regions with Chinese names, 中国香港/中国澳门/中国台湾, and China's
provinces (`kaifang.refdata.origins`); the strategy groups they belong to (一带一路 with the day each
country signed, RCEP, 京津冀, 长三角, 长江经济带, 日韩, 港澳台) are dated data an administrator edits
(`kaifang.refdata`): a project is tagged by the membership on the day it was signed (or, before
signing, the day its lead came in). Industries are the sections of GB/T 4754-2017, read from the
published list in `data/reference/`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kaifang.refdata import files as reference_files
from kaifang.refdata.origins import foreign_origins, origin_choices, origin_names
from kaifang.refdata.selectors import memberships

TAG_BRI = "一带一路"
TAG_JJJ = "京津冀"
TAG_YRD = "长三角"
TAG_YREB = "长江经济带"
TAG_HMT = "港澳台"
TAG_JK = "日韩"
TAG_RCEP = "RCEP"
TAG_F500 = "世界500强"  # an investor flag, not an origin; listed so the UI shows one set of tags
# The strategy tags in their published order (data/reference/strategy_tags.csv).
ORIGIN_TAGS = [row["code"] for row in reference_files.list_rows("strategy_tag")]


class _OriginNames(Mapping[str, str]):
    """Origin code → Chinese name, read lazily (pycountry's catalogue plus the published corrections)."""

    def __getitem__(self, key: str) -> str:
        return origin_names()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(origin_names())

    def __len__(self) -> int:
        return len(origin_names())


ORIGIN_NAMES: Mapping[str, str] = _OriginNames()
ORIGIN_CHOICES = origin_choices  # grouped (国内（省外）/港澳台/外国); a callable, so fields read it when used


class _Foreign:
    def __contains__(self, code: object) -> bool:
        return code in foreign_origins()


FOREIGN_ORIGINS = _Foreign()


def origin_tags(code: str, on: datetime.date | None) -> list[str]:
    """The strategy groups origin `code` belonged to on `on`."""
    return memberships().tags_of(code, on)


def origins_with_tag(tag: str, on: datetime.date | None = None) -> list[str]:
    return sorted(memberships().members_of(tag, on))


Industry: Any = models.TextChoices(  # type: ignore[call-overload]
    "Industry",
    [
        (row["code"], (row["code"], _(row["name"])))
        for row in reference_files.list_rows("industry")
        if row.get("level") == "section"
    ],
)
Industry.__doc__ = "The sections (门类) of 国民经济行业分类 GB/T 4754-2017, from data/reference/gbt4754_2017.csv."


class Currency(models.TextChoices):
    CNY = "CNY", _("万元")
    USD = "USD", _("万美元")


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    TO_START = "to_start", _("拟开工")
    STARTED = "started", _("开工")
    FUNDS_IN = "funds_in", _("到资")
    PRODUCTION = "production", _("投产")
    DROPPED = "dropped", _("终止")


PIPELINE_STAGES = [
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.TO_START,
    Stage.STARTED,
    Stage.FUNDS_IN,
    Stage.PRODUCTION,
]
STAGE_ORDER: dict[str, int] = {str(stage): index for index, stage in enumerate(PIPELINE_STAGES)}
SIGNED_OR_LATER = [s for s in PIPELINE_STAGES if STAGE_ORDER[s] >= STAGE_ORDER[Stage.SIGNED]]
STARTED_OR_LATER = [s for s in PIPELINE_STAGES if STAGE_ORDER[s] >= STAGE_ORDER[Stage.STARTED]]


class TalentLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    OTHER = "other", _("其他")


class TalentKind(models.TextChoices):
    PERSON = "person", _("个人")
    TEAM = "team", _("团队")


class FollowUpKind(models.TextChoices):
    PROGRESS = "progress", _("进展")
    PROBLEM = "problem", _("问题")
    COORDINATION = "coordination", _("协调事项")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("协调中")
    RESOLVED = "resolved", _("已解决")
