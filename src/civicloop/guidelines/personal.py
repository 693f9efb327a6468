"""Personal-data detectors: Bhutanese CID, mobile and landline numbers, emails, passports, licences,
bank accounts and dates of birth near a name.

Precision matters as much as recall: official replies are full of amounts, dates, years and
reference numbers, so every number pattern is checked against its neighbours before it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from civicloop.guidelines.text import Prepared, is_tibetan, prepare, tokenize

# A number may not continue a word, another number, a URL path or an email address.
_BEFORE = r"(?<![\w+/@])(?<!\d[.,-])"
_AFTER = r"(?![\w/@])(?![.,-]\d)"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:19|20)\d{{2}}|(?:19|20)\d{{2}}[./-]\d{{1,2}}[./-]\d{{1,2}}"
    # "3rd of May, 1990", and with the month abbreviated between dashes or dots: "12-Jun-1948", "3.May.1990".
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?P<sep>[./-]){_MONTH}(?P=sep)(?:19|20)\d{{2}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})"
)
# A date in Dzongkha words: "ཚེས་༣ ཟླ་༤ ལོ་༡༩༧༥", "༣ ཟླ་༤ ༡༩༧༥" (day, month, year), the year first, as
# forms write it: "ལོ་ ༢༠༠༩ ཟླ་ ༩ ཚེས་ ༢", "༢༠༠༩ ཟླ་༩ ཚེས་༢" (year, month, day), or the month first:
# "ཟླ་ ༥ ཚེས་ ༡༢ ལོ་ ༢༠༡༠" (month, day, year).
_DATE_DZ = (
    r"(?:(?:ཚེས[་\s]*)?\d{1,2}[་\s]+ཟླ[་\s]*(?:པ[་\s]*)?\d{1,2}[་\s]+(?:ལོ[་\s]*)?(?:19|20)\d{2}"
    r"|(?:ལོ[་\s]*)?(?:19|20)\d{2}[་\s]+ཟླ[་\s]*(?:པ[་\s]*)?\d{1,2}[་\s]+ཚེས[་\s]*(?:པ[་\s]*)?\d{1,2}"
    r"|ཟླ[་\s]*(?:པ[་\s]*)?\d{1,2}[་\s]+ཚེས[་\s]*(?:པ[་\s]*)?\d{1,2}[་\s]+(?:ལོ[་\s]*)?(?:19|20)\d{2})"
)
# "no.", "number", "#" or Dzongkha ཨང (number), e.g. "ཁ་པར་ཨང་ ༡༧…".
# The end of a keyword: \b fails after a Dzongkha vowel sign (ཐོ), which is not a word character.
_WORD_END = r"(?!\w)"
_NO = r"\s*\(?(?:\s*་?\s*(?:no\.?|number|num\.?|#|ཨང))?\s*[:.\-་]?\s*(?:is\s+)?"
NUMBER_WORDS = frozenset({"no", "number", "num", "nos", "id"})
CURRENCY = frozenset({"$", "₹"})
# Words without which no home is placed (home_owned, home_placed): a text with none is not searched.
_HOME_WORDS = frozenset({"home", "house", "residence", "quarters", "ཁྱིམ"})
SENTENCE_END = re.compile(r"[.!?]\s|\n")
# Priorities when spans overlap: a number named by its keyword wins over a guess from its shape.
PRIORITY = {
    "personal.cid": 1,
    "personal.bank_account": 0,
    "personal.passport": 0,
    "personal.licence": 0,
    "personal.date_of_birth": 0,
    "personal.home_address": 0,
    "personal.health": 0,
    "personal.email": 2,
    "personal.mobile": 3,
    "personal.landline": 4,
}


@dataclass(frozen=True)
class Span:
    rule: str
    start: int
    end: int
    public: bool = False  # a published organisational contact or account: not personal data
    keyed: bool = False  # named by a keyword ("CID", "account no.") rather than guessed from its shape


# A declared reference-number format: ``#`` a digit, ``@`` a letter, ``YYYY`` a year, ``MM`` a month,
# ``DD`` a day; anything else stands for itself (case ignored): "BP-YYYY-######", "1##########".
_FORMAT_TOKENS = {
    "YYYY": r"(?:19|20)\d{2}",
    "MM": r"(?:0[1-9]|1[0-2])",
    "DD": r"(?:0[1-9]|[12]\d|3[01])",
    "#": r"\d",
    "@": r"[A-Za-z]",
}
_FORMAT_SPLIT = re.compile("(" + "|".join(re.escape(k) for k in _FORMAT_TOKENS) + ")")
MAX_FORMAT = 60
_CHUNK_EDGE = ".,;:!?)(][\"'"


def reference_format_regex(mask: str) -> re.Pattern[str]:
    """The regex of one declared format; ValueError when it cannot describe a reference number."""
    mask = mask.strip()
    if not mask or len(mask) > MAX_FORMAT or any(ch.isspace() for ch in mask):
        raise ValueError(f"a reference format has 1 to {MAX_FORMAT} characters and no spaces")
    parts = [_FORMAT_TOKENS.get(part, re.escape(part)) for part in _FORMAT_SPLIT.split(mask) if part]
    if not any(part in _FORMAT_TOKENS for part in _FORMAT_SPLIT.split(mask)):
        raise ValueError("a reference format needs at least one # (a digit) or YYYY, MM, DD")
    return re.compile("".join(parts), re.IGNORECASE)


@lru_cache(maxsize=256)
def reference_formats(masks: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled declared formats; one that does not compile is ignored (it was checked when declared)."""
    out = []
    for mask in masks:
        try:
            out.append(reference_format_regex(mask))
        except ValueError:
            continue
    return tuple(out)


def _words(items: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(items, key=len, reverse=True))


class PersonalDetector:
    def __init__(self, config: dict[str, Any]) -> None:
        cc = re.escape(config["country_code"])
        mobile = "|".join(re.escape(p) for p in config["mobile_prefixes"])
        # A prefix written digit by digit ("7 7 2 2 5 6 1 3", Tibetan "༧ ༧ ༤ …" once normalised).
        spaced = "|".join(r"[\s.-]?".join(re.escape(d) for d in p) for p in config["mobile_prefixes"])
        one_by_one = "|".join(r"[\s.-]".join(re.escape(d) for d in p) for p in config["mobile_prefixes"])
        area = f"[{config['landline_area_digits']}]"
        cid = config["cid"]
        self.cid_length = int(cid["length"])
        country = rf"(?:(?:\+|00)\s?{cc}|\(\s?\+?{cc}\s?\))"
        self.mobile = re.compile(
            rf"{_BEFORE}(?:{country}[\s.-]?|{cc}[\s.-]?)?(?:{mobile})"
            r"(?:\d{6}|[\s.-]\d{6}|[\s.-]\d{3}[\s.-]\d{3}|[\s.-]?\d{2}[\s.-]\d{2}[\s.-]\d{2}"
            # "17 88 2231", "77-12-3456", but not the date "17-12-2024" (a month, then a year).
            r"|[\s.-]?(?!(?:0[1-9]|1[0-2])[\s.-](?:19|20)\d\d)\d{2}[\s.-]\d{4}|[\s.-]?\d{4}[\s.-]\d{2})" + _AFTER
        )
        # Named as a phone ("mobile: 17 12 2024"), a mobile number may be grouped any way at all.
        self.mobile_keyed = re.compile(
            rf"\b(?:{_words(config['phone_words'])}){_WORD_END}{_NO}(?:on\s+|at\s+)?"
            rf"(?P<num>(?:{country}[\s.-]?)?(?:{spaced})(?:[\s.-]?\d){{6}}){_AFTER}",
            re.IGNORECASE,
        )
        # Unnamed, a mobile grouped oddly counts after the country code ("+975 17 8 234 06") or written
        # one digit at a time ("7 7 2 2 5 6 1 3", since round 7 also "1-7-8-8-9-9-0-0", "7.7.1.2…"); dates
        # and amounts are never written either way.
        self.mobile_loose = re.compile(
            rf"{_BEFORE}(?:{country}[\s.-]?(?:{spaced})(?:[\s.-]?\d){{6}}|(?:{one_by_one})(?:[\s.-]\d){{6}}){_AFTER}"
        )
        self.mobile_prefixes = frozenset(config["mobile_prefixes"])
        self.country_code = config["country_code"]
        # Spelt out in words, wherever the phone word stands ("Call Mr. Ugyen on seven seven one two …",
        # romanised "… lu seven seven one two … lu call bay"): eight spelt digits starting with a
        # mobile prefix are a mobile; no date, amount or count is spelt that way.
        self.mobile_spelt = re.compile(
            rf"\b(?P<num>(?:{_NUMBER_WORD})(?:[\s,-]+(?:{_NUMBER_WORD})){{2,15}})\b",
            re.IGNORECASE,
        )
        self.landline = re.compile(rf"{_BEFORE}(?:{country}[\s.-]?0?{area}|0{area}|\(0{area}\))[\s.-]?\d{{6}}{_AFTER}")
        self.cid_categories = frozenset(cid["categories"])
        self.cid_keyed = re.compile(
            rf"\b(?:{_words(cid['keywords'])}){_WORD_END}{_NO}(?P<num>\d(?:[\s-]?\d){{{self.cid_length - 1}}}){_AFTER}",
            re.IGNORECASE,
        )
        self.email = re.compile(
            r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
        )
        # A passport number is letters and digits in any order ("PB 0912345", "91K445203", "C4R7J9XK2"):
        # six to twelve characters holding four digits or more, so words ("passport holders") are not.
        self.passport = re.compile(
            rf"\b(?:{_words(config['passport_words'])}){_WORD_END}{_NO}"
            rf"(?P<num>[A-Z]{{0,2}}\s?\d{{6,9}}|(?=(?:[A-Z]*\d){{4}})[A-Z\d]{{6,12}}){_AFTER}",
            re.IGNORECASE,
        )
        self.licence = re.compile(
            rf"\b(?:driving\s+|driver'?s\s+|trade\s+|business\s+)?licen[cs]e\b(?:\s*\()?{_NO}"
            # "T/LMV/2019/04512": letter codes (the licence class) may come before the digits.
            rf"(?P<num>(?:[A-Z]{{1,4}}[-/]){{0,3}}(?:[A-Z]{{1,3}}[-/]?)?\d[\dA-Z/-]{{3,14}}){_AFTER}",
            re.IGNORECASE,
        )
        self.bank = re.compile(
            rf"(?:\b(?:{_words(config['bank_names'])}){_WORD_END}(?:\s+(?:savings\s+|current\s+)?(?:account|a/c|acct|acc)\b\.?)?"
            rf"|\b(?:{_words(config['bank_words'])}){_WORD_END}\.?){_NO}(?P<num>\d(?:[\s-]?\d){{5,17}}){_AFTER}",
            re.IGNORECASE,
        )
        self.dob = re.compile(
            # "DOB of Ap Chencho: …": whose birth date may stand between the word and the date.
            rf"\b(?:(?P<named>date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date)(?:\s+(?:of|for)(?:\s+[A-Z][\w.'-]*){{1,4}})?"
            rf"|born(?:\s+on)?|b\.)\s*[:\-(]?\s*(?:is\s+)?"
            rf"(?P<num>{_DATE})"
            rf"|\bborn\s+in\s+(?P<year>(?:19|20)\d{{2}})\b",
            re.IGNORECASE,
        )
        # A birth date named in Dzongkha (སྐྱེས་ཚེས, romanised "kye tshe") is a person's: the word is never
        # used of events.
        self.dob_dz = re.compile(
            rf"(?:{_words(config['birth_words'])}){_NO}(?P<num>{_DATE}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}|{_DATE_DZ})",
            re.IGNORECASE,
        )
        # One number written any way at all: "11505003456", grouped "115 0500 1234" or "1-14-10-003456",
        # dotted "112.050.014.27", digit by digit "1 1 3 0 5 …", or stuck to its label "CID11505003456".
        # A run of digit groups joined by one space, dot or dash; a citizen ID when it holds the ID's
        # number of digits (or one of its groups does) and starts with a citizen category's digit.
        self.number_run = re.compile(rf"{_BEFORE}(?:[A-Za-z]{{1,5}}(?=\d))?(?P<num>\d+(?:[ .-]\d+)*){_AFTER}")
        # A home's number ("house no. 24", "Flat 3B", "Plot 4B", Dzongkha ཁྱིམ་ཨང་ ༢༤): personal when tied to a person.
        self.address = re.compile(
            r"\b(?:house|flat|apartment|apt|quarters?|qtrs?|plot)\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*"
            r"\d{1,4}[A-Za-z]?\b(?!\s*(?:%|per\b|percent|nu\b|ngultrum|km|min|hours?|days?|months?|years?))",
            re.IGNORECASE,
        )
        self.address_dz = re.compile(r"ཁྱིམ[་\s]*ཨང[་\s]*\d{1,4}")
        # A home without its number, tied to a person: "his home in Kanglung, next to the post office",
        # "the house right behind the lhakhang" after a name, Dzongkha "… རྒྱབ་ཁར་ ཁྱིམ" (a house behind …).
        # A village alone ("his home in Radhi") says little; a landmark beside it finds the door.
        placed = (
            r"(?:(?:right|just)\s+)?(?:near|behind|next\s+to|opposite|beside|above|below|across\s+from)"
            r"\s+(?:the\s+)?\w+"
        )
        self.home_owned = re.compile(
            r"\b(?:his|her|their)\s+(?:own\s+|family\s+)?(?:home|house|residence|quarters)\s+"
            rf"(?:{placed}|(?:in|at)\s+[^.;!?\n]{{1,40}}?{placed})",
            re.IGNORECASE,
        )
        self.home_placed = re.compile(
            r"\b(?:the|a|his|her)\s+(?:\w+\s+)?(?:house|home)\s+(?:(?:right|just)\s+)?(?:behind|next\s+to|opposite|beside|above|below)"
            r"\s+(?:the\s+)?\w+|(?:རྒྱབ|འཁྲིས|ཁ་དྲང|མཐའ་འཁོར)[་\s]*(?:ཁར|ལུ|ན)?[་\s]*ཁྱིམ",
            re.IGNORECASE,
        )
        # Health details tied to a person: a condition, a diagnosis or a test result near a name, an
        # honorific or "he/she/his/her" (Dzongkha ཁོ, ཁོ་མོ, ནད་པ…), unless the sentence is about a
        # service (screening, awareness, a programme) rather than a person.
        self.health = re.compile(phrase_regex(config["health_terms"]), re.IGNORECASE)
        # A condition of an organ: "kidney transplant", "liver disease", Dzongkha མཆིན་པའི་ནད (the organ, then
        # ནད "disease", with or without the genitive). Organs and conditions are combined, not listed.
        self.organ_health = _organ_regex(config["organs"], config["organ_conditions"])
        # The first word of every health term: a text with none of them is not searched (speed).
        firsts = [*config["health_terms"], *config["organs"], _DISEASE_SYLLABLE, *_RESULT_WORDS, *_TREATMENTS]
        self.health_first = frozenset(tokenize(term)[0].lower() for term in firsts)
        self.health_person = re.compile(phrase_regex(config["health_person_words"]), re.IGNORECASE)
        self.health_public = re.compile(phrase_regex(config["health_public_words"]), re.IGNORECASE)
        self.given_names_dz = re.compile(phrase_regex(config["given_names_dz"]))
        self.residence_words = re.compile(rf"\b(?:{_words(config['residence_words'])}){_WORD_END}|སྡོད", re.IGNORECASE)
        self.amount_before = frozenset(config["amount_before"])
        self.amount_after = frozenset(config["amount_after"])
        self.reference_words = frozenset(config["reference_words"])
        self.badge_words = frozenset(config["badge_words"])
        self.personal_words = frozenset(config["personal_words"])
        self.public_words = re.compile(rf"\b(?:{_words(config['public_contact_words'])}){_WORD_END}", re.IGNORECASE)
        # A landline is an institution's line more often than a person's: named with one ("the Paro vet
        # hospital: 08-271234", "school landline") and no person, it is that institution's published number.
        self.institution_words = re.compile(
            rf"\b(?:{_words([*config['public_contact_words'], *config['institution_words']])}){_WORD_END}",
            re.IGNORECASE,
        )
        self.org_account_words = frozenset(config["org_account_words"])
        self.org_suffixes = tuple(config["org_email_suffixes"])
        self.role_mailboxes = frozenset(config["role_mailboxes"])
        self.given_names = frozenset(config["given_names"])
        self.honorifics = frozenset(config["honorifics"])
        self.person_nouns = frozenset(config["person_nouns"])

    # -- public entry points -------------------------------------------------------------------

    def find(
        self,
        prepared: Prepared,
        public_contacts: frozenset[str] = frozenset(),
        formats: tuple[re.Pattern[str], ...] = (),
    ) -> list[Span]:
        """Every personal-data span, overlaps resolved; spans marked ``public`` are not findings.
        ``formats`` are the agency's declared reference-number formats."""
        spans: list[Span] = []
        if "@" in prepared.norm:
            spans += self._emails(prepared, public_contacts)
        if _AT_WORDS & frozenset(prepared.lowered):
            spans += self._written_out_emails(prepared, public_contacts)
        words = frozenset(prepared.lowered)
        if words & self.health_first:
            spans += self._health(prepared)
        if words & _HOME_WORDS:
            spans += self._homes(prepared)
        if words & _MOBILE_SPELT_FIRST:
            spans += self._spelt_mobiles(prepared, public_contacts)
        if prepared.has_digits():
            spans += self._keyed(prepared, formats, public_contacts)
            spans += self._phones(prepared, public_contacts)
            spans += self._cids(prepared, formats)
            digits = _with_letters_as_digits(prepared)
            if digits is not None:  # "1O7O5OO1298", "l7 12 34 56": letters written for digits
                spans += self._phones(digits, public_contacts) + self._cids(digits, formats)
        if formats:  # an unnamed number inside a declared reference ("PEP-JD-17458321") is that reference, not a mobile
            spans = [s for s in spans if s.keyed or not _declared(prepared.norm, s.start, s.end, formats)]
        return _resolve(spans)

    # -- detectors -----------------------------------------------------------------------------

    def _emails(self, prepared: Prepared, public_contacts: frozenset[str]) -> list[Span]:
        return [
            Span("personal.email", m.start(), m.end(), self._public_email(m.group(), public_contacts))
            for m in self.email.finditer(prepared.norm)
        ]

    def _written_out_emails(self, prepared: Prepared, public_contacts: frozenset[str]) -> list[Span]:
        """An address written out against harvesters: "pema.dorji [at] gmail [dot] com", "pema(at)gmail.com",
        "pema at gmail dot com"."""
        out = []
        for m in _EMAIL_WRITTEN_OUT.finditer(prepared.norm):
            address = f"{m.group('local')}@{m.group('host') or m.group('host2')}.{m.group('tld')}"
            out.append(Span("personal.email", m.start(), m.end(), self._public_email(address, public_contacts)))
        return out

    def _public_email(self, address: str, public_contacts: frozenset[str]) -> bool:
        address = address.lower()
        local, _, domain = address.partition("@")
        return (
            address in public_contacts
            or any(domain == s or domain.endswith("." + s) for s in self.org_suffixes)
            or any(part in self.role_mailboxes for part in re.split(r"[._+-]", local))
        )

    def _keyed(
        self, prepared: Prepared, formats: tuple[re.Pattern[str], ...], public_contacts: frozenset[str]
    ) -> list[Span]:
        norm, out = prepared.norm, []
        for m in self.cid_keyed.finditer(norm):
            out.append(Span("personal.cid", m.start("num"), m.end("num"), keyed=True))
        for m in self.passport.finditer(norm):
            out.append(Span("personal.passport", m.start("num"), m.end("num"), keyed=True))
        out += self._passports_by_shape(prepared, formats)
        for m in self.licence.finditer(norm):
            # A licence number in a format the agency declared is the agency's own reference, not a person's.
            declared = _declared(norm, m.start("num"), m.end("num"), formats)
            if sum(ch.isdigit() for ch in m.group("num")) >= 5 and not declared:
                out.append(Span("personal.licence", m.start("num"), m.end("num"), keyed=True))
        for m in self.bank.finditer(norm):
            # The agency's own account: published among its contacts, or named as its own ("our account",
            # "the revenue account at Bank of Bhutan, a/c …") in the words before it.
            before = self._words_before(prepared, m.start(), 8)
            own = bool(before & self.org_account_words) and not before & self.personal_words
            public = own or phone_key(m.group("num"), self.country_code) in public_contacts
            out.append(Span("personal.bank_account", m.start("num"), m.end("num"), public, keyed=True))
        for m in self.dob.finditer(norm):
            group = "num" if m.group("num") else "year"
            # A date named as a date of birth is someone's; "born on 3 May 1990" may be a building's.
            if m.group("named") or self._near_a_person(prepared, m.start(), m.end()):
                out.append(Span("personal.date_of_birth", m.start(group), m.end(group), keyed=True))
        for m in self.dob_dz.finditer(norm):
            out.append(Span("personal.date_of_birth", m.start("num"), m.end("num"), keyed=True))
        out += self._addresses(prepared)
        return out

    def _passports_by_shape(self, prepared: Prepared, formats: tuple[re.Pattern[str], ...]) -> list[Span]:
        """A passport number without the word: a letter or two and seven or eight digits in one piece
        ("P00871234") beside a person's name. An order, invoice or ticket number has its reference word
        among the words before it ("ticket number is T…"), a staff badge or roll number its word ("staff badge
        E20250014"), or a format the agency declared; a code with more
        letters or a dash is not this shape."""
        out = []
        for m in _PASSPORT_SHAPE.finditer(prepared.norm):
            if (
                self._near_a_person(prepared, m.start(), m.end())
                and not self._words_before(prepared, m.start(), 4) & (self.reference_words | self.badge_words)
                and not self._looks_like_an_amount(prepared, m.start(), m.end())
                and not _declared(prepared.norm, m.start(), m.end(), formats)
            ):
                out.append(Span("personal.passport", m.start(), m.end()))
        return out

    def _homes(self, prepared: Prepared) -> list[Span]:
        """A home placed without its number ("his home in Kanglung, next to the old post office")."""
        norm, out = prepared.norm, []
        for m in self.home_owned.finditer(norm):
            out.append(Span("personal.home_address", m.start(), m.end(), keyed=True))
        for m in self.home_placed.finditer(norm):
            if self._near_a_person(prepared, m.start(), m.end()) or self._tied_in_dzongkha(norm, m.start(), m.end()):
                out.append(Span("personal.home_address", m.start(), m.end(), keyed=True))
        return out

    def _health(self, prepared: Prepared) -> list[Span]:
        """A diagnosis, condition or test result tied to a person (a name, an honorific, he/she); in a
        sentence of figures or of a service, only a person that sentence picks out."""
        norm, out = prepared.norm, []
        found = [
            *self.health.finditer(norm),
            *self.organ_health.finditer(norm),
            *_NAMED_DISEASE_DZ.finditer(norm),
            *_TEST_RESULT.finditer(norm),
            *_ON_TREATMENT.finditer(norm),
        ]
        for m in found:
            s_start, s_end = sentence_around(norm, m.start(), m.end())
            if self.health_public.search(norm, s_start, s_end):
                tied = self._singled_out(prepared, s_start, s_end)
            else:
                tied = self._tied_to_a_person(prepared, m.start(), m.end())
            if tied:
                out.append(Span("personal.health", m.start(), m.end(), keyed=True))
        return out

    def _tied_to_a_person(self, prepared: Prepared, start: int, end: int) -> bool:
        """A name, an honorific or a person word close by; "he" or "she" only when the text has not
        introduced them as nobody in particular ("a 56-year-old man … he")."""
        norm = prepared.norm
        start, end = max(0, start - 100), min(len(norm), end + 60)
        return (
            (self._someone(norm, start, end) and not _ANONYMOUS.search(norm))
            or self.given_names_dz.search(norm, start, end) is not None
            or self._named(prepared, start, end)
        )

    def _someone(self, norm: str, start: int, end: int) -> bool:
        """A person word ("he", "her", ནད་པ) between ``start`` and ``end`` that is somebody in particular,
        or a person named by a role only one person holds there ("the hostel cook", "our driver")."""
        if _ROLE_HOLDER.search(norm, start, end):
            return True
        return any(not _NOBODY_DZ.match(norm, p.end()) for p in self.health_person.finditer(norm, start, end))

    def _singled_out(self, prepared: Prepared, start: int, end: int) -> bool:
        """A sentence of figures or of a service that still names who is ill: a person picked out of the
        count ("3 new cases, including our colleague Kinley"), or the people listed after a colon ("Hep B
        positive from the screening: Kinzang, Jamyang, Ugyen D.")."""
        for m in _PICKED_OUT.finditer(prepared.norm, start, end):
            if self._named(prepared, m.end(), min(end, m.end() + 40)):
                return True
        return any(self._named(prepared, m.start(), m.end()) for m in _LISTED.finditer(prepared.norm, start, end))

    def _tied_in_dzongkha(self, norm: str, start: int, end: int) -> bool:
        """A Dzongkha given name, a kinship honorific (ཨ་ཕ) or he/she (ཁོ, ཁོ་མོ) close by. A person word
        with the indefinite ཅིག is nobody in particular (ལཱ་གཡོག་པ་ཅིག་ན་ཚ་ཡོདཔ, "a staff member is unwell")."""
        start, end = max(0, start - 100), min(len(norm), end + 60)
        return self.given_names_dz.search(norm, start, end) is not None or self._someone(norm, start, end)

    def _addresses(self, prepared: Prepared) -> list[Span]:
        """A house or flat number tied to a person: a name (Dzongkha names for a Dzongkha house number), an
        honorific, "his/her", "the complainant", or a word of residence ("residing at", "registered to",
        Dzongkha སྡོད) in the same sentence."""
        norm, out = prepared.norm, []
        for pattern in (self.address, self.address_dz):
            for m in pattern.finditer(norm):
                before = norm[max(0, m.start() - 80) : m.start()]
                before = before[max((b.end() for b in SENTENCE_END.finditer(before)), default=0) :]
                after = norm[m.end() : m.end() + 40]
                after = after[: min((a.start() for a in SENTENCE_END.finditer(after)), default=len(after))]
                if (
                    self.residence_words.search(f"{before} {after}")
                    or self._near_a_person(prepared, m.start(), m.end())
                    or (pattern is self.address_dz and self._tied_in_dzongkha(norm, m.start(), m.end()))
                ):
                    out.append(Span("personal.home_address", m.start(), m.end(), keyed=True))
        return out

    def _phones(self, prepared: Prepared, public_contacts: frozenset[str]) -> list[Span]:
        out = []
        for m in self.mobile_keyed.finditer(prepared.norm):
            public = self._is_public(prepared, m.start("num"), m.group("num"), public_contacts)
            out.append(Span("personal.mobile", m.start("num"), m.end("num"), public, keyed=True))
        for rule, pattern in (
            ("personal.mobile", self.mobile),
            ("personal.mobile", self.mobile_loose),
            ("personal.landline", self.landline),
        ):
            for m in pattern.finditer(prepared.norm):
                if self._looks_like_something_else(prepared, m.start(), m.end()):
                    continue
                public = self._is_public(prepared, m.start(), m.group(), public_contacts) or (
                    pattern is self.landline
                    and self._public_context(prepared, m.start(), m.end(), self.institution_words)
                )
                out.append(Span(rule, m.start(), m.end(), public))
        return out

    def _spelt_mobiles(self, prepared: Prepared, public_contacts: frozenset[str]) -> list[Span]:
        """A mobile spelt out after a phone word ("mobile seventeen-sixty-one, forty-two, eighty-eight")."""
        out = []
        for m in self.mobile_spelt.finditer(prepared.norm):
            digits = _digits_of_words(m.group("num"))
            # The country code spelt too ("nine seven five, one seven, …"): the mobile is what follows it.
            national = digits.removeprefix(self.country_code) if len(digits) == 8 + len(self.country_code) else digits
            if len(national) == 8 and national[:2] in self.mobile_prefixes:
                public = self._is_public(prepared, m.start("num"), national, public_contacts)
                out.append(Span("personal.mobile", m.start("num"), m.end("num"), public, keyed=True))
            # A citizen ID spelt out ("eleven-five-oh-one-zero-zero-four-seven-one-two"): its length and
            # first digit, as for digits; nobody spells an amount or a reference eleven digits long.
            elif len(digits) == self.cid_length and digits[0] in self.cid_categories:
                out.append(Span("personal.cid", m.start("num"), m.end("num"), keyed=True))
        return out

    def _cids(self, prepared: Prepared, formats: tuple[re.Pattern[str], ...]) -> list[Span]:
        """Any number of a citizen ID's length and first digit, however it is grouped, is one whatever
        label precedes it ("Ref", "permit no."): only a reference format the agency declared, an amount
        or a published number say otherwise."""
        out = []
        for m in self.number_run.finditer(prepared.norm):
            for start, end in self._cid_candidates(m):
                if prepared.norm[start] not in self.cid_categories:
                    continue
                grouped = not prepared.norm[start:end].isdigit()
                # Grouped digits are also how amounts and published numbers are written; a reference
                # label ("permit no 1 14 10 00 34 56") does not excuse the shape: a declared format does.
                if self._looks_like_an_amount(prepared, start, end) or (
                    grouped and self._public_context(prepared, start, end)
                ):
                    continue
                if not _declared(prepared.norm, start, end, formats):
                    out.append(Span("personal.cid", start, end))
        return out

    def _cid_candidates(self, m: re.Match[str]) -> list[tuple[int, int]]:
        """The whole run when it holds exactly the ID's digits, else each group that does alone."""
        run, offset = m.group("num"), m.start("num")
        if sum(ch.isdigit() for ch in run) == self.cid_length:
            return [(offset, m.end("num"))]
        return [
            (offset + g.start(), offset + g.end())
            for g in re.finditer(r"\d+", run)
            if len(g.group()) == self.cid_length
        ]

    # -- context checks ------------------------------------------------------------------------

    def _words_before(self, prepared: Prepared, start: int, count: int) -> set[str]:
        words = [prepared.lowered[i] for i, tok in enumerate(prepared.tokens) if tok[1] <= start]
        return set(words[-count:])

    def _neighbours(self, prepared: Prepared, start: int, end: int) -> tuple[list[str], str]:
        """The words before ``start`` (lowered) and the word right after ``end``."""
        before, after = [], ""
        for i, (s, e, _) in enumerate(prepared.tokens):
            if e <= start:
                before.append(prepared.lowered[i])
            elif s >= end:
                after = prepared.lowered[i]
                break
        return before, after

    def _looks_like_an_amount(self, prepared: Prepared, start: int, end: int) -> bool:
        before, after = self._neighbours(prepared, start, end)
        if (before and before[-1] in self.amount_before) or prepared.norm[
            max(0, start - 2) : start
        ].strip() in CURRENCY:
            return True
        return after in self.amount_after

    def _looks_like_something_else(self, prepared: Prepared, start: int, end: int) -> bool:
        """An amount, a quantity or a reference number that happens to have a phone's shape."""
        if self._looks_like_an_amount(prepared, start, end):
            return True
        before, _ = self._neighbours(prepared, start, end)
        # "Ref. no. 77123456", "receipt 17250001": a reference word right before, perhaps with "no".
        last = before[-2:] if before[-1:] and before[-1] in NUMBER_WORDS else before[-1:]
        return bool(last) and last[0] in self.reference_words

    def contact_key(self, contact: str) -> str:
        """How a published contact is compared with what a text holds: an email lower-cased, a phone number
        as dialled inside the country (``phone_key``: "+975-2-332145" and "02-332145" are one line)."""
        contact = contact.strip().lower()
        return contact if "@" in contact else phone_key(contact, self.country_code)

    def _is_public(self, prepared: Prepared, start: int, number: str, public_contacts: frozenset[str]) -> bool:
        if phone_key(number, self.country_code) in public_contacts:
            return True
        return self._public_context(prepared, start, start + len(number))

    def _public_context(
        self, prepared: Prepared, start: int, end: int, public_words: re.Pattern[str] | None = None
    ) -> bool:
        """Words such as "helpline" or "our office" (or ``public_words``) in the same sentence, and no "his"/"her"."""
        before = prepared.norm[max(0, start - 60) : start]
        before = before[max((m.end() for m in SENTENCE_END.finditer(before)), default=0) :]
        after = prepared.norm[end : end + 40]
        after = after[: min((m.start() for m in SENTENCE_END.finditer(after)), default=len(after))]
        window = f"{before} {after}"
        if not (public_words or self.public_words).search(window):
            return False
        words = re.findall(r"\w+", window)
        # "contact Chimi on 77-12-3456": a person named right there makes it that person's number.
        if any(w[:1].isupper() and w.lower() in self.given_names for w in words):
            return False
        return not ({w.lower() for w in words} & self.personal_words)

    def _named(self, prepared: Prepared, start: int, end: int) -> bool:
        """A capitalised given name or honorific between ``start`` and ``end``."""
        return any(
            s >= start and e <= end and word[:1].isupper() and (low in self.given_names or low in self.honorifics)
            for (s, e, word), low in zip(prepared.tokens, prepared.lowered, strict=True)
        )

    def _near_a_person(self, prepared: Prepared, start: int, end: int) -> bool:
        for i, (s, e, word) in enumerate(prepared.tokens):
            if e < start - 80 or s > end + 40:
                continue
            low = prepared.lowered[i]
            if (low in self.personal_words or low in self.person_nouns) and e <= start:
                return True
            if word[:1].isupper() and (low in self.given_names or low in self.honorifics):
                return True
        return False


# The shape of a passport number (Bhutan's: a letter and seven or eight digits).
_PASSPORT_SHAPE = re.compile(rf"{_BEFORE}[A-Z]{{1,2}}\d{{7,8}}{_AFTER}")

# An email address written out: "at" in brackets and "dot" in brackets, as a word or a plain dot
# ("pema(at)gmail.com", "pema [at] gmail [dot] com"), or both as bare words ("pema at gmail dot com"): a bare
# "at" with a plain dot is how a website is named ("find us at kuenselonline.com").
_AT_WORDS = frozenset({"at"})
_DOT_WORD = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_TLD = r"(?P<tld>com|net|org|bt|in|edu|gov|co|info|io|me)\b"
_EMAIL_WRITTEN_OUT = re.compile(
    r"(?<![\w.+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    rf"(?:\s*[\[({{<]\s*at\s*[\])}}>]\s*(?P<host>[A-Za-z0-9-]+(?:(?:\.|{_DOT_WORD})[A-Za-z0-9-]+)*?)(?:\.|{_DOT_WORD})"
    rf"|\s+at\s+(?P<host2>[A-Za-z0-9-]+(?:{_DOT_WORD}[A-Za-z0-9-]+)*?){_DOT_WORD}){_TLD}",
    re.IGNORECASE,
)

_UNITS = {
    w: str(n) for n, w in enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"))
}
_UNITS["oh"] = "0"
_TEENS = {
    w: str(n)
    for n, w in enumerate(
        ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
        10,
    )
}
_TENS = {
    w: str(n) for n, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2)
}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TEENS, *_TENS, "double", "triple"], key=len, reverse=True))
# A Bhutanese mobile spelt out starts with seventeen, seventy-seven, one seven or seven seven, or with the
# country code (nine seven five, ninety-seven five); a citizen ID (first digit 1) with one, eleven or a teen.
_MOBILE_SPELT_FIRST = frozenset(
    {"seventeen", "seventy", "seven", "one", "eleven", "twelve", "ten", "fifteen", "nine", "ninety"}
)

# Who is picked out of a count: "including our colleague Kinley", "among them Ap Dorji", "one of whom is …".
_PICKED_OUT = re.compile(
    r"\b(?:including|incl\.?|among\s+(?:them|whom|those)|one\s+of\s+(?:them|whom)|namely|such\s+as)\b", re.IGNORECASE
)
# People listed after a colon: two capitalised names or more, separated by commas ("Kinzang, Jamyang, Ugyen D.").
_CAPITALISED = r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*\.?)?"
_LISTED = re.compile(rf":\s*{_CAPITALISED}(?:\s*,\s*{_CAPITALISED})+(?:,?\s+and\s+{_CAPITALISED})?")
# Someone introduced as nobody in particular ("a 56-year-old man from Bidung …; he is stable"): "he" or "she"
# later in the text points back at them, not at a person the reader could name.
_ANONYMOUS = re.compile(
    r"\b(?:an?|one)\s+(?:\d+-year-old\s+|[\w-]+\s+){0,2}?"
    r"(?:man|woman|boy|girl|person|individual|youth|child|teenager|student|farmer|driver|tourist|worker|monk|nun)\b"
    r"|\ban?\s+\d+-year-old\b",
    re.IGNORECASE,
)

# A treatment a person is "on" names the illness it treats: "on ART" (HIV), "on ARVs", "on dialysis", "on
# insulin", "on methadone". The acronyms in capitals only ("on art" is not one); the first word of each is
# among the words that make a text searched for health details.
_TREATMENTS = ("ART", "ARV", "ARVs", "antiretroviral", "antiretrovirals", "dialysis", "insulin", "methadone", "DOTS")
_ON_TREATMENT = re.compile(
    r"\bon\s+(?:(?:ART|ARVs?|DOTS)\b|(?i:antiretrovirals?|anti-?retroviral\s+(?:therapy|treatment)|dialysis|insulin"
    r"|methadone)\b)"
)
# A person named by a role only one person holds in a place: the definite "the", "our" or a possessive, a
# word or two, then the role ("the school's cook", "our hostel warden", "the Babesa depot driver"); "a cook"
# is nobody in particular.
_ROLE_HOLDER = re.compile(
    r"\b(?:the|our|their|its|[A-Z][\w-]*'s|\w+'s)\s+(?:[\w-]+\s+){0,2}?(?:cook|cooks|driver|warden|matron|caretaker"
    r"|watchman|chowkidar|sweeper|principal|peon|gardener|cleaner|accountant|receptionist|librarian|storekeeper"
    r"|security\s+guard|guard)\b",
    re.IGNORECASE,
)

# A test result named by its test, an abbreviation or an acronym: "Hep B positive", "TB negative", "COVID-19
# positive", "HBsAg positive"; a short capitalised word needs a letter or digit after it, so "Be positive" is not.
_RESULT_WORDS = ("positive", "negative")
_TEST_RESULT = re.compile(
    rf"\b(?:[A-Z]{{2,6}}|[A-Z][a-z]{{0,3}}\s+[A-Z0-9]|[A-Z]{{1,2}}[a-z]{{1,2}}[A-Z]{{1,3}})(?:-\d+)?\s+(?:{'|'.join(_RESULT_WORDS)})\b"
)

# Dzongkha names a disease by a word and ནད (disease): ཊི་བི་ནད (TB), ཌེང་གི་ནད (dengue), ཀེན་སར་ནད (cancer),
# however the English name is spelt; any word before ནད will do, so no list of spellings is kept. Not ནད
# itself opening a word (ནད་པ, a patient; ནད་ཡམས, an epidemic) nor ནད་མེད (free of disease).
_DISEASE_SYLLABLE = "ནད"
_NAMED_DISEASE_DZ = re.compile(
    "(?<=[\u0f40-\u0fbc][\u0f0b\\s])ནད(?![\u0f40-\u0fbc])(?![\u0f0b\\s]*(?:པ|ཡམས|མེད)(?![\u0f40-\u0fbc]))"
)

# After a person word, what makes it nobody in particular: the indefinite article ("a (certain) …",
# ལཱ་གཡོག་པ་ཅིག), or ན making ཁོ ("he") the adverb ཁོ་ན ("only": གཞུང་གི་ལཱ་ཁོ་ནའི་དོན་ལུ, for official use only).
_NOBODY_DZ = re.compile("[\u0f0b\\s]*(?:ཅིག|ན(?:འི)?)(?![\u0f40-\u0fbc])")

# A number with letters for digits, as some write to dodge filters or by habit: O or o for a zero, l or I
# for a one ("1O7O5OO1298", "17 O1 23 45", "l7 12 34 56"). A run of words of digits and those letters
# joined by a space, dot or dash, each word holding a digit, five digits or more in all; so "2O2O" (four
# digits), "COVID19" (other letters) and "Room 10 O" (a word without a digit) stay as written.
_LOOKALIKE_WORD = r"[\dOolI]*\d[\dOolI]*"
_LOOKALIKE_RUN = re.compile(rf"(?<![\w.-]){_LOOKALIKE_WORD}(?:[ .-]{_LOOKALIKE_WORD})*(?![\w-])")
_AS_DIGITS = str.maketrans("OolI", "0011")


def _with_letters_as_digits(prepared: Prepared) -> Prepared | None:
    """The text with the look-alike letters of every such number made digits (same length), or None."""
    norm = prepared.norm
    if not any(ch in norm for ch in "OolI"):
        return None
    changed = False
    for m in _LOOKALIKE_RUN.finditer(norm):
        run = m.group()
        if sum(ch.isdigit() for ch in run) >= 5 and any(ch in run for ch in "OolI"):
            norm = norm[: m.start()] + run.translate(_AS_DIGITS) + norm[m.end() :]
            changed = True
    return prepare(norm) if changed else None


def phone_key(number: str, country_code: str) -> str:
    """A phone number's national digits, the last eight: without the country code ("+975", "00975") and
    the trunk zero, so the landline "+975-2-332145" published and "02-332145" (or ༠༢-༣༣༢༡༤༥ in Tibetan
    digits) written in a post are the same number."""
    digits = re.sub(r"\D", "", number.translate(_TIBETAN_DIGITS))
    digits = digits.removeprefix("00")
    if digits.startswith(country_code) and len(digits) > 8:
        digits = digits[len(country_code) :]
    return digits.lstrip("0")[-8:]


_TIBETAN_DIGITS = str.maketrans("༠༡༢༣༤༥༦༧༨༩", "0123456789")


def _digits_of_words(words: str) -> str:
    """ "seventeen-sixty-one, forty-two" -> "176142"; "double seven" -> "77"; "forty" -> "40"."""
    tokens = re.findall(r"[a-z]+", words.lower())
    out, i = "", 0
    while i < len(tokens):
        word, following = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in ("double", "triple") and following in _UNITS:
            out += _UNITS[following] * (2 if word == "double" else 3)
            i += 2
            continue
        if word in _TENS:
            unit = _UNITS.get(following, "0")
            out += _TENS[word] + (unit if following in _UNITS and unit != "0" else "0")
            i += 2 if following in _UNITS and unit != "0" else 1
            continue
        out += _TEENS.get(word) or _UNITS.get(word, "")
        i += 1
    return out


def _organ_regex(organs: Iterable[str], conditions: Iterable[str]) -> re.Pattern[str]:
    """A condition of an organ, in English ("kidney transplant", "liver disease") or Dzongkha (the organ
    and ནད, disease, with or without the genitive: མཆིན་པའི་ནད, མཁལ་མའི་ནད, གློ་བ་ནད)."""
    latin = phrase_regex([o for o in organs if not is_tibetan(o)])
    tibetan = "|".join(re.escape(o).replace("་", "[་\\s]+") for o in organs if is_tibetan(o))
    return re.compile(
        rf"{latin}\s+(?:{_words(conditions)})\b"
        rf"|(?<![\u0F40-\u0FBC])(?:{tibetan})(?:འི)?(?:[་\s]+(?:གི|ཀྱི|གྱི))?[་\s]+ནད(?![\u0F40-\u0FBC])",
        re.IGNORECASE,
    )


def phrase_regex(items: Iterable[str]) -> str:
    """Whole words or phrases (Dzongkha: whole syllables, tsheg or space between them)."""
    parts = sorted(items, key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("་", "[་\\s]+") for p in parts)
    return rf"(?<![\w\u0F40-\u0FBC])(?:{alternatives})(?![\w\u0F71-\u0FBC])"


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``: (its start, its end)."""
    before = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return before, after.start() if after else len(text)


def _declared(text: str, start: int, end: int, formats: tuple[re.Pattern[str], ...]) -> bool:
    """The number, with whatever is written against it ("BP-2025-…", "…/2025"), fits a declared format."""
    if not formats:
        return False
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    chunk = text[start:end].strip(_CHUNK_EDGE)
    return any(f.fullmatch(chunk) for f in formats)


def _resolve(spans: list[Span]) -> list[Span]:
    """Drop spans that overlap a better one (keyword-named first, then the more specific kind)."""
    ranked = sorted(spans, key=lambda s: (not s.keyed, PRIORITY[s.rule], s.start))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
