"""Who speaks: "省委书记陈求发在讲话中指出", "市长强调", "副省长卢柯要求", "他还表示" …

A speaker mention is a name and/or title, an optional context ("在讲话中", "在会上") and a speech
verb. The text from the mention's sentence up to the next mention is that speaker's part; "他/她"
or the same person again continues the current part. Central leaders quoted inside a provincial
leader's speech ("习近平总书记强调，…") are quotations, not new speakers. A meeting as subject
("会议强调", "省政府常务会议指出") counts as a speaker: its decisions are points like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VERBS = ("指出", "强调", "要求", "表示", "提出", "认为", "希望", "指示", "部署", "介绍", "讲话", "说")
_VERBS = "|".join(VERBS)
_VERB_RE = re.compile(_VERBS)
_MORE_VERBS_RE = re.compile(rf"(?:，?并且?|和|、|，?同时)({_VERBS})")
_ADVERBS_RE = re.compile(
    r"(?:今天|昨天|日前|近日|随后|当天|当日|同时|还|也|又|再|进一步|特别|着重|重点|明确|深刻|充分|再次|专门|亲自|并)+$"
)
_CONTEXT_RE = re.compile(r"在[^在，。；：！？\n]{1,30}?(?:中|上|时|后|期间|之际)$")
_SPEECH_ACT_RE = re.compile(r"(?:(?:出席|主持|参加)[^，。；：！？\n]{0,12}?)?并?(?:作了|发表了|作|发表)?(?:重要)?$")
_LEADING_RE = re.compile(
    r"^(?:会上|会议上|会中|会后|随后|接着|最后|同时|此外|另外|期间|当天|当日|会前|座谈会上|调研中|调研时)+"
)
_CLAUSE_BOUNDARY = "。！？；：，\n“”!?;"
_SENTENCE_END = "。！？；\n!?;"
TITLES = (
    "总书记|书记|省长|市长|县长|区长|州长|旗长|乡长|镇长|主任|厅长|局长|部长|主席|秘书长|总理|委员|常委|院长|"
    "检察长|行长|总经理|董事长|负责人|组长|专员|巡视员|督察员|司长|处长|科长|署长|关长|会长|理事长|校长|发言人|"
    "总监|经理|代表|社长|所长"
)
_TITLE = rf"[\u4e00-\u9fff]{{0,14}}?(?:{TITLES})"
_PERSON_RE = re.compile(rf"^(?P<title>{_TITLE}(?:[、和及]?{_TITLE})*)(?P<name>[\u4e00-\u9fff]{{2,3}})?(?:同志)?$")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温"
    "康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜"
    "冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
_TITLES_RE = re.compile(rf"{_TITLE}(?:[、和及]?{_TITLE})*")
_NOT_IN_TITLES = set("了的到见在把被对向与从给让由经请邀议")
_NAME_FIRST_RE = re.compile(rf"^(?P<name>[{SURNAMES}][\u4e00-\u9fff]{{1,2}}?)(?P<title>同志|{TITLES})?$")
# Subjects that look like a surname + given name but are ordinary words.
_NOT_NAMES = frozenset(
    "文件 应该 方案 高层 于是 万一 范围 金融 马上 江苏 江西 黄河 国家 周边 "  # noqa: SIM905 - a word list reads better
    "安全 成果 成效 关键 关于 常委 常务 向来 华为 宁夏 严格 章程 曾经 白皮 "
    "田间 程序 任务 任何 余下 于此 齐心 易于 史上 单位 单纯 管理 路线 简单 "
    "连续 尚未 符合 包括 甘肃 宋代 毛泽 邓小 周恩 朱德 孙中 钱学 梁启 谢谢 "
    "汤姆 卢布 米国 师生 商务 商家 沙龙 应当 应急 宗旨 司法 舒适 项目 车辆 "
    "房地 贾平 孔子 文化 文明 文旅 武汉 苏州 石家 金州 龙城 白塔 邢台".split()
)
_MEETING_RE = re.compile(r"^[\u4e00-\u9fff]{0,16}(?:会议|全会|常委会|常务会|大会|座谈会|推进会|专题会)$")
_CENTRAL = ("总书记", "习近平", "党中央", "国务院", "总理")
_PRONOUNS = frozenset({"他", "她"})


@dataclass(frozen=True)
class Mention:
    """A speaker mention: `start` is where the previous part ends, `body_start` where this one's words begin."""

    start: int
    body_start: int
    phrase: str
    kind: str  # person | pronoun | meeting | central
    title: str
    name: str
    verbs: tuple[str, ...]


@dataclass
class Segment:
    """One speaker's part of the text."""

    speaker: str
    role_words: list[str] = field(default_factory=list)
    text: str = ""
    title: str = ""
    name: str = ""


def _classify(phrase: str, known_names: set[str], earlier: str = "") -> tuple[str, str, str] | None:
    """(kind, title, name) of a speaker phrase, or None when it is not one.

    A bare name needs a title ("李振华同志"), three characters, or to have been introduced with a
    title before (`known_names`, or "副省长卢柯" somewhere in `earlier`).
    """
    if not phrase:
        return None
    if phrase in _PRONOUNS:
        return "pronoun", "", ""
    if any(word in phrase for word in _CENTRAL):
        return "central", phrase, ""
    if person := _PERSON_RE.match(phrase):
        return "person", person["title"], person["name"] or ""
    if named := _NAME_FIRST_RE.match(phrase):
        name = named["name"]
        plausible = bool(named["title"]) or len(name) == 3 or name in known_names
        plausible = plausible or re.search(f"(?:{TITLES}){re.escape(name)}", earlier) is not None
        if plausible and name[:2] not in _NOT_NAMES:
            return "person", named["title"] or "", name
    if _MEETING_RE.match(phrase):
        return "meeting", phrase, ""
    return None


def _speaker_phrase(text: str, verb_start: int, verb: str) -> tuple[int, str]:
    """(start, phrase) of the words before a speech verb, without context and adverbs."""
    window = max(0, verb_start - 60)
    start = max(text.rfind(ch, window, verb_start) for ch in _CLAUSE_BOUNDARY) + 1 or window
    phrase = text[start:verb_start]
    for _ in range(3):
        before = phrase
        if verb == "讲话":
            phrase = _SPEECH_ACT_RE.sub("", phrase)
        phrase = _CONTEXT_RE.sub("", _ADVERBS_RE.sub("", phrase))
        if phrase == before:
            break
    return start, _LEADING_RE.sub("", phrase)


def find_mentions(text: str) -> list[Mention]:
    """Every speaker mention in `text`, in order."""
    mentions: list[Mention] = []
    known_names: set[str] = set()
    resume = 0
    for match in _VERB_RE.finditer(text):
        if match.start() < resume:
            continue
        verbs = [match.group()]
        end = match.end()
        while more := _MORE_VERBS_RE.match(text, end):
            verbs.append(more.group(1))
            end = more.end()
        if text.startswith("了", end):
            end += 1
        following = text[end : end + 1]
        if following and following in "的得者地":
            continue
        if verbs[-1] == "说" and following not in ("，", "：", "“"):
            continue
        if verbs[-1] == "讲话" and following and following not in "。，；：\n":
            continue
        phrase_start, phrase = _speaker_phrase(text, match.start(), verbs[0])
        if len(phrase) > 40 or (found := _classify(phrase, known_names, text[:phrase_start])) is None:
            continue
        kind, title, name = found
        if kind == "person" and title and name:
            known_names.add(name)
        window = max(0, phrase_start - 300)
        sentence_start = max(text.rfind(ch, window, phrase_start) for ch in _SENTENCE_END) + 1 or phrase_start
        body_start = end + 1 if following in ("，", "：") else end
        mentions.append(Mention(sentence_start, body_start, phrase, kind, title, name, tuple(verbs)))
        resume = body_start
    return mentions


def _titled(text: str, name: str, before: int) -> str:
    """A bare name with the title it carries where the text first introduces it ("省长赵振东")."""
    index = text.find(name, 0, before)
    while index != -1:
        clause = _LEADING_RE.sub("", re.split(r"[。！？；：，\n“”]", text[max(0, index - 40) : index])[-1])
        for cut in range(len(clause)):
            suffix = clause[cut:]
            if _TITLES_RE.fullmatch(suffix) and not _NOT_IN_TITLES.intersection(suffix):
                return suffix + name
        index = text.find(name, index + len(name), before)
    return name


def _same_person(segment: Segment, mention: Mention) -> bool:
    if mention.kind == "pronoun":
        return True
    if segment.name and mention.name:
        return segment.name == mention.name
    return bool(segment.title) and segment.title == mention.title


def split_speakers(text: str) -> list[Segment]:
    """The parts of `text`: first the words before any speaker (speaker ""), then one per speaker turn."""
    segments = [Segment(speaker="")]
    pieces: list[list[str]] = [[]]
    fullest: dict[str, str] = {}  # name → the longest phrase seen for it ("省委书记陈求发")
    cursor = 0
    for mention in find_mentions(text):
        current = segments[-1]
        if mention.kind == "pronoun" and not current.speaker:
            continue  # "他说" with nobody speaking yet
        if mention.kind == "central" and current.speaker:
            continue  # a quotation inside the current speech
        start = max(mention.start, cursor)
        pieces[-1].append(text[cursor:start])
        if current.speaker and _same_person(current, mention):
            current.role_words.extend(v for v in mention.verbs if v not in current.role_words)
        else:
            phrase = mention.phrase
            if mention.name:
                if not mention.title and mention.name not in fullest:
                    phrase = _titled(text, mention.name, mention.body_start)
                phrase = max(phrase, fullest.get(mention.name, ""), key=len)
                fullest[mention.name] = phrase
            segments.append(Segment(phrase, list(dict.fromkeys(mention.verbs)), "", mention.title, mention.name))
            pieces.append([])
        cursor = mention.body_start
    pieces[-1].append(text[cursor:])
    for segment, parts in zip(segments, pieces, strict=True):
        segment.text = "".join(parts).strip()
    return segments
