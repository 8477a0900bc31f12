"""Shared helpers of the speech parser tests: the corpus, a hand-built Liaoning gazetteer, parse()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kaifang.meetings.speech import (
    DEFAULT_TOPIC_UNITS,
    Gazetteer,
    Place,
    parse_speech,
)

CORPUS = Path(__file__).parent / "corpus"
CORPUS_TEXTS = sorted(CORPUS.glob("*.txt"))
MAYOR_EXAMPLE = "市长强调，一是要抓好项目建设。加快推进重点项目。二要优化营商环境，提升服务效率。"
CITIES = (
    ("沈阳市", "210100"), ("大连市", "210200"), ("鞍山市", "210300"), ("抚顺市", "210400"),
    ("本溪市", "210500"), ("丹东市", "210600"), ("锦州市", "210700"), ("营口市", "210800"),
    ("阜新市", "210900"), ("辽阳市", "211000"), ("盘锦市", "211100"), ("铁岭市", "211200"),
    ("朝阳市", "211300"), ("葫芦岛市", "211400"),
)  # fmt: skip
DEPARTMENTS = (
    ("商务厅", "SWT", ("省商务厅",)),
    ("发改委", "FGW", ("省发改委", "发展改革委", "省发展改革委")),
    ("工信厅", "GXT", ("省工信厅",)),
    ("科技厅", "KJT", ("省科技厅",)),
    ("人社厅", "RST", ("省人社厅",)),
    ("自贸办", "ZMB", ("省自贸办",)),
)


def liaoning_gazetteer() -> Gazetteer:
    """A hand-built gazetteer: the province, 14 cities, a few counties, departments, platforms, groups."""
    places = [Place("辽宁省", ("辽宁",), "210000", "province")]
    places += [Place(name, (name.removesuffix("市"),), code, "city") for name, code in CITIES]
    places += [
        Place("浑南区", ("浑南",), "210112", "county"),
        Place("沈河区", ("沈河",), "210103", "county"),
        Place("甘井子区", ("甘井子",), "210211", "county"),
        Place("瓦房店市", ("瓦房店",), "210281", "county"),
    ]
    places += [Place(name, aliases, code, "department") for name, code, aliases in DEPARTMENTS]
    places += [
        Place("中国（辽宁）自由贸易试验区", ("辽宁自贸试验区", "辽宁自由贸易试验区"), "PF01", "platform"),
        Place("中国（辽宁）自由贸易试验区大连片区", ("大连片区", "自贸试验区大连片区"), "PF03", "platform"),
        Place("大连金普新区", ("金普新区",), "PF33", "platform"),
        Place("沿海六市", ("沿海经济带", "辽宁沿海经济带"), "G-COASTAL6", "group"),
        Place("辽西北", ("辽西北地区",), "G-NORTHWEST", "group"),
        Place("沈阳经济区", (), "G-SYEZ", "group"),
    ]
    codes = {code for _name, code, _aliases in DEPARTMENTS}
    return Gazetteer(tuple(places), tuple(t for t in DEFAULT_TOPIC_UNITS if t[1] in codes))


GAZETTEER = liaoning_gazetteer()


def parse(text: str) -> dict[str, Any]:
    return parse_speech(text, gazetteer=GAZETTEER)


def titles(result: dict[str, Any]) -> list[list[str]]:
    return [[item["title"] for item in segment["items"]] for segment in result["segments"]]


def only_items(text: str) -> list[dict[str, Any]]:
    result = parse(text)
    return [item for segment in result["segments"] for item in segment["items"]]


def read_corpus(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes: keep the CRLF of the pasted-PDF sample
