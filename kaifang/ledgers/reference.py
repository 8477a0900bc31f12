"""Reference tables of the ledgers: investor origins with strategy tags, industry sections, stages.

Origins are a fixed table (code → name, tags) rather than a model: the tags are policy groupings
(一带一路 partner countries, 京津冀, 长三角 / 长江经济带, 港澳台, 日韩) that every count filters on, so
they live in one place in the code and the counts stay comparable across cities.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

TAG_BRI = "一带一路"
TAG_JJJ = "京津冀"
TAG_YRD = "长三角"
TAG_YREB = "长江经济带"
TAG_HMT = "港澳台"
TAG_JK = "日韩"
TAG_F500 = "世界500强"  # an investor flag, not an origin; listed so the UI shows one set of tags
ORIGIN_TAGS = [TAG_BRI, TAG_JJJ, TAG_YRD, TAG_YREB, TAG_HMT, TAG_JK]

# (code, name, is_foreign, tags). 一带一路: countries that had signed BRI cooperation documents by 2018.
ORIGINS: list[tuple[str, str, bool, tuple[str, ...]]] = [
    ("JP", "日本", True, (TAG_JK,)),
    ("KR", "韩国", True, (TAG_JK,)),
    ("DE", "德国", True, ()),
    ("US", "美国", True, ()),
    ("FR", "法国", True, ()),
    ("GB", "英国", True, ()),
    ("NL", "荷兰", True, ()),
    ("SG", "新加坡", True, (TAG_BRI,)),
    ("RU", "俄罗斯", True, (TAG_BRI,)),
    ("MY", "马来西亚", True, (TAG_BRI,)),
    ("TH", "泰国", True, (TAG_BRI,)),
    ("AE", "阿联酋", True, (TAG_BRI,)),
    ("PL", "波兰", True, (TAG_BRI,)),
    ("IL", "以色列", True, ()),
    ("HK", "中国香港", True, (TAG_HMT,)),
    ("MO", "中国澳门", True, (TAG_HMT,)),
    ("TW", "中国台湾", True, (TAG_HMT,)),
    ("CN-BJ", "北京市", False, (TAG_JJJ,)),
    ("CN-TJ", "天津市", False, (TAG_JJJ,)),
    ("CN-HE", "河北省", False, (TAG_JJJ,)),
    ("CN-SH", "上海市", False, (TAG_YRD, TAG_YREB)),
    ("CN-JS", "江苏省", False, (TAG_YRD, TAG_YREB)),
    ("CN-ZJ", "浙江省", False, (TAG_YRD, TAG_YREB)),
    ("CN-AH", "安徽省", False, (TAG_YRD, TAG_YREB)),
    ("CN-HB", "湖北省", False, (TAG_YREB,)),
    ("CN-SC", "四川省", False, (TAG_YREB,)),
    ("CN-GD", "广东省", False, ()),
    ("CN-SD", "山东省", False, ()),
    ("CN-LN", "辽宁省内", False, ()),
    ("OTHER", "其他", True, ()),
]
ORIGIN_NAMES = {code: name for code, name, _f, _t in ORIGINS}
ORIGIN_CHOICES = [(code, name) for code, name, _f, _t in ORIGINS]
ORIGIN_TAGS_OF = {code: tags for code, _n, _f, tags in ORIGINS}
FOREIGN_ORIGINS = {code for code, _n, foreign, _t in ORIGINS if foreign}


def origins_with_tag(tag: str) -> list[str]:
    return [code for code, tags in ORIGIN_TAGS_OF.items() if tag in tags]


class Industry(models.TextChoices):
    """The twenty sections (门类) of 国民经济行业分类 GB/T 4754-2017."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741 (the standard's own letter)
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


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
