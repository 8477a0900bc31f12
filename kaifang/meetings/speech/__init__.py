"""Speech parser (讲话解析): a pasted speech or meeting report → speakers and their numbered points.

Pure Python and importable without Django; only `build_gazetteer` reads the database. The result
of `parse_speech` is a draft for a person to confirm into supervised tasks, never published as is.
"""

from kaifang.meetings.speech.files import MAX_FILE_BYTES, SpeechFileError, read_speech_file
from kaifang.meetings.speech.gazetteer import (
    DEFAULT_TOPIC_UNITS,
    NATIONAL_STRATEGIES,
    OTHER_PROVINCES,
    Gazetteer,
    Place,
    UnitRow,
    build_gazetteer,
    make_gazetteer,
)
from kaifang.meetings.speech.normalize import normalize_text
from kaifang.meetings.speech.parser import EMPTY_TEXT_MESSAGE, parse_speech

__all__ = [
    "DEFAULT_TOPIC_UNITS",
    "EMPTY_TEXT_MESSAGE",
    "MAX_FILE_BYTES",
    "NATIONAL_STRATEGIES",
    "OTHER_PROVINCES",
    "Gazetteer",
    "Place",
    "SpeechFileError",
    "UnitRow",
    "build_gazetteer",
    "make_gazetteer",
    "normalize_text",
    "parse_speech",
    "read_speech_file",
]
