"""Password rules beyond Django's own: character classes, and no unit names or system words."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaifang.orgs.models import OrgUnit

SYSTEM_WORDS = (
    "kaifang", "kaifa", "liaoning", "shenyang", "dalian", "admin", "password", "qwerty", "123456", "开放", "辽宁",
)  # fmt: skip


class CharacterClassValidator:
    """At least `min_classes` (default three, KAIFANG_PASSWORD_MIN_CLASSES) of: lower case, upper
    case, digits, symbols. 等保 asks for complexity; ASVS advises against it: 等保 wins (documented)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"]
        if sum(1 for pattern in classes if re.search(pattern, password)) < self.min_classes:
            raise ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class ContextWordsValidator:
    """Reject passwords containing the system's name, the province or any unit's name."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        for word in self.context_words(user):
            if word and len(word) >= 2 and word.lower() in lowered:
                raise ValidationError(
                    _("密码不能包含系统名称、地名或单位名称（如“%(word)s”）。") % {"word": word},
                    code="password_context_word",
                )

    def context_words(self, user: Any) -> list[str]:
        words = list(SYSTEM_WORDS)
        for name, short in OrgUnit.objects.values_list("name", "short_name"):
            words.append(name)
            if short:
                words.append(short)
            stem = re.sub(r"(省|市|区|县|自治县)$", "", name)
            if len(stem) >= 2:
                words.append(stem)
        username = getattr(user, "username", None)
        if username:
            words.append(str(username))
        return words

    def get_help_text(self) -> str:
        return _("密码不能包含系统名称、地名或单位名称。")


class MaximumLengthValidator:
    """Long pass-phrases are welcome (never truncated); the cap only stops hashing abuse."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(_("密码不能超过%(max)d个字符。") % {"max": self.max_length}, code="password_too_long")

    def get_help_text(self) -> str:
        return _("密码不能超过%(max)d个字符。") % {"max": self.max_length}
