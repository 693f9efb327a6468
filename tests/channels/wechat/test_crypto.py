"""Safe-mode cryptography against independent vectors.

The vectors come from wechatpy's test suite (``tests/test_crypto.py``, WeCom flavour: the trailing id
is the CorpID where an Official Account has its AppID; the scheme is the same, platforms.md §3.4).
"""

from __future__ import annotations

import pytest

from civicloop.channels.wechat import crypto
from civicloop.errors import BadRequest, InvalidSignature

TOKEN = "123456"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
RECEIVER = "wx49f0ab532d5d035a"
TIMESTAMP, NONCE = "1411525903", "461056294"
INBOUND = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6y"
    "dJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/T"
    "ywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5"
    "t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
REPLY = (
    b"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    b"<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    b"<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
REPLY_ENCRYPTED = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesE"
    "l5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsD"
    "f03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nT"
    "YjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)


def test_msg_signature_vector() -> None:
    assert crypto.signature(TOKEN, TIMESTAMP, NONCE, INBOUND) == "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
    assert crypto.signature(TOKEN, TIMESTAMP, NONCE, REPLY_ENCRYPTED) == "407518b7649e86ef23978113f92d27afa9296533"


def test_decrypt_vector() -> None:
    message = crypto.decrypt(INBOUND, encoding_aes_key=KEY, app_id=RECEIVER)
    assert b"<Content><![CDATA[test]]></Content>" in message
    assert b"<FromUserName><![CDATA[messense]]></FromUserName>" in message


def test_encrypt_vector_with_its_fixed_random_prefix() -> None:
    assert crypto.encrypt(REPLY, encoding_aes_key=KEY, app_id=RECEIVER, random=b"1234567890123456") == REPLY_ENCRYPTED


@pytest.mark.parametrize("size", [0, 1, 11, 12, 31, 32, 33, 1000])
def test_round_trip_including_a_full_block_of_padding(size: int) -> None:
    message = ("ཀ" * size).encode()[:size]
    encrypted = crypto.encrypt(message, encoding_aes_key=KEY, app_id="wx5f2c7a9e3b1d4068")
    assert crypto.decrypt(encrypted, encoding_aes_key=KEY, app_id="wx5f2c7a9e3b1d4068") == message


def test_a_message_for_another_appid_or_garbled_ciphertext_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        crypto.decrypt(INBOUND, encoding_aes_key=KEY, app_id="wx0000000000000000")
    for garbled in ("not base64!", "QUJD", INBOUND[:-8] + "AAAAAAA=", ""):
        with pytest.raises(BadRequest):
            crypto.decrypt(garbled, encoding_aes_key=KEY, app_id=RECEIVER)
