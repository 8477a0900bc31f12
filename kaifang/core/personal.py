"""Personal data encrypted at rest with SM4 (issue 16, 密评): phone numbers, ID-card numbers.

Keys come from the environment, `KAIFANG_SM4_KEYS="k2:<32 hex>,k1:<32 hex>"`: the first encrypts,
every one listed decrypts (so a new key is added in front, `kaifang rotate_personal_keys`
re-encrypts every row in batches, then the old key is removed). Without keys nothing is encrypted
(an embedded demo); a stored value without the `sm4:` prefix is read as plain text, so turning
encryption on needs no downtime — the rotation command encrypts the old rows.

Stored form: `sm4:<key id>:<base64(iv ‖ SM4-CBC ciphertext)>:<HMAC-SM3 tag, 32 hex>`; the tag
(key derived from the SM4 key) covers key id, IV and ciphertext, so a changed or swapped value is
refused instead of decrypting to garbage.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from kaifang.core import gm

PREFIX = "sm4:"


class PersonalDataError(ValueError):
    pass


def keys() -> list[tuple[str, bytes]]:
    """(key id, 16-byte key), the current key first."""
    out: list[tuple[str, bytes]] = []
    for item in str(getattr(settings, "KAIFANG_SM4_KEYS", "") or "").split(","):
        if not item.strip():
            continue
        kid, _, hexkey = item.strip().partition(":")
        try:
            key = bytes.fromhex(hexkey)
        except ValueError:
            key = b""
        if not kid or ":" in kid or len(key) != 16:
            raise ImproperlyConfigured("KAIFANG_SM4_KEYS: each key is <id>:<32 hex digits> (16 bytes)")
        out.append((kid, key))
    return out


def current_key_id() -> str | None:
    found = keys()
    return found[0][0] if found else None


def _tag(key: bytes, kid: str, blob: bytes) -> str:
    mac_key = gm.sm3_digest(b"kaifang-personal-mac" + key)
    return gm.hmac_sm3(mac_key, kid.encode() + b":" + blob)[:32]


def encrypt(text: str, *, key_id: str | None = None) -> str:
    if not text or text.startswith(PREFIX):
        return text
    found = keys()
    if not found:
        return text
    kid, key = next(((k, v) for k, v in found if k == key_id), found[0]) if key_id else found[0]
    iv = os.urandom(16)
    blob = iv + gm.sm4_cbc_encrypt(key, iv, text.encode("utf-8"))
    return f"{PREFIX}{kid}:{base64.b64encode(blob).decode()}:{_tag(key, kid, blob)}"


def key_id_of(value: str | None) -> str | None:
    if not value or not value.startswith(PREFIX):
        return None
    return value[len(PREFIX) :].split(":", 1)[0]


def decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        kid, encoded, tag = value[len(PREFIX) :].split(":")
        blob = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise PersonalDataError("malformed encrypted value") from None
    key = dict(keys()).get(kid)
    if key is None:
        raise ImproperlyConfigured(f"KAIFANG_SM4_KEYS has no key '{kid}' to decrypt stored personal data")
    if not gm.same(_tag(key, kid, blob), tag) or len(blob) < 32:
        raise PersonalDataError("encrypted value fails its integrity check")
    return gm.sm4_cbc_decrypt(key, blob[:16], blob[16:]).decode("utf-8")


class EncryptedCharField(models.CharField):  # type: ignore[type-arg]
    """A CharField stored SM4-encrypted (a text column; `max_length` bounds the plain value).
    Equality and search lookups cannot work on it: each value has its own IV."""

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection: Any) -> str | None:
        return models.TextField().cast_db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if isinstance(value, str) else value
