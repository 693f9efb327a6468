"""WeChat signatures and safe-mode (消息加解密) encryption, per platforms.md §3.1 and §3.4.

Safe mode: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding
to 32-byte blocks, plaintext = 16 random bytes + 4-byte big-endian length + message + AppID.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from civicloop.errors import BadRequest, InvalidSignature

BLOCK = 32


def signature(*values: str) -> str:
    """SHA1 of the values sorted and concatenated: ``signature`` (token, timestamp, nonce) and
    ``msg_signature`` (the same plus the Encrypt text)."""
    return hashlib.sha1("".join(sorted(values)).encode(), usedforsecurity=False).hexdigest()


def aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("the account's encoding_aes_key is not valid base64") from exc
    if len(key) != 32:
        raise InvalidSignature("the account's encoding_aes_key does not decode to 32 bytes")
    return key


def _cipher(key: bytes) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(message: bytes, *, encoding_aes_key: str, app_id: str, random: bytes | None = None) -> str:
    """The ``Encrypt`` text WeChat sends in safe mode (also what the simulator uses to push)."""
    key = aes_key(encoding_aes_key)
    plain = (random or os.urandom(16)) + struct.pack(">I", len(message)) + message + app_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, *, encoding_aes_key: str, app_id: str) -> bytes:
    """The message inside ``Encrypt``; BadRequest if it is garbled, InvalidSignature if the AppID is not ours."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("Encrypt is not base64") from exc
    if not data or len(data) % 16:
        raise BadRequest("Encrypt is not a whole number of AES blocks")
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        raise BadRequest("Encrypt has invalid padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise BadRequest("Encrypt is too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, trailer = plain[20 : 20 + length], plain[20 + length :]
    if len(message) != length:
        raise BadRequest("Encrypt's length field is wrong")
    if trailer != app_id.encode():
        raise InvalidSignature("the encrypted message is for another AppID")
    return message
