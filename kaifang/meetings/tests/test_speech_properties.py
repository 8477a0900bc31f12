"""The speech parser: hypothesis properties over the corpus, and reading uploaded files."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifang.meetings.speech import (
    MAX_FILE_BYTES,
    SpeechFileError,
    normalize_text,
    read_speech_file,
)
from kaifang.meetings.speech.markers import starts_with_marker
from kaifang.meetings.tests.speech_helpers import (
    CORPUS,
    CORPUS_TEXTS,
    MAYOR_EXAMPLE,
    parse,
    read_corpus,
    titles,
)

# --- properties -----------------------------------------------------------------------------------------

INLINE_TEXTS = [
    read_corpus(CORPUS / name)
    for name in (
        "01_provincial_opening_up_teleconference.txt",
        "02_city_mayor_yiyao.txt",
        "03_vice_governor_diyi.txt",
        "06_county_secretary_shouxian.txt",
        "07_messy_pasted_pdf.txt",
        "10_mayor_example.txt",
        "11_city_conference_several_speakers.txt",
    )
]
ALL_TEXTS = [read_corpus(path) for path in CORPUS_TEXTS]
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH = {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")", "。": "."}


def spaced_and_wrapped(text: str, seed: int, breaks: int) -> str:
    """Random spaces between Chinese characters and a few line breaks that start no new marker."""
    rng = random.Random(seed)
    first_line_end = text.find("\n") if "\n" in text.strip() else 0
    out: list[str] = []
    budget = breaks
    for index, char in enumerate(text):
        out.append(char)
        nxt = text[index + 1 : index + 2]
        if not (IDEOGRAPH.match(char) and nxt and IDEOGRAPH.match(nxt)):
            continue
        roll = rng.random()
        if roll < 0.15:
            out.append(rng.choice([" ", "  ", "\u00a0", "\u3000"]))
        elif roll < 0.20 and budget and index > first_line_end and not starts_with_marker(text[index + 1 :]):
            out.append(rng.choice(["\n", "\r\n"]))
            budget -= 1
    return "".join(out)


def swapped_punctuation(text: str, seed: int) -> str:
    """Full-width punctuation next to Chinese characters randomly replaced by its half-width form."""
    rng = random.Random(seed)
    chars = list(text)
    for index, char in enumerate(chars):
        prev = chars[index - 1] if index else ""
        nxt = chars[index + 1] if index + 1 < len(chars) else ""
        beside_chinese = bool(IDEOGRAPH.match(prev) or (char != "。" and IDEOGRAPH.match(nxt or " ")))
        if char in HALF_WIDTH and beside_chinese and rng.random() < 0.5:
            chars[index] = HALF_WIDTH[char]
        elif char.isdigit() and char.isascii() and rng.random() < 0.3:
            chars[index] = chr(ord(char) + 0xFEE0)
    return "".join(chars)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(INLINE_TEXTS), seed=st.integers(0, 2**32), breaks=st.integers(0, 3))
def test_random_spaces_and_line_breaks_between_chinese_characters_never_change_the_titles(
    text: str, seed: int, breaks: int
) -> None:
    original = parse(text)
    noisy = parse(spaced_and_wrapped(text, seed, breaks))
    assert titles(noisy) == titles(original)
    assert [s["speaker"] for s in noisy["segments"]] == [s["speaker"] for s in original["segments"]]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(ALL_TEXTS), seed=st.integers(0, 2**32))
def test_swapping_full_and_half_width_punctuation_never_changes_the_titles(text: str, seed: int) -> None:
    original = parse(text)
    swapped = parse(swapped_punctuation(text, seed))
    assert titles(swapped) == titles(original)
    assert swapped["date"] == original["date"]


SPEECHY = st.text(
    alphabet=st.sampled_from(
        list("一二三十是要第（）()1２.．、，,。；：:首先其次最后")
        + list("市长省委书记陈求发强调指出说他在会上\n 　大连市沈阳经济区“”")
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.one_of(st.text(max_size=300), SPEECHY))
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    if not normalize_text(text).strip():
        with pytest.raises(ValueError):
            parse(text)
        return
    result = parse(text)
    assert set(result) == {"title", "date", "segments", "text"}
    for segment in result["segments"]:
        assert segment["speaker"] or segment["items"]
        for item in segment["items"]:
            assert item["title"] and isinstance(item["ordinal"], int) and item["ordinal"] > 0


# --- reading uploaded files -----------------------------------------------------------------------------


def docx_bytes(*paragraphs: tuple[str, str | None]) -> bytes:
    from docx import Document

    document = Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"", b"   \n\t"])
def test_empty_file_is_rejected(data: bytes) -> None:
    with pytest.raises(SpeechFileError, match="文件为空"):
        read_speech_file(data, filename="讲话.txt")


def test_binary_garbage_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="不是文本文件"):
        read_speech_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), filename="讲话.txt")
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))
    with pytest.raises(SpeechFileError):
        read_speech_file(noise, filename="讲话.txt")


def test_file_over_two_megabytes_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="2 MB"):
        read_speech_file("讲".encode() * (MAX_FILE_BYTES // 3 + 1), filename="讲话.txt")


def test_docx_that_is_not_a_zip_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="不是有效的 Word"):
        read_speech_file("市长强调，一是要抓好项目建设。".encode(), filename="讲话.docx")


def test_zip_without_a_word_document_is_rejected() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SpeechFileError, match="不是有效的 Word"):
        read_speech_file(buffer.getvalue(), filename="讲话.docx")


def test_real_docx_is_read_with_word_numbering_written_out() -> None:
    data = docx_bytes(
        ("大连市召开项目推进会", None),
        ("市长强调：", None),
        ("抓好项目建设。", "List Number"),
        ("优化营商环境，提升服务效率。", "List Number"),
    )
    text = read_speech_file(data, filename="讲话.DOCX")
    assert text == "大连市召开项目推进会\n市长强调：\n1.抓好项目建设。\n2.优化营商环境，提升服务效率。"
    result = parse(text)
    assert result["title"] == "大连市召开项目推进会"
    assert titles(result) == [["抓好项目建设", "优化营商环境，提升服务效率"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_files_in_common_chinese_encodings_are_decoded(encoding: str) -> None:
    assert read_speech_file(MAYOR_EXAMPLE.encode(encoding), filename="讲话.txt") == MAYOR_EXAMPLE


def test_unsupported_file_types_are_rejected_with_advice() -> None:
    with pytest.raises(SpeechFileError, match=r"\.docx"):
        read_speech_file(b"{\\rtf1}", filename="speech.doc")
    with pytest.raises(SpeechFileError, match="不支持的文件类型"):
        read_speech_file(b"%PDF-1.7", filename="speech.pdf")


def test_speech_file_error_is_a_value_error() -> None:
    assert issubclass(SpeechFileError, ValueError)
