"""Commercial (national) cryptography for 密评 (GB/T 39786-2021), with `gmssl` from the package index:
SM3 (GB/T 32905-2016) and HMAC-SM3 (RFC 2104 over SM3, 64-byte blocks) for digests, SM4 (GB/T
32907-2016) for encrypting data at rest. Pure functions; the settings that choose them live where
they are used (the audit chain, snapshot digests, personal fields)."""

from __future__ import annotations

import hmac

from gmssl import func, sm3
from gmssl.sm4 import SM4_DECRYPT, SM4_ENCRYPT, CryptSM4

BLOCK = 64  # SM3's block size in bytes (as SHA-256's)
NO_PADDING = -1  # gmssl pads with PKCS#7 (0) or zeros (1); any other value: none


def sm3_digest(data: bytes) -> bytes:
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def sm3_hex(data: bytes) -> str:
    return sm3.sm3_hash(func.bytes_to_list(data))


def hmac_sm3(key: bytes, data: bytes) -> str:
    """HMAC (RFC 2104) with SM3, as hex (64 characters)."""
    if len(key) > BLOCK:
        key = sm3_digest(key)
    key = key.ljust(BLOCK, b"\0")
    inner = sm3_digest(bytes(b ^ 0x36 for b in key) + data)
    return sm3_hex(bytes(b ^ 0x5C for b in key) + inner)


def sm4_block(key: bytes, block: bytes, *, decrypt: bool = False) -> bytes:
    """One raw 16-byte SM4 block (the standard's test vectors are single blocks)."""
    if len(key) != 16 or len(block) % 16:
        raise ValueError("SM4 keys and blocks are 16 bytes")
    cipher = CryptSM4(padding_mode=NO_PADDING)
    cipher.set_key(key, SM4_DECRYPT if decrypt else SM4_ENCRYPT)
    return bytes(cipher.crypt_ecb(block))


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    cipher = CryptSM4()
    cipher.set_key(key, SM4_ENCRYPT)
    return bytes(cipher.crypt_cbc(iv, plaintext))


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    cipher = CryptSM4()
    cipher.set_key(key, SM4_DECRYPT)
    return bytes(cipher.crypt_cbc(iv, ciphertext))


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
