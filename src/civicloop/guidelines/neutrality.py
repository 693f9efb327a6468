"""Taking sides: a party, a candidate or a side (the ruling party, the opposition) with a cue that
asks for votes, endorses, attacks or compares, in the same sentence and close enough to belong to it.

A party named in a neutral fact ("DNT members visited", "the DPT vaccine") is only a mention: the
cues make the difference. In an election period the windows widen to the whole sentence and
campaign cues (sharing, promoting a rally or a pledge) count too. Cue lists are data
(``data/neutrality.json``); parties and candidates come from the deployment's database.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from civicloop.guidelines.findings import Party
from civicloop.guidelines.lexicons import Hit, Term, TermIndex
from civicloop.guidelines.text import Prepared, is_tibetan

CAMPAIGN_RULE = "political.campaign"
MOBILISING_RULE = "political.mobilising"
WIDE_IN_PERIOD = 2  # cues allowed this many words from a side reach the whole sentence in a period
SLOGAN_RULE = "political.slogan"
FAVOUR_RULE = "political.endorsement"  # the agency favouring a side's people supports that side
FOLLOWER_WINDOW = 4  # most words between a side and its people ("households who registered with the X office")
SIDES = ("before", "after")
# Sentences end at . ! ? ; a line break or a shad, but "Dr. Sonam" or "Nu. 300" do not end one.
_SENTENCE_END = re.compile(r"[!?;\n\u0f0d\u0f0e]|\.(?=\s+[A-Z\u0f40-\u0fbc#\"'“(]|\s*$)")
_HASHTAG = re.compile(r"#(\w{3,})")
_TOKEN = re.compile(r"[\w\u0F40-\u0FBC]+")
_VOTING_KINDS = frozenset({"frame", "actor", "recall", "election_time", "electoral"})
_TIBETAN = re.compile("[\u0f40-\u0fbc]")
# Dzongkha particles and copulas a word may be followed by: after them དྲག་ཤོས is "best", not a title.
_DZ_PARTICLES = frozenset(
    {"ཨིན", "ཨིནམ", "ཡིན", "ཅིག", "འདི", "སྦེ", "ལུ", "གི", "གིས", "ཀྱི", "ཀྱིས", "དང", "ཨེན", "རེད", "ཚུ", "བཟུམ", "རང", "ཡང"}
)
# A postposition that is also a short name of a side: ཁ་ཐུག "against" (ནད་ཁ་ཐུག་ སྨན་ཁབ, a vaccine against a
# disease) and the opposition (ཁ་ཐུག་ཚོགས་པ), a side when a case particle or a plural follows it.
_POSTPOSITIONS_DZ = frozenset({"ཁ་ཐུག"})
_SIDE_PARTICLES_DZ = frozenset({"ཚོགས", "གི", "གིས", "ཀྱི", "ཀྱིས", "ལུ", "ཚུ", "དང", "འདི", "ཡང", "ཚོགས་པ"})
# "PDP for Thimphu!", "DNT for a better Bhutan!": a name, "for" and a cheer.
_SLOGAN_FOR = re.compile(r"\s+for\s+(?:a\s+|the\s+)?(?:\w+\s+){0,2}\w+\s*!")
# Generic targets used in another sense: "the opposition to the new road", "opposition of residents".
_NOT_A_SIDE_AFTER = frozenset({"to", "from", "of", "against"})
# "who built", "who actually fixed": a doer asked about, the actor of a voting frame with no name.
_WHO_DID = re.compile(
    r"\bwho\s+(?:\w+ly\s+|really\s+|actually\s+)?(?:\w+ed|built|gave|brought|did|made|kept|paid|broke|forgot|won|got)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    rule: str
    window: int | None  # most words between cue and target; None: the whole sentence
    # Counts for a weak side (see Target.weak): asking for votes or support does ("support the
    # government at the polls", "vote dnt"), thanks and praise do not.
    for_weak: bool = False


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    # A side only when asked votes or support for: "the government" in a text about voting, or a
    # party's abbreviation written in small letters ("vote dnt"; "dnt" alone may be "don't").
    weak: bool = False
    symbol: bool = False  # a party's colour, emoji or Dzongkha short name: cues count only close to it


def _parse_cue(entry: str, rule: str, default: int | None) -> tuple[str, Cue]:
    phrase, _, window = entry.partition("|")
    return phrase, Cue(rule, int(window) if window else default)


@dataclass(frozen=True)
class _Context:
    """One text as the cues see it: its word starts, cue hits, sentences, and the election period."""

    prepared: Prepared
    hits: dict[str, list[tuple[int, int, Cue]]]
    sentences: list[tuple[int, int]]
    starts: list[int]
    in_period: bool

    @property
    def text(self) -> str:
        return self.prepared.norm

    def near(self, start: int, end: int, cue: Cue, *, widen: bool = True) -> bool:
        """Close enough to belong together; in an election period anywhere in the sentence, except for
        the cues that only count right next to a side ("go DNT", "because of DPT") and for a symbol
        (``widen`` False: "ཚོགས་རྒྱན་བཙུགས་ནི་འདི་ རྒྱལ་ཁབ་ཀྱི་ གོང་འཕེལ…", voting matters for the nation's
        development, is no vote for a party whose short name is གོང་འཕེལ)."""
        if cue.window is None or (widen and self.in_period and cue.window >= WIDE_IN_PERIOD):
            return True
        return bisect.bisect_left(self.starts, end) - bisect.bisect_left(self.starts, start) <= cue.window


@dataclass(frozen=True)
class SideFinding:
    rule: str
    start: int
    end: int


class NeutralityDetector:
    """Every phrase (targets and cues) sits in one word index, so a text is read once."""

    def __init__(self, config: dict[str, Any], parties: tuple[Party, ...], candidates: tuple[str, ...]) -> None:
        self._kinds: dict[str, tuple[str, Cue]] = {}  # a term's lexicon id -> (kind, cue)
        terms: list[Term] = []

        electoral_cues = {c.lower() for c in config["electoral_cues"]}

        def add(kind: str, entries: Iterable[str], rule: str, window: int | None) -> None:
            for entry in entries:
                phrase, cue = _parse_cue(entry, rule, window)
                if rule == "political.canvassing" or phrase.lower() in electoral_cues:
                    cue = Cue(cue.rule, cue.window, for_weak=True)
                key = f"{kind}|{cue.rule}|{cue.window}|{cue.for_weak}"
                self._kinds[key] = (kind, cue)
                term = Term.parse(phrase, key)
                if term is not None:
                    terms.append(term)

        for rule, sides in config["cues"].items():
            add("before", sides["before"], rule, config["window_before"])
            add("after", sides["after"], rule, config["window_after"])
        for rule, words in config["evaluative"].items():
            add("evaluative", words, rule, config["window_evaluative"])
        add("around", config["around_dz"], "political.endorsement", None)
        add("around", config["around_attack_dz"], "political.attack", None)
        add("around", config["around_comparison_dz"], "political.comparison", None)
        add("campaign", config["campaign"], CAMPAIGN_RULE, None)
        add("neutral_dz", config["neutral_dz"], "", None)
        add("target", config["targets"], "", None)
        add("electoral_target", config["electoral_targets"], "", None)
        add("electoral", config["electoral"], "", None)
        add("standalone", config["standalone"], "political.canvassing", None)
        add("frame", config["voting_frames"], "political.canvassing", None)
        add("actor", config["actors"], "", None)
        add("recall", config["recall_frames"], "political.endorsement", None)
        add("election_time", config["election_times"], "political.canvassing", None)
        add("notice", config["neutral_notices"], "", None)
        add("event", config["events"], MOBILISING_RULE, None)
        add("self_event", config["self_events"], MOBILISING_RULE, None)
        add("invitation", config["invitations"], MOBILISING_RULE, None)
        add("follower", config["followers"], FAVOUR_RULE, None)
        add("favour", config["favours"], FAVOUR_RULE, None)
        add("decision", config["decisions"], FAVOUR_RULE, None)
        add("side_help", config["side_help"], FAVOUR_RULE, None)
        add("resource", config["agency_resources"], MOBILISING_RULE, None)
        add("standalone", (s for p in parties for s in p.slogans if not s.startswith("#")), SLOGAN_RULE, None)
        self.index = TermIndex(terms, {})
        self.even_handed = re.compile(
            r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in config["even_handed"]) + r")\b",
            re.IGNORECASE,
        )
        self._cue_names = {key: f"k:{kind}:{cue.rule}" for key, (kind, cue) in self._kinds.items()}
        self.only_verbs = frozenset(config["only_verbs"])
        self.small_abbreviations = frozenset(p.abbreviation.lower() for p in parties if len(p.abbreviation) >= 3)
        party_aliases = _aliases(((p.name, *p.names) for p in parties), first=True)
        candidate_aliases = _aliases(((c,) for c in candidates), first=False)
        self.hashtag_names = (
            frozenset(
                _squash(form)
                for p in parties
                for form in (p.abbreviation, p.name, *p.names)
                if len(_squash(form)) >= 3 and not is_tibetan(form.strip())
            )
            | frozenset(_squash(c) for c in candidates if len(_squash(c)) >= 6)
            | frozenset(a.lower() for a in (*party_aliases, *candidate_aliases) if len(a) >= 5)
        )
        self._team_of = {a.lower(): "parties" for a in party_aliases}
        self._team_of |= {a.lower(): "candidates" for a in candidate_aliases}
        self.teams = _team_pattern(self._team_of)
        self.bare_nicknames = _bare_nickname_pattern(n for p in parties for n in p.names)
        self.hashtag_slogans = frozenset(_squash(s) for p in parties for s in p.slogans if s.startswith("#"))
        self.hashtag_sides = tuple(config["hashtag_sides"])
        symbols = _derived_symbols(parties, config["colours_dz"])
        self.symbols = _symbol_pattern(symbols)
        self.symbol_sides = _symbol_side_pattern(symbols)
        self.configured_symbols = _symbol_pattern(s for p in parties for s in p.symbols)
        # Each party's own colours and emojis, to tell two parties' symbols set against each other.
        self.party_symbols = tuple(
            pattern for pattern in (_symbol_pattern(p.symbols) for p in parties) if pattern is not None
        )
        self.mocking = tuple(config["mocking"])
        short = [n.strip() for p in parties for n in p.names]
        self.short_names = frozenset(n.lower() for n in short if not is_tibetan(n))
        self.short_names_dz = frozenset(_tsheg_free(n) for n in short if is_tibetan(n) and _PARTY_WORD_DZ not in n)
        self.titles_dz = frozenset(config["titles_dz"])
        self.dzongkha_candidates = _dzongkha_names(candidates, config["name_syllables_dz"])
        self.spelled_names = frozenset(n for n in self.hashtag_names if n.isalpha()) | frozenset(
            _squash(s) for s in symbols if s.isalpha() and len(s) >= 4
        )

    def aliases(self, prepared: Prepared) -> list[tuple[int, int, str]]:
        """A party or candidate by a short name, as a side: "Ngedup's team", "Team Yarphel", "Ngedup gi
        team" (the distinctive word of a party's name, a candidate's surname): (start, end, lexicon)."""
        out = []
        if self.teams is not None:
            for m in self.teams.finditer(prepared.norm):
                name = m.group("a") or m.group("b")
                start = m.start("a") if m.group("a") else m.start("b")
                out.append((start, start + len(name), self._team_of[name.lower()]))
        if self.symbol_sides is not None:  # "the yellow team", "🟠 ཚོགས་པ": a symbol with a party word
            out += [(m.start(), m.end(), "parties") for m in self.symbol_sides.finditer(prepared.norm)]
        for a, b, word in _spelled_out(prepared.norm):
            vote = next((v for v in _SPELLED_VOTES if word.startswith(v) and word[len(v) :] in self.spelled_names), "")
            if word in self.spelled_names or vote:  # "K.U.E.N.P.H.E.N", "v o t e d k p" (the name after the vote)
                out.append((a, b, "parties"))
        plain = deleet(prepared)
        if plain is not prepared:  # "N0rling", "G4kid": a name in leetspeak
            out += [
                (a, b, "parties")
                for a, b, word in plain.tokens
                if word != prepared.norm[a:b] and word.lower() in self.spelled_names
            ]
        return out + self._bare_nicknames(prepared)

    def _bare_nicknames(self, prepared: Prepared) -> list[tuple[int, int, str]]:
        """A nickname configured with its article ("the Oranges") written without it ("Oranges gi
        manifesto"): a party only where the text is political (a word the neutrality lists know, or a
        party's colour or emoji), so "Oranges from Tsirang are in the market" stays fruit."""
        if self.bare_nicknames is None:
            return []
        found = [(m.start(), m.end(), "parties") for m in self.bare_nicknames.finditer(prepared.norm)]
        if not found:
            return []
        political = next(iter(self.index.find(prepared)), None) is not None or (
            self.symbols is not None and self.symbols.search(prepared.norm) is not None
        )
        return found if political else []

    def cues(self, prepared: Prepared) -> list[tuple[int, str]]:
        """Where each kind of cue appears, for the learned model to weigh: (start, "k:kind:rule"), as
        ``find`` lists them."""
        out: list[tuple[int, str]] = []
        self.find(prepared, [], in_period=False, cues=out)
        return out

    def find(
        self,
        prepared: Prepared,
        named: list[tuple[int, int]],
        *,
        in_period: bool,
        cues: list[tuple[int, str]] | None = None,
    ) -> list[SideFinding]:
        """Spans that take sides; ``named`` are the parties and candidates the lexicons found. The cues
        seen are added to ``cues`` when given (as ``cues()`` lists them: one pass serves both)."""
        prepared = deleet(prepared)
        text = prepared.norm
        named = [
            (a, b)
            for a, b in named
            if not _someone_else(text, a, b)
            and not longer_name(text, a, b)
            and not _everyday_word(text, a, b)
            and not self._a_namesake(text, a, b)
        ]
        if self.dzongkha_candidates is not None and _TIBETAN.search(text):
            # Candidates in Dzongkha script spelt from their English names: sides for the rules only. The
            # learned model is not told of them (``aliases``): it learned from texts where such names were
            # unknown words, and holds short Dzongkha facts that name one in an election period.
            named = sorted(named + [(m.start(), m.end()) for m in self.dzongkha_candidates.finditer(text)])
        hits: dict[str, list[tuple[int, int, Cue]]] = {}
        terms = list(self.index.find(prepared))
        named = self._as_sides(text, named, terms)
        side_names = [(h.start, h.end) for h in terms if self._kinds[h.term.lexicon][0] == "target"]
        for hit in terms:
            kind, cue = self._kinds[hit.term.lexicon]
            if kind == "around" and _inside_a_side(hit.start, hit.end, side_names):
                continue
            if cue.rule and is_tibetan(text[hit.start]) and _NEGATED_DZ.match(text, hit.end):
                continue  # རྒྱབ་སྐྱོར་འབད་ནི་མེད, "will not support": a rule recalled
            hits.setdefault(kind, []).append((hit.start, hit.end, cue))
            if cues is not None and kind not in _RULES_ONLY:
                cues.append((hit.start, self._cue_names[hit.term.lexicon]))
        found = [
            SideFinding(c.rule, a, b)
            for a, b, c in hits.get("standalone", [])
            if c.rule != SLOGAN_RULE or named or self._political(terms, text, [(a, b)])
        ]
        found += self._hashtags(text) + _vote_for_a_name(text)
        generic = self._generic_targets(prepared, hits)
        if cues is not None:  # "the opposition to the new road" is no side for the model to weigh either
            sides = {t.start for t in generic}
            kept = {a for a, _, _ in hits.get("target", []) if a in sides}
            cues[:] = [(a, kind) for a, kind in cues if not kind.startswith("k:target:") or a in kept]
            if _CONTEST.search(text):  # a vote in a contest: nothing for the model to weigh
                cues[:] = [(a, kind) for a, kind in cues if kind.split(":")[1] not in _VOTING_KINDS]
        targets = [Target(a, b) for a, b in named] + generic
        found += self._mocked(text, targets)
        # A party's colour or emoji is a side in a text about voting ("vote 💛 on the 9th"), not in a
        # thank-you ("thank you for your support 💛").
        if self.symbols is not None and hits.get("electoral") and not hits.get("notice"):
            symbols = [Target(m.start(), m.end(), weak=True, symbol=True) for m in self.symbols.finditer(text)]
            targets += symbols
            if cues is not None and self.configured_symbols is not None:
                # A configured colour or emoji is a side for the model to weigh too ("remember the lantern
                # on ballot day 🏮🏮"); a word derived from a name ("lantern") may be the everyday thing.
                cues += [(m.start(), "k:target:symbol") for m in self.configured_symbols.finditer(text)]
        if named:
            found += _symbol_comparisons(text, named) + _all_talk(text, named)
            targets += _pronouns_after(prepared, named[0][1])
            found += _spelled_vote(text, named) + _support_asked(text, named[0][1])
        if targets:
            context = _Context(prepared, hits, _sentences(text), [t[0] for t in prepared.tokens], in_period)
            for target in targets:
                found += self._sides_of(target, context)
        if named and hits.get("event"):
            hits.setdefault("invitation", []).extend(_contact_a_side(text, named))
        found += _mobilising(text, hits, targets, _sentences(text) if hits.get("event") else [])
        if hits.get("favour") and hits.get("follower"):
            found += _favoured_followers(prepared, hits, targets)
        if hits.get("decision"):
            found += _decided_for_a_side(text, hits, named)
        if hits.get("resource") and hits.get("event"):
            found += _resources_for_a_side(text, hits, [(t.start, t.end) for t in targets if not t.weak])
        if in_period and named:
            found += _side_at_a_time(text, hits, named)
        if self.configured_symbols is not None and not hits.get("notice"):
            found += _one_of_the_parties(text, self.configured_symbols)
        if in_period and self.configured_symbols is not None:
            found += _hinted_side(text, hits, self.configured_symbols)
        lowered = text.lower()
        if self.party_symbols and self.configured_symbols is not None and self.configured_symbols.search(text):
            found += _symbols_compared(text, self.party_symbols)
        if "other" in lowered:
            found += _one_against_the_other(text)
        if "party" in lowered:
            found += _our_partys(text)
        if hits.get("favour") and " us" in lowered:
            found += _favoured_our_side(text, hits)
        return found or _pointed_at_the_vote(text, hits, targets)

    def _as_sides(self, text: str, named: list[tuple[int, int]], terms: list[Hit]) -> list[tuple[int, int]]:
        """The names that stand for a side here. A party's short name or slogan is often an everyday word
        (ཞི་བདེ་ "peace", ལེགས་བཤད་ "wise sayings", "nyamdrel" cooperation, "Peace at home"): written as one
        (Dzongkha without ཚོགས་པ, romanised all in small letters) it names the party only where the text is
        about politics (``_political``), or where another name of a side stands beside it."""
        if not named or any(not self._everyday_form(text[a:b]) for a, b in named):
            return named
        return named if self._political(terms, text, named) else []

    def _political(self, terms: list[Hit], text: str, names: list[tuple[int, int]]) -> bool:
        """The text is about politics: a side, voting, an election or a campaign in the words the lists
        know (a party's slogan is no such word: it may be an everyday phrase), one of the ``names`` right
        before an event or its people ("the Hand in Hand rally", "Semkyid supporters"; "volunteers" alone
        may clean a river), or a party's emoji or colour."""
        for hit in terms:
            kind = self._kinds[hit.term.lexicon][0]
            if kind in _POLITICAL_KINDS or (
                kind in _NAME_WORDS and any(_right_before(text, b, hit.start) for _, b in names)
            ):
                return True
        return self.configured_symbols is not None and self.configured_symbols.search(text) is not None

    def _everyday_form(self, name: str) -> bool:
        """A party's short name written as the everyday word it also is: in Dzongkha without the party word
        ཚོགས་པ (ཞི་བདེ་, "peace"), in Latin script all in small letters ("nyamdrel", cooperation). A
        candidate's name is never one."""
        if is_tibetan(name.strip()):
            return _tsheg_free(name) in self.short_names_dz
        # "gakid tshogpa", "blue party": a party word makes the everyday word a party's name.
        party_word = any(w in _PARTY_WORDS for w in name.lower().split())
        return name.islower() and name in self.short_names and not party_word

    def _a_namesake(self, text: str, start: int, end: int) -> bool:
        """A party's one-word short name that is also a person's or a group's name: after a title ("Lopen
        Pelzang la", "Aum Jamtho") or first word of a longer proper name ("the Pelzang Dance Troupe",
        "Pelzang Hotel"), unless that name goes on with a party or campaign word ("Pelzang Party",
        "Pelzang Rally")."""
        word = text[start:end]
        if " " in word.strip() or word.isupper() or word.lower() not in self.short_names:
            return False
        if _PERSON_TITLE.search(text, max(0, start - 16), start):
            return True
        following = _PROPER_NEXT.match(text, end)
        return following is not None and following.group(1).lower() not in _SIDE_NAME_WORDS

    def sides_named(self, prepared: Prepared, named: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """The ``named`` (start, end, lexicon) that stand for a side as ``find`` reads them, for the learned
        model: not a pupil or a namesake ("Lopen Pelzang la"), and a short name written as the everyday
        word it also is (བསམ་འགྲུབ་, "success") only where the text is about politics."""
        prepared = deleet(prepared)
        text = prepared.norm
        kept = [
            n
            for n in named
            if not _someone_else(text, n[0], n[1])
            and not _everyday_word(text, n[0], n[1])
            and not self._a_namesake(text, n[0], n[1])
        ]
        if not kept or any(not self._everyday_form(text[a:b]) for a, b, _ in kept):
            return kept
        terms = list(self.index.find(prepared))
        return kept if self._political(terms, text, [(a, b) for a, b, _ in kept]) else []

    def _sides_of(self, target: Target, ctx: _Context) -> list[SideFinding]:
        """Every cue that takes this target's side (or the other side) in its sentence."""
        t_start, t_end = target.start, target.end
        s_start, s_end = _sentence_of(ctx.sentences, t_start)
        # "… ལུ་ཚོགས་རྒྱན་ ༡༢༠,༠༠༠ ཐོབ་ཅི" reports votes received: no Dzongkha cue counts there.
        neutral = any(s_start <= a < s_end for a, _, _ in ctx.hits.get("neutral_dz", []))

        def counts(start: int, cue: Cue) -> bool:
            return (cue.for_weak or not target.weak) and not (neutral and is_tibetan(ctx.text[start]))

        found = [
            SideFinding(cue.rule, c_start, t_end)
            for c_start, c_end, cue in ctx.hits.get("before", [])
            if s_start <= c_start
            and c_end <= t_start
            and ctx.near(c_end, t_start, cue, widen=not target.symbol)
            and counts(c_start, cue)
        ]
        found += [
            SideFinding(cue.rule, t_start, c_end)
            for c_start, c_end, cue in ctx.hits.get("after", [])
            if t_end <= c_start
            and c_end <= s_end
            and ctx.near(t_end, c_start, cue, widen=not target.symbol)
            and counts(c_start, cue)
        ]
        if target.weak:
            return found
        for c_start, c_end, cue in ctx.hits.get("evaluative", []):
            if s_start <= c_start < s_end and not (c_start < t_end and t_start < c_end):
                a, b = (c_end, t_start) if c_end <= t_start else (t_end, c_start)
                if ctx.near(a, b, cue):
                    found.append(SideFinding(cue.rule, min(c_start, t_start), max(c_end, t_end)))
        found += self._only_or_slogan(ctx.prepared, t_start, t_end)
        sentence_cues = ([] if neutral else ["around"]) + (["campaign"] if ctx.in_period else [])
        for kind in sentence_cues:
            found += [
                SideFinding(c.rule, min(a, t_start), max(b, t_end))
                for a, b, c in ctx.hits.get(kind, [])
                if s_start <= a < s_end and not (a < t_end and t_start < b) and not self._title(ctx.text, a, b)
            ]
        return found

    def _title(self, text: str, start: int, end: int) -> bool:
        """ "དྲག་ཤོས་ཀརྨ་དབང་ཕྱུག": དྲག་ཤོས is "best" after what it qualifies (Dzongkha adjectives follow
        their noun: ཚོགས་པ་དྲག་ཤོས་ཨིན) and the title Dasho before a name. Before a word that is no
        particle or copula, it is the title."""
        if text[start:end] not in self.titles_dz:
            return False
        following = _TOKEN.match(text, end + 1) if text[end : end + 1] in ("\u0f0b", " ") else None
        if following is None:
            following = _TOKEN.match(text, end + 2) if text[end : end + 2] == "\u0f0b " else None
        return following is not None and following.group() not in _DZ_PARTICLES

    def _only_or_slogan(self, prepared: Prepared, t_start: int, t_end: int) -> list[SideFinding]:
        """ "Only DNT can…" ranks one side above the rest; "Kelzang for Thimphu!" is a campaign slogan."""
        text = prepared.norm
        before = _TOKEN.findall(text[max(0, t_start - 12) : t_start])
        after = _TOKEN.findall(text[t_end : t_end + 40])
        if before and before[-1].lower() == "only" and after and after[0].lower() in self.only_verbs:
            start = text.rfind(before[-1], 0, t_start)
            return [SideFinding("political.comparison", start, t_end)]
        slogan = _SLOGAN_FOR.match(text, t_end)
        if slogan:
            return [SideFinding(SLOGAN_RULE, t_start, slogan.end())]
        return []

    def _generic_targets(self, prepared: Prepared, hits: dict[str, list[tuple[int, int, Cue]]]) -> list[Target]:
        out = []
        for start, end, _ in hits.get("target", []):
            following = _TOKEN.match(prepared.norm[end:].lstrip(" \u0f0b"))
            phrase = prepared.norm[start:end].lower()
            if following and following.group().lower() in _NOT_A_SIDE_AFTER and "opposition" in phrase:
                continue
            if phrase in _POSTPOSITIONS_DZ and not (following and following.group() in _SIDE_PARTICLES_DZ):
                continue  # "ནད་ཁ་ཐུག་ སྨན་ཁབ" (a vaccine against a disease): "against", not the opposition
            out.append(Target(start, end))
        # "The government" is a side in a text about voting, unless the text is an election notice
        # ("polling day is a government holiday").
        if hits.get("electoral") and not hits.get("notice"):
            out += [Target(start, end, weak=True) for start, end, _ in hits.get("electoral_target", [])]
        out += [
            Target(start, end, weak=True)
            for start, end, word in prepared.tokens
            if word.lower() in self.small_abbreviations and not word.isupper()
        ]
        return out

    def _mocked(self, text: str, targets: list[Target]) -> list[SideFinding]:
        """A side with a mocking emoji ("Sure, and bring back the traffic jams too 🙄"): sarcasm
        attacks whoever the text names, whichever sentence the emoji ends."""
        strong = [t for t in targets if not t.weak]
        if not strong:
            return []
        at = min((i for i in (text.find(e) for e in self.mocking) if i >= 0), default=-1)
        return [] if at < 0 else [SideFinding("political.attack", strong[0].start, at + 1)]

    def _hashtags(self, text: str) -> list[SideFinding]:
        if "#" not in text:
            return []
        out = []
        for m in _HASHTAG.finditer(text):
            tag = m.group(1).lower()
            named = (
                tag in self.hashtag_slogans
                or any(n in tag for n in self.hashtag_names if _named(tag, n))
                or any(side in tag for side in self.hashtag_sides)
            )
            if named and "vaccin" not in tag:
                out.append(SideFinding(SLOGAN_RULE, m.start(), m.end()))
        return out


# "Vote for XYZ!", "vote for Dorji Wangmo": a call to vote for a proper name or an acronym, configured
# or not, unless what is voted for is a design, a theme or a stall ("vote for the Thimphu Festival poster").
_VOTE_FOR_A_NAME = re.compile(
    r"\b[Vv]ote\s+for\s+(?:the\s+)?(?P<name>[A-Z]{2,6}\b|[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}\b)"
    r"(?P<after>(?:\s+[\w'-]+){0,3})"
)
_NOT_POLITICAL = re.compile(
    r"\b(?:design|designs|theme|themes|stall|stalls|poster|posters|logo|mascot|photo|photos|entry|entries|"
    r"song|songs|dish|film|films|award|contest|competition|idea|ideas|name|names|project|projects|"
    r"player|team|school|class|app|picture|drawing|essay|video|hotel|restaurant|cafe|shop|village|club|"
    r"college|festival|tshechu|park|garden|route|stop|library)\b",
    re.IGNORECASE,
)

# What a contest or a consultation puts to the vote ("contest lu vote bay", "design option ... vote bay").
_CONTEST = re.compile(
    r"\b(?:contests?|competitions?|designs?|options?|entry|entries|logos?|mascots?|photos?|drawings?|essays?|"
    r"awards?|quiz|talent\w*)\b",
    re.IGNORECASE,
)


# A pupil or a driver who shares a candidate's name ("Pema Yangzom of Class IX", "student Pema Yangzom").
_PUPIL_AFTER = re.compile(
    r"\s*[,(]?\s*(?:of\s+|in\s+)?(?:class|grade|std\.?|standard)\s+(?:[IVX]+|\d+)\b"
    r"|\s*,\s*(?:a|our|the)\s+(?:student|pupil|trainee|driver|farmer|resident|patient)\b",
    re.IGNORECASE,
)
_PUPIL_BEFORE = re.compile(r"\b(?:student|pupil|trainee|learner|class\s+[IVX\d]+)\s+$", re.IGNORECASE)


def _someone_else(text: str, start: int, end: int) -> bool:
    """A name found that belongs to someone described as a pupil, a trainee or a resident, not a candidate."""
    return bool(_PUPIL_AFTER.match(text, end)) or bool(_PUPIL_BEFORE.search(text, max(0, start - 24), start))


_OF_A_NAME = re.compile(r"\s+of\s+(?:the\s+)?[A-Z][a-z]")
# "thuendrel gi thog lay", "nyamdrel thog lay" (through cooperation): a short name that is also an everyday
# word, written in lower case and used as the ground of something ("X (gi) thog lay/le/lu", "on the basis of X").
_GROUND_OF = re.compile(r"\s+(?:gi\s+)?thog?k?(?:\s|$|le|la|lu)", re.IGNORECASE)


def _everyday_word(text: str, start: int, end: int) -> bool:
    """A one-word name written all in lower case in the romanised "X (gi) thog lay" ("through X")."""
    word = text[start:end]
    return word.isascii() and word.isalpha() and word.islower() and _GROUND_OF.match(text, end) is not None


# Kinds of cue the rules combine into a shape but the learned model is not given: "support", "help", "move",
# "approve" or "printer" alone say nothing of a side, and as features they held refusals ("civil servants
# support no party") the model had passed.
_RULES_ONLY = frozenset({"decision", "side_help", "resource"})
# Kinds of list hit that make a text about politics: a side, voting, an election, a campaign event (not
# the campaign cues, "great", "well done", which praise anything).
_POLITICAL_KINDS = frozenset(
    {
        "target",
        "electoral_target",
        "electoral",
        "actor",
        "frame",
        "recall",
        "election_time",
        "self_event",
    }
)
# Words that make the name right before them a side's: its events and its people.
_NAME_WORDS = frozenset({"event", "follower"})
_PARTY_WORD_DZ = "ཚོགས"


_GENITIVES_DZ = frozenset({"གི", "གྱི", "ཀྱི", "འི"})


def _right_before(text: str, end: int, start: int) -> bool:
    """Nothing but a space, a tsheg or a possessive between a name's ``end`` and a word's ``start``
    (Dzongkha's genitive too: ཀུན་འབྲེལ་གྱི་ ཁྱིམ་ཁ་ཁྱིམ་ཁ, "X's door to door")."""
    if not 0 <= start - end <= 8:
        return False
    between = text[end:start]
    return between.strip(" \u0f0b'’s") == "" or between.strip(" \u0f0b") in _GENITIVES_DZ


def _tsheg_free(name: str) -> str:
    return "".join(ch for ch in name if ch not in "\u0f0b\u0f0d ")


def longer_name(text: str, start: int, end: int) -> bool:
    """A nickname with its article inside a longer proper name: "the Lamp of Knowledge award", "the
    Oranges of Tsirang" name an award and a fruit, not the party called "the Lamp" or "the Oranges"."""
    return text[start : start + 4].lower() == "the " and _OF_A_NAME.match(text, end) is not None


_AWARD = re.compile(r"(?:best|most|top|favourite|favorite|cleanest|greenest|safest)\b", re.IGNORECASE)


def _vote_for_a_name(text: str) -> list[SideFinding]:
    out = []
    for m in _VOTE_FOR_A_NAME.finditer(text):
        shouted = text[m.start() : m.start("name")].isupper()  # "VOTE FOR CHANGE": no name there
        award = _AWARD.match(m.group("name"))  # "Vote for the Best Driver of the Year"
        if not shouted and not award and not _NOT_POLITICAL.search(m.group("name") + m.group("after")):
            out.append(SideFinding("political.canvassing", m.start(), m.end("name")))
    return out


def _symbol_pattern(symbols: Iterable[str]) -> re.Pattern[str] | None:
    """A party's colours and emojis ("yellow", "💛"): the emoji with or without its variation selector."""
    forms = sorted({s.replace("\ufe0f", "") for s in symbols}, key=len, reverse=True)
    if not forms:
        return None
    words = [re.escape(f) for f in forms if any(ch.isalpha() for ch in f) and not is_tibetan(f)]
    # Dzongkha: no letter either side, a particle may be attached (སེམས་ཤུའི); \b fails after a vowel sign.
    dzongkha = [_tibetan_words(f) for f in forms if is_tibetan(f)]
    emojis = [re.escape(f) + "\ufe0f?" for f in forms if not any(ch.isalpha() for ch in f)]
    parts = ([rf"\b(?:{'|'.join(words)})\b"] if words else []) + emojis
    if dzongkha:
        parts.append(rf"(?<![\u0f40-\u0fbc])(?:{'|'.join(dzongkha)})(?:འི|ས|ར)?(?![\u0f40-\u0fbc])")
    return re.compile("|".join(parts), re.IGNORECASE)


def _mobilising(
    text: str, hits: dict[str, list[tuple[int, int, Cue]]], targets: list[Target], sentences: list[tuple[int, int]]
) -> list[SideFinding]:
    """Promoting a side's event or recruiting for its campaign: an invitation ("come along", "sign up",
    "free bus"; not "do not share") anywhere in the text, and an event of a named side in one sentence ("the DRT
    convention", "volunteers to help the Lhamo Zangkar team") or one partisan by name ("campaign
    dinner"). Out of an election period too: inviting people to a side's event mobilises for it."""
    if not any(_inviting(text, a, b) for a, b, _ in hits.get("invitation", [])):
        return []
    found = [SideFinding(MOBILISING_RULE, a, b) for a, b, _ in hits.get("self_event", [])]
    for e_start, e_end, _ in hits.get("event", []):
        s_start, s_end = _sentence_of(sentences, e_start)
        for target in targets:
            overlaps = target.start < e_end and e_start < target.end
            if not target.weak and not overlaps and s_start <= target.start < s_end:
                found.append(SideFinding(MOBILISING_RULE, min(e_start, target.start), max(e_end, target.end)))
    return found


# "Call Dechen Pelzom", "contact candidate X"; "X ghi number lu phone bay", "X གི་ … ལུ་ འབྲེལ་བ་འཐབ".
_CONTACT_BEFORE = re.compile(
    r"\b(?:call|ring|phone|contact|whatsapp|message|text|dm)\s+(?:candidate\s+|the\s+)?$", re.IGNORECASE
)
_CONTACT_AFTER = re.compile(
    r"[^.!?\n\u0f0d]{0,60}?(?:\b(?:phone|call|contact|ring|message)\s+(?:bay|bey|ja|jay|gnang)\b|"
    r"འབྲེལ་བ་འཐབ|ཁ་པར་གཏང|ཁ་པར་རྐྱབ)",
    re.IGNORECASE,
)


def _contact_a_side(text: str, named: list[tuple[int, int]]) -> list[tuple[int, int, Cue]]:
    """Readers sent to a party or candidate themselves ("Need posters? Call X"): an invitation, as
    ``invitations`` are, wherever a side's event or material is named too."""
    out = []
    for start, end in named:
        if _CONTACT_BEFORE.search(text, max(0, start - 24), start):
            out.append((start, end, Cue(MOBILISING_RULE, None)))
        else:
            after = _CONTACT_AFTER.match(text, end)
            if after:
                out.append((start, after.end(), Cue(MOBILISING_RULE, None)))
    return out


# རྒྱབ་སྐྱོར་འབད་ནི་མེད "will not support", … མི་ཆོག "must not": a Dzongkha cue its verb ending negates.
_NEGATED_DZ = re.compile("[\u0f0b\\s]*(?:(?:འབད|གནང)[\u0f0b\\s]*)?(?:ནི[\u0f0b\\s]*མེད|མི[\u0f0b\\s]*ཆོག)")


def _inside_a_side(start: int, end: int, sides: list[tuple[int, int]]) -> bool:
    """A Dzongkha cue that is part of a side's name: "ངོ་རྒོལ" (to oppose) in "ངོ་རྒོལ་ཚོགས་པ" (the
    opposition party) names the side, it says nothing of it."""
    return any(a <= start and end <= b and (a, b) != (start, end) for a, b in sides)


# "not", "cannot", "no one": a favour refused or a rule recalled ("party supporters get no special leave").
_NEGATION_WORD = re.compile(
    r"\b(?:not|no|never|cannot|can't|won't|don't|mustn't|shouldn't|nor|neither)\b", re.IGNORECASE
)


def _favoured_followers(
    prepared: Prepared, hits: dict[str, list[tuple[int, int, Cue]]], targets: list[Target]
) -> list[SideFinding]:
    """The agency favouring one side's people, whatever the favour is called: a side's followers
    ("PUA supporters", "households registered with the X party office", "X lu ming bkod mi") and,
    in the same sentence or the next, something given first or to them only ("priority", "the day
    off", "the allotment", "ngama ra", "སྔོན་མ་ བྱིན", "…; everyone else in March"). Not where the
    follower's sentence says no ("party supporters get no special leave"): that recalls the rule. A
    heading before a colon is no part of the sentence ("Not for circulation: …")."""
    text, starts = prepared.norm, [t[0] for t in prepared.tokens]
    sentences = _sentences(text)
    sides = [t for t in targets if not t.weak]
    for f_start, f_end, _ in hits.get("follower", []):
        s_start, s_end = _sentence_of(sentences, f_start)
        if _NEGATION_WORD.search(text, text.rfind(":", s_start, f_start) + 1 or s_start, s_end):
            continue
        reach = _sentence_of(sentences, s_end)[1]  # the next sentence's end
        favour = next(
            (h for h in hits["favour"] if s_start <= h[0] < reach and not _RANKED_FIRST.search(text, 0, h[0])), None
        )
        side = next((t for t in sides if s_start <= t.start < s_end and _words_apart(starts, t, f_start, f_end)), None)
        if favour is not None and side is not None:
            return [SideFinding(FAVOUR_RULE, min(favour[0], side.start), max(favour[1], side.end, f_end))]
    return []


# "the first to arrive", "were first in the queue": who came first, no favour given.
_RANKED_FIRST = re.compile(r"\b(?:the|were|was|came|is|are)\s+$", re.IGNORECASE)
# "because your gewog voted the right way", "since they voted for us": a decision explained by a vote.
_BECAUSE_VOTED = re.compile(
    r"\b(?:because|since|as|cos|coz|for\s+how)\b[^.!?;\n]{0,40}?\bvoted\b|ཚོགས་རྒྱན་བཙུགས་ཡོདཔ་ལས", re.IGNORECASE
)
# "whoever they voted for", "regardless of how you voted": a decision said not to depend on the vote.
_WHATEVER_THE_VOTE = re.compile(r"\b(?:regardless|irrespective|whoever|whichever|no\s+matter)\b", re.IGNORECASE)


def _decided_for_a_side(
    text: str, hits: dict[str, list[tuple[int, int, Cue]]], named: list[tuple[int, int]]
) -> list[SideFinding]:
    """The agency's power used for a side, whatever the power is: a decision about a person or a place
    (approve, transfer, move out, སྤོ་བཤུད) explained by how people voted ("your hostel was approved because
    your gewog voted the right way") or, with a side named in the same sentence, by whom someone helps or
    supports ("move him out, he keeps helping the NDP's rivals"). Not where the sentence says no or says
    the vote does not matter ("approved regardless of how anyone voted")."""
    sentences = _sentences(text)
    for d_start, d_end, _ in hits["decision"]:
        s_start, s_end = _sentence_of(sentences, d_start)
        if _NEGATION_WORD.search(text, s_start, s_end) or _WHATEVER_THE_VOTE.search(text, s_start, s_end):
            continue
        voted = _BECAUSE_VOTED.search(text, s_start, s_end)
        if voted:
            return [SideFinding(FAVOUR_RULE, min(d_start, voted.start()), max(d_end, voted.end()))]
        helped = next((h for h in hits.get("side_help", []) if s_start <= h[0] < s_end), None)
        side = next((n for n in named if s_start <= n[0] < s_end), None)
        if helped is not None and side is not None:
            return [SideFinding(FAVOUR_RULE, min(d_start, helped[0], side[0]), max(d_end, helped[1], side[1]))]
    return []


def _resources_for_a_side(
    text: str, hits: dict[str, list[tuple[int, int, Cue]]], named: list[tuple[int, int]]
) -> list[SideFinding]:
    """The agency's means spent on a side's campaign: one of its resources (the office printer, a pool
    vehicle, fuel, DSA, the notice board, the morning assembly) in the text of a side's event or material
    (named with it in one sentence: "print the BZP flyers on the gewog office printer", "staff to attend
    the X rally. Transport from the vehicle pool.", "display the ruling party's manifesto on the notice
    board"), neither sentence saying no ("do not use the office printer for party flyers")."""
    sentences = _sentences(text)
    for r_start, r_end, _ in hits["resource"]:
        s_start, s_end = _sentence_of(sentences, r_start)
        if _NEGATION_WORD.search(text, s_start, s_end):
            continue
        for e_start, e_end, _ in hits["event"]:
            e_sentence = _sentence_of(sentences, e_start)
            # Another sentence's resource counts where people are sent to the event ("… to attend the X
            # rally. Transport from the vehicle pool."), not beside a fact ("X posters were put up; use
            # the notice boards").
            sent = any(e_sentence[0] <= a < e_sentence[1] for a, _, _ in hits.get("invitation", []))
            if e_sentence != (s_start, s_end) and not sent:
                continue
            side = next((n for n in named if e_sentence[0] <= n[0] < e_sentence[1]), None)
            if side is not None and not _NEGATION_WORD.search(text, *e_sentence):
                return [SideFinding(MOBILISING_RULE, min(r_start, e_start, side[0]), max(r_end, e_end, side[1]))]
    return []


def _words_apart(starts: list[int], side: Target, start: int, end: int) -> bool:
    """A side and a follower word within ``FOLLOWER_WINDOW`` words of each other, in either order."""
    a, b = (side.end, start) if side.end <= start else (end, side.start)
    return bisect.bisect_left(starts, b) - bisect.bisect_left(starts, a) <= FOLLOWER_WINDOW


# "on Saturday", "tomorrow", "at 2pm": when something happens.
_WHEN = re.compile(
    r"\b(?:today|tonight|tomorrow|this\s+(?:week(?:end)?|evening|morning|afternoon)|(?:mon|tues|wednes|thurs|fri|satur|sun)"
    r"day|\d{1,2}(?::\d\d)?\s?(?:am|pm))\b",
    re.IGNORECASE,
)


def _side_at_a_time(
    text: str, hits: dict[str, list[tuple[int, int, Cue]]], named: list[tuple[int, int]]
) -> list[SideFinding]:
    """In an election period, a party or candidate doing something at a time the text gives, and the
    reader invited to it ("Candidate X will hand out looms at our centre on Saturday — come and thank
    him!"): a side's appearance promoted, whatever the event is called. Not in a notice (the ECB, polling
    stations), nor where several sides are named (a debate, a list of rallies)."""
    if hits.get("notice") or len({text[a:b].lower() for a, b in named}) > 1:
        return []
    invitations = [(a, b) for a, b, _ in hits.get("invitation", []) if _inviting(text, a, b)]
    if not invitations or not _WHEN.search(text):
        return []
    start, end = named[0]
    return [SideFinding(MOBILISING_RULE, min(start, invitations[0][0]), max(end, invitations[0][1]))]


# "Of the five parties only one works for the artisans 🌻": parties counted, one singled out, and shown
# only by its emoji or colour.
_ONLY_ONE = re.compile(
    r"\bonly\s+one\b|\bjust\s+one\b|\b(?:chi|ci|chig|gcig)\s+rang\b|\bchirang\b|གཅིག་རྐྱངམ|ཅིག་རྐྱངམ", re.IGNORECASE
)
_PARTIES = re.compile(r"\bparties\b|\btshogpa\b|ཚོགས་པ", re.IGNORECASE)


def _one_of_the_parties(text: str, symbols: re.Pattern[str]) -> list[SideFinding]:
    only = _ONLY_ONE.search(text)
    if only is None or _PARTIES.search(text) is None:
        return []
    symbol = symbols.search(text)
    if symbol is None:
        return []
    return [SideFinding("political.comparison", min(only.start(), symbol.start()), max(only.end(), symbol.end()))]


# "you know who", "you already know which box", "I won't say the name", "ming ma lab", མིང་མི་སླབ: the reader
# told they know the side without its name.
_KNOWING = re.compile(
    r"\byou\s+(?:all\s+|already\s+|surely\s+)?know(?:\s+(?:who|which|whom|what\s+to)\b(?!\s+to\s+(?:call|contact|ask|ring))"
    r"|\s*[.!😉😏😜]|\s*$)|\b(?:won't|will\s+not|not)\s+"
    r"(?:say|name|mention)\s+(?:the\s+|any\s+)?names?\b|\bno\s+names\b|\bming\s+ma\s+lab|མིང་\s*མི་\s*སླབ|མིང་\s*མ་\s*སླབ"
    r"|\b(?:won't|will\s+not|not\s+going\s+to|not)\s+(?:say(?:ing)?|tell(?:ing)?)\s+(?:anything|anyone|you\s+anything)\b"
    r"|\bga\s*chi\s+(?:yang\s+)?ma\s+(?:zer|lab|sho)\b|ག་ཅི་ཡང་[\u0f0b\s]*(?:མ་|མི་)(?:ཞུ|སླབ|ཟེར)",
    re.IGNORECASE,
)
_WINK = re.compile("[\U0001f609\U0001f60f\U0001f61c\U0001f92b]")  # 😉 😏 😜 🤫
# A choice made at a symbol ("pick 🧡", "🧡 pick bay", "🧡 གདམ་ཁ་རྐྱབ", "tick the 🌻"): a vote by another word.
_CHOICE = re.compile(r"\b(?:pick|choose|select|tick|press|gdam\s*kha)\b|གདམ་ཁ", re.IGNORECASE)


def _hinted_side(text: str, hits: dict[str, list[tuple[int, int, Cue]]], symbols: re.Pattern[str]) -> list[SideFinding]:
    """In an election period, a party shown only by its emoji or colour and the reader told they know which
    ("Wamrong, you know who 💛", "🌻 … I won't say the name 😉"), or winked at in a text about voting ("tick
    the 🌻 😉"; not in an election notice or a photo contest): the side is named by a hint instead of a name.
    "You know who to call" points at a helpline."""
    symbol = symbols.search(text)
    if symbol is None:
        return []
    chosen = _CHOICE.search(text, max(0, symbol.start() - 16), symbol.end() + 16) is not None
    voting = (hits.get("electoral") or hits.get("election_time") or chosen) and not (
        hits.get("notice") or _CONTEST.search(text)
    )
    hint = _KNOWING.search(text) or (_WINK.search(text) if voting else None)
    if hint is None:
        return []
    return [SideFinding("political.canvassing", min(symbol.start(), hint.start()), max(symbol.end(), hint.end()))]


_NEGATION = re.compile(r"\b(?:not|don't|dont|never|avoid|no|nor|ma)\s+(?:\w+\s+)?$", re.IGNORECASE)


# "the posters must come down", "the ban will come into force": "come" as part of another verb.
_NOT_COMING = re.compile(r"\s+(?:down|off|apart|undone|into\s+force|into\s+effect)\b", re.IGNORECASE)


def _inviting(text: str, start: int, end: int) -> bool:
    """An invitation as written, not negated ("do not share") and not another verb ("come down")."""
    return not _negated(text, start) and _NOT_COMING.match(text, end) is None


def _negated(text: str, start: int) -> bool:
    """ "Do not share party posts", "never join …": the invitation is a reminder of the rule."""
    return _NEGATION.search(text[max(0, start - 20) : start]) is not None


def _pointed_at_the_vote(
    text: str, hits: dict[str, list[tuple[int, int, Cue]]], targets: list[Target]
) -> list[SideFinding]:
    """Taking sides with no cue word: the text points voters at someone ("DPT built these roads.
    Remember that when you vote.", "remember who built this road when you go to the polls").

    Structure rather than phrases: an actor (a party, a candidate, a side, or "who built…") and a
    voting frame anywhere in the text (with a named side, a recall frame: "remember who…"), unless it
    reads as an election notice (the ECB, polling
    stations, results, "the candidate of your choice"). A weak side ("the government") is not an actor
    here: "election day is a government holiday" is a notice."""
    if hits.get("notice"):
        return []
    named = any(not t.weak for t in targets)
    if not named and _CONTEST.search(text):
        return []  # "#BestCalfBhutan contest lu vote bay nyo! Ga gi calf di cute ga?": a vote in a contest
    doer = bool(hits.get("actor")) or bool(_WHO_DID.search(text))
    # "Remember who fixed your water: DPT!": a recall frame points at a side only when one is named;
    # "on election day" is a frame only for a doer ("think of the people who built this bridge"),
    # since notices name parties and election days together.
    frames = hits.get("frame", []) + (hits.get("recall", []) if named else [])
    frames += hits.get("election_time", []) if doer else []
    if not frames or not (named or doer):
        return []
    start, end, cue = frames[0]
    return [SideFinding(cue.rule, start, end)]


# "PDP > DNT", "DNT = development": a name ranked against another, or equated with a value.
_RANKED = re.compile(r"[\s\u0f0b]*(?:>+|<+|=+|≥|≤|≫|≪)\s*(?=[\w\u0F40-\u0FBC])")
_PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them", "his", "their", "hers", "theirs"})


def _symbol_comparisons(text: str, named: list[tuple[int, int]]) -> list[SideFinding]:
    out = []
    for start, end in named:
        m = _RANKED.match(text, end)
        if m:
            word = _TOKEN.match(text, m.end())
            out.append(SideFinding("political.comparison", start, word.end() if word else m.end()))
    return out


# "While DRZT talks culture, real conservation happens", "While X posts selfies, actual rangers …": whatever
# the side is said to do, the real work is set against it.
_WHILE_BEFORE = re.compile(r"\bwhile\s+(?:the\s+)?$", re.IGNORECASE)
# The side's doing in the present ("talks", "posts", "keeps promising"; not "is", "was away"), then the real thing.
_ONLY_TALKS = re.compile(
    r"\s+(?:only\s+|just\s+|still\s+)?(?!(?:is|has|does|was)\b)[a-z]+s\b[^.!?;\n]{0,60}?,\s*(?:the\s+)?"
    r"(?:real|actual|true)\b",
    re.IGNORECASE,
)


def _all_talk(text: str, named: list[tuple[int, int]]) -> list[SideFinding]:
    """ "While X talks …, real work happens …": whatever X does and whatever the work, the contrast belittles X."""
    out = []
    for start, end in named:
        contrast = _ONLY_TALKS.match(text, end)
        if contrast and _WHILE_BEFORE.search(text, max(0, start - 12), start):
            out.append(SideFinding("political.attack", start, contrast.end()))
    return out


# ཁོ་ལུ་ རྒྱབ་སྐྱོར་འབད་གནང། "please support him/her/them": a Dzongkha pronoun, ལུ, support and an imperative
# ending the sentence (not a relative clause: ཁོང་ལུ་ རྒྱབ་སྐྱོར་འབད་མི་ ཞབས་ཏོག་པ, the nurses who supported him).
_SUPPORT_ASKED_DZ = re.compile(
    "(?<![\u0f40-\u0fbc])(?:ཁོ་མོ|ཁོང|ཁོ)[\u0f0b\\s]*ལུ[\u0f0b\\s]*(?:རྒྱབ[\u0f0b\\s]*སྐྱོར|གོ[\u0f0b\\s]*སྐབས(?:[\u0f0b\\s]*ཅིག)?)"
    "[\u0f0b\\s]*(?:(?:འབད|བྱིན)[\u0f0b\\s]*(?:གནང|ཤོག|དགོ)?|ཞུ)[\u0f0b\\s]*(?:[\u0f0d\u0f0e]|$|[^\u0f0b\u0f40-\u0fbc\\s])"
)
# "give him a chance", "give them another chance", "kho lu chance chi ter nang": a chance asked for the side
# a pronoun stands for (not "a chance to explain", an everyday courtesy).
_CHANCE_ASKED = re.compile(
    r"\b(?:give|giving)\s+(?:him|her|them)\s+(?:a|one|another|one\s+more)\s+chance\b(?!\s+to\b)"
    r"|\b(?:kho|khong|khomo|mo)\s+(?:lu|lo|la)\s+(?:chance|gokab|go\s+kab)\s+(?:chi\s+|ci\s+|gcig\s+)?"
    r"(?:ter|tey|bjin)\b",
    re.IGNORECASE,
)


def _support_asked(text: str, after: int) -> list[SideFinding]:
    """After a party or candidate is named, support or a chance asked for the pronoun that stands for it
    ("… ཁོ་ལུ་ རྒྱབ་སྐྱོར་འབད་གནང།", "… ཁོང་ལུ་ གོ་སྐབས་ཅིག་ བྱིན་གནང་།", "give him a chance")."""
    m = _SUPPORT_ASKED_DZ.search(text, after) or _CHANCE_ASKED.search(text, after)
    return [SideFinding("political.canvassing", m.start(), m.end())] if m else []


def _pronouns_after(prepared: Prepared, after: int) -> list[Target]:
    """ "Ngawang Pelzang got my village its farm road. He has my vote": after a party or candidate is
    named, a pronoun stands for them in the next sentences. Weak targets: only a call for votes or
    support taken with them ("support her!", "he has my vote"), not thanks, which staff also give."""
    return [Target(s, e, weak=True) for s, e, w in prepared.tokens if s >= after and w.lower() in _PRONOUNS]


# Words of a party's name that name no party by themselves.
_GENERIC_NAME_WORDS = frozenset(
    {"druk", "tshogpa", "party", "bhutan", "bhutanese", "people's", "peoples", "democratic", "national", "new"}
)
_TEAM_WORDS = r"(?:team|camp|supporters|volunteers|side|wave|brigade|people|campaign|flags|youth\s+wing|agents)"


def _aliases(names: Iterable[Iterable[str]], *, first: bool) -> frozenset[str]:
    """Short names a side goes by: a party's distinctive words ("Yarphel" in Druk Yarphel Tshogpa), a
    candidate's other names than the first ("Ngedup" in Dechen Ngedup; ``first`` False). Names of two
    words or more, Latin script, words of 4 letters or more."""
    out = set()
    for forms in names:
        for form in forms:
            words = form.split()
            if len(words) < 2 or is_tibetan(form.strip()):
                continue
            kept = words if first else words[1:]
            out |= {w for w in kept if len(w) >= 4 and w.lower() not in _GENERIC_NAME_WORDS and w.isalpha()}
    return frozenset(out)


def _bare_nicknames_of(names: Iterable[str]) -> list[str]:
    """ "the Oranges" -> "Oranges": one capitalised Latin word of 4 letters or more after "the"."""
    out = []
    for name in names:
        words = name.split()
        if len(words) != 2 or words[0].lower() != "the":
            continue
        bare = words[1]
        if bare[:1].isupper() and len(bare) >= 4 and bare.isalpha() and bare.isascii():
            out.append(bare)
    return out


def _bare_nickname_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The article-less nicknames, case-sensitive ("Oranges", not "oranges"), not after "the"."""
    bare = sorted(set(_bare_nicknames_of(names)), key=len, reverse=True)
    if not bare:
        return None
    return re.compile(rf"(?<![Tt]he\s)\b(?:{'|'.join(re.escape(b) for b in bare)})\b")


def _team_pattern(aliases: dict[str, str]) -> re.Pattern[str] | None:
    """ "Team Yarphel", "Ngedup's team", "Ngedup gi team": a short name with a team word."""
    if not aliases:
        return None
    names = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    return re.compile(
        rf"\b(?:team|camp)\s+(?P<b>{names})\b|\b(?P<a>{names})(?:'s|\s+gi|\s+ga|\s+ki)?\s+{_TEAM_WORDS}\b",
        re.IGNORECASE,
    )


def _named(tag: str, name: str) -> bool:
    """A party or candidate inside a hashtag, not just letters of a longer word ("#dptvaccine" aside)."""
    at = tag.find(name)
    before, after = tag[:at], tag[at + len(name) :]
    return not (before and before[-1].isalpha() and before not in _TAG_PREFIXES) or after == ""


_TAG_PREFIXES = frozenset(
    {"vote", "go", "team", "support", "votefor", "jai", "proud", "only", "i", "we", "love", "bring"}
)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_of(sentences: list[tuple[int, int]], position: int) -> tuple[int, int]:
    index = bisect.bisect_right([s for s, _ in sentences], position) - 1
    return sentences[max(index, 0)]


# Words that make a configured name a symbol's name: "saffron party", "jewel party", "lantern party",
# "green team" give the symbols "saffron", "jewel", "lantern", "green".
_PARTY_WORDS = ("party", "parties", "team", "camp", "brigade", "wave", "supporters", "tshogpa")
_PARTY_WORDS_DZ = ("ཚོགས་པ",)
# Party words that make a symbol a name by themselves; "team" and "camp" are also sport and vet camps.
_SIDE_WORDS = ("party", "parties", "brigade", "wave", "supporters", "tshogpa")


def _derived_symbols(parties: Iterable[Party], colours_dz: dict[str, list[str]]) -> list[str]:
    """A party's colours and emojis as configured, the word a configured name pairs with a party word
    ("saffron" of "saffron party", "lantern" of "lantern party" and of the nickname "the lanterns"),
    and the Dzongkha forms of its colours (``colours_dz``: maroon, དམར་སྨུག). A symbol is a side only
    where votes or support are asked for it ("Vote saffron."), or written with a party word."""
    out: list[str] = []
    for party in parties:
        names = {n.lower() for n in (party.name, *party.names)}
        forms = list(party.symbols)
        for name in party.names:
            words = name.split()
            if len(words) != 2 or not words[0].isalpha() or not words[0].isascii():
                continue
            if words[1].lower() in _PARTY_WORDS and words[0].lower() not in _GENERIC_NAME_WORDS | {"the"}:
                forms.append(words[0].lower())
            elif words[0].lower() == "the" and words[1].lower().endswith("s") and len(words[1]) > 4:
                forms.append(words[1].lower()[:-1])
        core = _dzongkha_core(party.name_dz)
        forms = [f for f in forms if f.lower() not in names] + ([core] if core else [])
        forms += [dz for f in forms for dz in colours_dz.get(f.lower(), ())]
        out += forms
    return list(dict.fromkeys(out))


def _symbol_side_pattern(symbols: Iterable[str]) -> re.Pattern[str] | None:
    """A symbol written with a party word is a name: "the yellow team", "saffron brigade", "🟠 ཚོགས་པ"."""
    forms = sorted({s.replace("\ufe0f", "") for s in symbols}, key=len, reverse=True)
    if not forms:
        return None
    alternation = "|".join(re.escape(f) + ("" if any(ch.isalpha() for ch in f) else "\ufe0f?") for f in forms)
    words = "|".join(_SIDE_WORDS)
    dzongkha = "|".join(_tibetan_words(w) for w in _PARTY_WORDS_DZ)
    return re.compile(rf"(?<![\w\u0f40-\u0fbc])(?:{alternation})[\s\u0f0b]*(?:(?:{words})\b|{dzongkha})", re.IGNORECASE)


# Bhutanese names are made of a small set of given-name words, each with a fixed Dzongkha spelling
# (config ``name_syllables_dz``); titles come before the name and are left out.
_TITLES = frozenset({"dasho", "lyonpo", "lyonchhen", "aum", "ap", "dr", "dr.", "mr", "mrs", "ms"})


def _dzongkha_names(candidates: Iterable[str], syllables: dict[str, list[str]]) -> re.Pattern[str] | None:
    """Candidates imported without their Dzongkha name ("Ugyen Dorji") in Dzongkha script
    (ཨུ་རྒྱན་རྡོ་རྗེ or ཨོ་རྒྱན་རྡོ་རྗེ): the name's words spelt from the table, joined by tshegs or spaces,
    when every word is in it and the name has two words at least."""
    alternatives = []
    for candidate in candidates:
        words = [w for w in candidate.lower().split() if w not in _TITLES]
        if len(words) < 2 or not all(w in syllables for w in words):
            continue
        parts = ["(?:" + "|".join(_tibetan_words(s) for s in syllables[w]) + ")" for w in words]
        alternatives.append("[\u0f0b\\s]*".join(parts))
    if not alternatives:
        return None
    names = "|".join(sorted(alternatives, key=len, reverse=True))
    # The title Dasho (དྲག་ཤོས) before a name belongs to it: "དྲག་ཤོས་ཀརྨ་དབང་ཕྱུག" is one person, no praise.
    return re.compile(rf"(?<![\u0f40-\u0fbc])(?:{_tibetan_words('དྲག་ཤོས')}[\u0f0b\s]*)?(?:{names})")


def _tibetan_words(spelling: str) -> str:
    return "[\u0f0b\\s]*".join(re.escape(s) for s in spelling.split("\u0f0b") if s)


# "V.O.T.E  K.U.E.N.P.H.E.N", "v o t e d k p": single letters with one separator between them.
_SPELLED = re.compile(r"(?<![\w.])[A-Za-z](?P<sep>\.\s?|\s|[-*_·])(?:[A-Za-z](?P=sep)){1,}[A-Za-z]\.?(?![\w])")
_SPELLED_VOTES = frozenset({"vote", "votes", "elect", "support", "choose"})


def _spelled_out(text: str) -> list[tuple[int, int, str]]:
    """Words spelt letter by letter to slip past a check: (start, end, the word squashed, lower-cased)."""
    return [(m.start(), m.end(), _squash(m.group())) for m in _SPELLED.finditer(text)]


def _spelled_vote(text: str, named: list[tuple[int, int]]) -> list[SideFinding]:
    """ "V.O.T.E K.U.E.N.P.H.E.N": a vote word spelt out before a side named (spelt out or not)."""
    out = []
    for start, end, word in _spelled_out(text):
        if word in _SPELLED_VOTES:
            after = [b for a, b in named if a >= end and a - end <= 12]
            if after:
                out.append(SideFinding("political.canvassing", start, after[0]))
        elif any(word.startswith(v) for v in _SPELLED_VOTES) and (start, end) in named:
            out.append(SideFinding("political.canvassing", start, end))  # "v o t e d k p" in one run
    return out


# Leetspeak: a digit between two Latin letters stands for the letter it looks like ("v0te f0r", "s3mkyid").
# One character for one, so spans stay those of the text as written.
_LEET = re.compile(r"(?<=[A-Za-z])[013457@$](?=[A-Za-z])")
_LEET_LETTERS = str.maketrans("013457@$", "oieastas")


def deleet(prepared: Prepared) -> Prepared:
    """The text with digits inside Latin words read as the letters they look like, for the sides check
    only (the personal-data check needs the digits as written)."""
    if not _LEET.search(prepared.norm):
        return prepared
    norm = _LEET.sub(lambda m: m.group().translate(_LEET_LETTERS), prepared.norm)
    tokens = tuple((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm))
    return Prepared(prepared.original, norm, tokens, tuple(t.lower() for _, _, t in tokens))


def _dzongkha_core(name_dz: str) -> str:
    """ "ཀུན་ཕན" of འབྲུག་ཀུན་ཕན་ཚོགས་པ: a Dzongkha name without "Druk", "the people's" and ཚོགས་པ, as
    people chant it (ཀུན་ཕན་ལུ་ ཚོགས་རྒྱན་བཙུགས). Often an everyday word too ("benefit for all"), so a
    symbol: a side where votes or support are asked for it. Two syllables at least."""
    name = name_dz.strip().rstrip("\u0f0d").strip("\u0f0b")
    for prefix in ("འབྲུག་", "མི་སེར་"):
        name = name.removeprefix(prefix)
    name = name.removesuffix("ཚོགས་པ").strip("\u0f0b")
    return name if name.count("\u0f0b") >= 1 and name != name_dz.strip() else ""


# Symbols of two parties set against each other: "Compare the record: 🩵 vs 🧡", "💜 le bay mi, 🪷 kha rkyang",
# "ཚོགས་པ་གཉིས་ ག་བསྡུར་ འབད་བལྟ། 💜 … 🪷 …": a comparison word, or "vs" with a judgement.
_COMPARE = re.compile(r"\bcompar\w*|ག་བསྡུར|\bga\s*dur\b", re.IGNORECASE)
_VERSUS = re.compile(r"(?<!\w)(?:vs\.?|versus)(?!\w)", re.IGNORECASE)
_JUDGED = re.compile(
    r"\b(?:better|worse|wins?|winner|deliver\w*|talks?|only\s+promises?|kha\s*r?kyang\w*|real\s+work)\b|ཁ་རྐྱང",
    re.IGNORECASE,
)


def _symbols_compared(text: str, party_symbols: tuple[re.Pattern[str], ...]) -> list[SideFinding]:
    """Two parties shown by their colours or emojis and compared ("🩵 vs 🧡. We all know who wins"): the
    comparison takes a side though no party is named. A ballot list of symbols compares nothing."""
    found = [m for m in (p.search(text) for p in party_symbols) if m is not None]
    if len(found) < 2:
        return []
    compared = _COMPARE.search(text) or (_JUDGED.search(text) if _VERSUS.search(text) else None)
    if compared is None:
        return []
    spans = [(m.start(), m.end()) for m in found] + [(compared.start(), compared.end())]
    return [SideFinding("political.comparison", min(a for a, _ in spans), max(b for _, b in spans))]


# "one party built 12 hostels and the other only talks", "Two parties promise, one delivers": sides left
# unnamed and one shown as all talk.
_ONE_AGAINST_THE_OTHER = re.compile(
    r"\bone\s+(?:party|side|candidate|team|tshogpa|government)\b[^.!?\n]{0,80}?\b(?:the\s+)?others?(?:\s+one)?"
    r"\s+(?:only|just|merely|still|all)\s+(?:talks?|promises?|makes\s+promises|talk)\b"
    r"|\b(?:two|both|the\s+other)\s+(?:parties|sides|candidates)\s+promise\w*\W+(?:only\s+)?one\s+delivers\b",
    re.IGNORECASE,
)


def _one_against_the_other(text: str) -> list[SideFinding]:
    return _first_match(_ONE_AGAINST_THE_OTHER, "political.comparison", text)


def _first_match(pattern: re.Pattern[str], rule: str, text: str) -> list[SideFinding]:
    """The pattern's first match in the text as a finding of ``rule``, or none."""
    m = pattern.search(text)
    return [SideFinding(rule, m.start(), m.end())] if m else []


# "our party's idea", "my party's pledge card": the account speaking as a party's own.
_OUR_PARTYS = re.compile(
    r"\b(?:our|my)\s+party(?:'s|’s|\s+gi|\s+ki)\s+(?:[\w-]+\s+){0,2}?(?:idea|ideas|pledge\w*|manifesto\w*|promise\w*|"
    r"polic(?:y|ies)|candidates?|government|win|victory|plan|plans|vision|agenda|record|achievement\w*|work|scheme)\b",
    re.IGNORECASE,
)


def _our_partys(text: str) -> list[SideFinding]:
    """An agency account calling a party's idea, pledge or candidate "our party's": it speaks as that party."""
    return _first_match(_OUR_PARTYS, "political.endorsement", text)


# "gewogs that stood with us last election", "those who voted for us": the account's own side's people.
_OUR_FOLLOWERS = re.compile(
    r"\b(?:that|who|which|those)\s+(?:stood\s+(?:with|by)|voted\s+(?:for|with)|supported|backed|sided\s+with|"
    r"campaigned\s+for)\s+us\b",
    re.IGNORECASE,
)


def _favoured_our_side(text: str, hits: dict[str, list[tuple[int, int, Cue]]]) -> list[SideFinding]:
    """Something given first or only to those who stood with "us" (a favour in the same sentence or the next):
    the agency's means spent on its side's people, the side being the account's own."""
    m = _OUR_FOLLOWERS.search(text)
    if m is None:
        return []
    sentences = _sentences(text)
    s_start, s_end = _sentence_of(sentences, m.start())
    if _NEGATION_WORD.search(text, s_start, s_end):
        return []
    before = _sentence_of(sentences, max(0, s_start - 1))[0]
    reach = _sentence_of(sentences, s_end)[1]
    favour = next((h for h in hits["favour"] if before <= h[0] < reach), None)
    if favour is None:
        return []
    return [SideFinding(FAVOUR_RULE, min(favour[0], m.start()), max(favour[1], m.end()))]


# A title before a person's name: "Lopen Pelzang", "Aum Jamtho", "Dasho …".
_PERSON_TITLE = re.compile(
    r"\b(?:lopen|lopon|aum|ap|dasho|dr|mr|mrs|ms|miss|madam|sir|teacher|principal|lam|lama|ashi|azhi|gup|mangmi|"
    r"drungpa|nurse|driver|student|pupil|ama|apa|meme|abi|angay)\.?\s+$",
    re.IGNORECASE,
)
# A capitalised word right after: the short name begins a longer proper name ("Pelzang Dance Troupe").
_PROPER_NEXT = re.compile(r"\s+([A-Z][a-z]+)\b")
# Words that make such a longer name still the party's: "Pelzang Party", "Pelzang Rally", "Pelzang Youth".
_SIDE_NAME_WORDS = frozenset(
    {
        "party",
        "tshogpa",
        "front",
        "alliance",
        "rally",
        "campaign",
        "candidate",
        "candidates",
        "manifesto",
        "team",
        "supporters",
        "volunteers",
        "government",
        "govt",
        "youth",
        "wing",
        "office",
        "president",
        "members",
        "member",
        "convention",
        "leader",
        "leaders",
        "pledge",
        "promise",
        "promises",
        "policy",
        "for",
        "is",
        "will",
        "has",
        "can",
        "did",
        "won",
        "wins",
        "the",
        "and",
        "or",
        "ga",
        "gi",
        "lu",
    }
)
