"""BERT's WordPiece tokenizer, as all-MiniLM-L6-v2's ``tokenizer.json`` describes it, in plain Python.

The quality embedder needs token ids for its ONNX model. Hugging Face's ``tokenizers`` package did
that, but pulls in ``huggingface_hub`` and its downloader (42 MB installed); these steps are short:
1. special tokens written in the text (``[CLS]``, ``[UNK]`` …) are kept whole;
2. BERT's normalizer: drop NUL, U+FFFD and control and format characters, turn every whitespace into
   a space, put spaces around CJK ideographs, decompose (NFD) and drop combining marks, lower-case;
3. BERT's pre-tokenizer: split on whitespace, and make each punctuation character a word;
4. WordPiece: each word becomes the longest vocabulary entries that spell it, left to right,
   continuations prefixed with ``##``; a word that cannot be spelt, or of more than 100 characters,
   becomes ``[UNK]``;
5. ``[CLS]`` … ``[SEP]`` around at most ``max_tokens`` ids in all.
Its ids are the ``tokenizers`` package's on the texts tested (tests/analysis/test_wordpiece.py).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

# Unicode blocks BERT treats as CJK ideographs, each its own word.
CJK = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
CONTROL = frozenset({"Cc", "Cf", "Co", "Cs"})
CACHE_LIMIT = 200_000
# ASCII text needs no Unicode tables: control characters go, tab and line breaks become spaces.
ASCII_CLEAN = {code: None for code in [*range(0, 32), 127] if chr(code) not in "\t\n\r"} | {
    ord("\t"): " ",
    ord("\n"): " ",
    ord("\r"): " ",
}
ASCII_PUNCTUATION = "!-/:-@\\[-`{-~"
ASCII_WORDS_RE = re.compile(rf"[^\s{ASCII_PUNCTUATION}]+|[{ASCII_PUNCTUATION}]")
# Texts longer than this are tokenized from a prefix first: 128 tokens rarely need more.
PREFIX_CHARS = 2_000


def _is_cjk(code: int) -> bool:
    return any(low <= code <= high for low, high in CJK)


@cache
def _words_re() -> re.Pattern[str]:
    """Words and single punctuation characters (ASCII punctuation and Unicode's P* categories)."""
    marks = "".join(
        re.escape(chr(code)) for code in range(128, sys.maxunicode + 1) if unicodedata.category(chr(code))[0] == "P"
    )
    return re.compile(rf"[^\s{ASCII_PUNCTUATION}{marks}]+|[{ASCII_PUNCTUATION}{marks}]")


class WordPiece:
    """Token ids of texts for a BERT-style model, from its ``tokenizer.json``."""

    def __init__(self, path: Path, *, max_tokens: int = 128) -> None:
        spec = json.loads(path.read_text(encoding="utf-8"))
        model = spec["model"]
        self.vocab: dict[str, int] = model["vocab"]
        self.unk = self.vocab[model["unk_token"]]
        self.prefix: str = model["continuing_subword_prefix"]
        self.max_chars: int = model["max_input_chars_per_word"]
        self.special = {token["content"]: token["id"] for token in spec["added_tokens"]}
        self.special_re = re.compile("(" + "|".join(re.escape(token) for token in self.special) + ")")
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.max_tokens = max_tokens
        self._words: dict[str, list[int]] = {}

    def _normalize(self, text: str) -> str:
        if text.isascii():
            return text.translate(ASCII_CLEAN).lower()
        out = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD:
                continue
            if char in "\t\n\r":
                out.append(" ")
            elif unicodedata.category(char) in CONTROL:
                continue
            elif char.isspace():
                out.append(" ")
            elif _is_cjk(code):
                out.append(f" {char} ")
            else:
                out.append(char)
        decomposed = unicodedata.normalize("NFD", "".join(out))
        return "".join(char for char in decomposed if unicodedata.category(char) != "Mn").lower()

    @staticmethod
    def _split(text: str) -> list[str]:
        """Whitespace separates words (the normalizer made every one a space); each punctuation
        character is a word."""
        return (ASCII_WORDS_RE if text.isascii() else _words_re()).findall(text)

    def _word(self, word: str) -> list[int]:
        cached = self._words.get(word)
        if cached is not None:
            return cached
        ids: list[int] = []
        if len(word) > self.max_chars:
            ids = [self.unk]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                    found = self.vocab.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk]
                    break
                ids.append(found)
                start = end
        if len(self._words) < CACHE_LIMIT:
            self._words[word] = ids
        return ids

    def ids(self, text: str) -> list[int]:
        """``[CLS]``, the text's tokens (cut to fit), ``[SEP]``."""
        cut = text.rfind(" ", 0, PREFIX_CHARS) if len(text) > PREFIX_CHARS else -1
        if cut > 0:
            # A space ends a word for every step, so the prefix's tokens start the whole text's.
            head = self._ids(text[:cut])
            if len(head) == self.max_tokens:
                return head
        return self._ids(text)

    def _ids(self, text: str) -> list[int]:
        out = [self.cls]
        limit = self.max_tokens - 1
        for part in self.special_re.split(text):
            if part in self.special:
                out.append(self.special[part])
            else:
                for word in self._split(self._normalize(part)):
                    out.extend(self._word(word))
            if len(out) >= limit:
                break
        return [*out[:limit], self.sep]

    def batch(self, texts: list[str]) -> tuple[list[list[int]], int]:
        """Ids of each text and the longest length (to pad to)."""
        encoded = [self.ids(text) for text in texts]
        return encoded, max((len(ids) for ids in encoded), default=0)
