"""A name in any script, read as the set of its possible Korean readings.

The pivot is the Korean reading, never pinyin or one romanization: a Chinese official picks
characters by sound (수 as 秀, 洙 or 寿), so only the reading survives every writer. Each reading
becomes a folded Latin skeleton in which the romanization systems (RR, McCune-Reischauer with or
without breves, the DPRK's own, passport spellings) coincide; see the project's research notes
on cross-script name matching.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from typing import NamedTuple

from asylon.matching.pinyin_readings import READINGS, given_readings
from asylon.matching.surnames import SURNAMES, Surname
from asylon.matching.unihan import HANGUL_READINGS, TRADITIONAL

_INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_VOWELS = (
    *("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae"),
    *("oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"),
)
_FINALS = (
    *("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l"),
    *("p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"),
)
_IOTIZED = frozenset({2, 3, 6, 7, 12, 17, 20})  # ya yae yeo ye yo yu i: the initial-sound law's vowels
_RIEUL, _NIEUN, _IEUNG = 5, 2, 11
# A guess whose syllables sum to more than this many places down their lists is too rare to count.
MAX_RANK = 4
MAX_KEYS = 96  # a pinyin given name can be read many ways; beyond this the key adds noise, not recall

_FOLD = re.compile(r"tch|ch|sh|kh|th|ph|rh|wh|ng|eo|eu|oo|ee|ae|ai|oi|wo|ou|ui|yi|[a-z]")
_FOLDED = {
    **{"tch": "c", "ch": "c", "j": "c", "sh": "s", "kh": "k", "g": "k", "th": "t", "d": "t", "ph": "p", "b": "p"},
    **{"rh": "l", "r": "l", "wh": "hw", "ng": "N", "eo": "o", "eu": "u", "oo": "u", "ee": "i", "ae": "e"},
    **{"ai": "e", "oi": "oe", "wo": "o", "ou": "o", "ui": "i", "yi": "i", "f": "p", "v": "p"},
}


def is_hangul_syllable(char: str) -> bool:
    return "가" <= char <= "힣"


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def strip_marks(text: str) -> str:
    """Breves and accents off, Hangul intact: NFD splits 김 into jamo, so recompose after."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def initial_law(syllable: str) -> str:
    """The South's initial-sound law on one Hangul syllable: 리→이, 림→임, 로→노, 량→양."""
    index = ord(syllable) - 0xAC00
    initial, vowel, final = index // 588, (index % 588) // 28, index % 28
    if initial == _RIEUL:
        initial = _IEUNG if vowel in _IOTIZED else _NIEUN
    elif initial == _NIEUN and vowel in _IOTIZED:
        initial = _IEUNG
    return chr(0xAC00 + initial * 588 + vowel * 28 + final)


def south(hangul: str) -> str:
    """A name part in the South's spelling: the law applies to its first syllable only."""
    return initial_law(hangul[0]) + hangul[1:] if hangul and is_hangul_syllable(hangul[0]) else hangul


def romanize(hangul: str) -> str:
    """Revised Romanization syllable by syllable, without sound changes between syllables."""
    out = []
    for char in hangul:
        if not is_hangul_syllable(char):
            continue
        index = ord(char) - 0xAC00
        out.append(_INITIALS[index // 588] + _VOWELS[(index % 588) // 28] + _FINALS[index % 28])
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def fold(latin: str) -> str:
    """A romanization-neutral skeleton: Jong Un, Jeong-eun and Chŏngŭn all become coNun."""
    letters = "".join(c for c in strip_marks(latin).lower() if "a" <= c <= "z")
    folded = "".join(_FOLDED.get(m, m) for m in _FOLD.findall(letters))
    # 춘길 is chungil run together but Chun Kil apart, so n before a k sound is ng either way; a
    # doubled n before ng is a slip (Jonng); passports write 정 and 성 Jung and Sung.
    folded = re.sub(r"(.)\1+", r"\1", folded).replace("nk", "N").replace("nN", "N").replace("uN", "oN")
    if len(folded) > 1 and folded[0] in "ln" and folded[1] in "iy":
        folded = folded[1:]
    elif folded.startswith("l"):
        folded = "n" + folded[1:]
    return folded


_COARSE = str.maketrans("eu", "oo", "w")


def coarse(key: str) -> str:
    """For blocking and the `vowels` level: 어/오/우/으/애/에 and w-glides merged (Jung 정 beside
    Jong)."""
    return key.translate(_COARSE)


class Reading(NamedTuple):
    """One way to read a name: surname and given name as folded skeletons (a tuple: a million
    records make millions of them)."""

    surname: str
    given: str

    @property
    def key(self) -> str:
        return f"{self.surname}|{self.given}"


def _by_hangul() -> dict[str, Surname]:
    index: dict[str, Surname] = {}
    for entry in SURNAMES:
        index[entry.hangul] = entry
        index[entry.north] = entry
    return index


def _by_hanzi() -> dict[str, list[Surname]]:
    index: dict[str, list[Surname]] = {}
    for entry in SURNAMES:
        chars = entry.hanzi
        step = len(entry.hangul)
        for i in range(0, len(chars), step):
            index.setdefault(chars[i : i + step], []).append(entry)
    return index


def _by_latin() -> dict[str, list[Surname]]:
    index: dict[str, list[Surname]] = {}
    for entry in SURNAMES:
        spellings = {*entry.latin, romanize(entry.hangul), romanize(entry.north)}
        for spelling in spellings:
            bucket = index.setdefault(fold(spelling), [])
            if entry not in bucket:
                bucket.append(entry)
    return index


def _by_pinyin() -> dict[str, list[Surname]]:
    index: dict[str, list[Surname]] = {}
    for entry in SURNAMES:
        for spelling in entry.pinyin:
            index.setdefault(spelling, []).append(entry)
    return index


def _by_slip(known: dict[str, list[Surname]]) -> dict[str, list[Surname]]:
    """Surnames by their Latin spellings with one letter dropped (Km, Pk, Hwng, Sog), where that
    is no surname itself; a doubled letter (Jungg, Choee) is undone before looking here."""
    index: dict[str, list[Surname]] = {}
    for entry in SURNAMES:
        for spelling in sorted({*entry.latin, romanize(entry.hangul), romanize(entry.north)}):
            for cut in range(len(spelling)):
                slip = fold(spelling[:cut] + spelling[cut + 1 :])
                bucket = index.setdefault(slip, []) if len(slip) > 1 and slip not in known else []
                if entry not in bucket:
                    bucket.append(entry)
    return {slip: entries for slip, entries in index.items() if entries}


BY_HANGUL = _by_hangul()
BY_HANZI = _by_hanzi()
BY_LATIN = _by_latin()
BY_PINYIN = _by_pinyin()
BY_SLIP = _by_slip(BY_LATIN)


@functools.cache
def surname_key(entry: Surname) -> str:
    return fold(romanize(entry.hangul))


@functools.lru_cache(maxsize=65536)
def given_key(hangul: str) -> str:
    return fold(romanize(south(hangul)))


# Simplified characters that Unihan reads in an obsolete right of their own (广 엄, 胜 성, 园 완)
# where every Chinese writer means the traditional character (廣 광, 勝 승, 園 원); 尚 has no
# Korean reading listed at all, Korea writes it 尙.
_TRADITIONAL_MEANT = {
    **{"广": "廣", "园": "園", "胜": "勝", "尚": "尙", "叶": "葉"},
    **{"听": "聽", "体": "體", "机": "機", "价": "價", "适": "適"},
}


def hangul_readings(char: str) -> str:
    """Every Korean reading of one character, primary first, from Unihan's kHangul; a simplified
    character is read through its traditional form (the tables rarely list simplified ones)."""
    traditional = _TRADITIONAL_MEANT.get(char) or TRADITIONAL.get(char, char)
    return HANGUL_READINGS.get(traditional) or HANGUL_READINGS.get(char, "")


@functools.lru_cache(maxsize=65536)
def read_hanzi(chars: str) -> str:
    """Hanzi to Hangul, one primary reading a character (金 is 금 here; surnames.py says 김 for the
    surname). No initial-sound law: given_key applies it to the first syllable of a name part."""
    return "".join(reading[0] for reading in map(hangul_readings, chars) if reading)


def _readings_from_hangul(text: str) -> set[Reading]:
    tokens = [t for t in re.split(r"[\s·.,-]+", text) if t]
    if len(tokens) > 1 and tokens[0] not in BY_HANGUL and tokens[-1] in BY_HANGUL:
        tokens = [tokens[-1], *tokens[:-1]]  # given name first
    joined = "".join(tokens)
    splits = []
    for entry in SURNAMES:
        if len(entry.hangul) == 2 and len(joined) >= 3 and joined[:2] == entry.hangul:
            splits.append((entry.hangul, joined[2:]))
    if not splits or len(joined) == 3:
        splits.append((joined[:1], joined[1:]))
    out = set()
    for sur, given in splits:
        known = BY_HANGUL.get(sur)
        key = surname_key(known) if known else fold(romanize(south(sur)))
        out.add(Reading(key, given_key(given) if given else ""))
    return out


def _readings_from_hanzi(text: str) -> set[Reading]:
    joined = _NOT_HAN.sub("", text)
    out: set[Reading] = set()
    for size in (2, 1):
        for entry in BY_HANZI.get(joined[:size], []) if len(joined) > size else []:
            out.add(Reading(surname_key(entry), given_key(read_hanzi(joined[size:]))))
    if not out and joined:
        reading = read_hanzi(joined)
        if reading:
            out.add(Reading(given_key(reading[:1]), given_key(reading[1:])))
    return out


def _undoubled(letters: str) -> str:
    return re.sub(r"(.)\1+", r"\1", letters)


@functools.lru_cache(maxsize=8192)
def pinyin_splits(token: str) -> tuple[tuple[str, ...], ...]:
    """Every way to cut a toneless pinyin token into syllables (xian is xi'an or xian)."""
    if not token:
        return ((),)
    out: list[tuple[str, ...]] = []
    for end in range(min(6, len(token)), 0, -1):
        head = token[:end]
        if head in READINGS and any(v in head for v in "aeiouv"):  # not the interjections n, ng, m
            out.extend((head, *rest) for rest in pinyin_splits(token[end:]))
    return tuple(sorted(out, key=len)[:3])


@functools.lru_cache(maxsize=65536)
def _guesses(surnames: tuple[str, ...], given: str) -> frozenset[Reading]:
    givens = _pinyin_given_keys(given)
    return frozenset(Reading(s, g) for s in surnames for g in givens)


@functools.lru_cache(maxsize=65536)
def _pinyin_given_keys(joined: str) -> frozenset[str]:
    """The Korean readings a pinyin given name can have, likeliest first up to MAX_KEYS: every
    reading of every syllable, ranked by how common each reading is for its syllable in names,
    and none whose ranks add up past MAX_RANK."""
    ranked: list[tuple[int, str]] = []
    # A slip that doubles a letter (ZHAOO, CHUNN) leaves no syllables; pinyin doubles none.
    splits = pinyin_splits(joined) or pinyin_splits(_undoubled(joined))
    for split in splits:
        # Past the tenth reading of a syllable the characters are rare in names.
        choices = [list(enumerate(given_readings(s)[:10])) for s in split]
        if math.prod(len(c) for c in choices) > 1000:
            choices = [c[:5] for c in choices]
        ranked.extend(
            (sum(rank for rank, _ in combo), "".join(syllable for _, syllable in combo))
            for combo in itertools.product(*choices)
        )
    ranked.sort()
    keys: set[str] = set()
    for rank, hangul in ranked:
        if rank > MAX_RANK:
            break
        keys.add(given_key(hangul))
        if len(keys) >= MAX_KEYS:
            break
    return frozenset(keys)


def _readings_from_latin(text: str, hint: str | None) -> tuple[set[Reading], set[Reading]]:
    """Readings as written, and readings guessed from pinyin (a Chinese list copied in Latin)."""
    tokens = [t.lower() for t in re.split(r"[\s,]+", strip_marks(text)) if t]
    tokens = [re.sub(r"[^a-z-]", "", t) for t in tokens]
    tokens = [t for t in tokens if t.strip("-")]
    out: set[Reading] = set()
    guessed: set[Reading] = set()
    if not tokens:
        return out, guessed
    if len(tokens) == 1:
        parts = tokens[0].split("-")
        tokens = parts if len(parts) > 1 else tokens
    orders = [(tokens[0], tokens[1:])]
    if len(tokens) > 1 and "-" not in tokens[-1]:
        orders.append((tokens[-1], tokens[:-1]))
    if len(tokens) == 2 and "-" in tokens[0] and "-" not in tokens[1]:
        orders = [(tokens[1], tokens[:1])]  # Jun-dong Km: a hyphenated token is a given name
    if len(tokens) > 2 and any(len(e.hangul) == 2 for e in BY_LATIN.get(fold(tokens[0] + tokens[1]), [])):
        orders.insert(0, (tokens[0] + tokens[1], tokens[2:]))  # Hwang Po Hye Hak: the North spells 황보 apart
    written = [
        fold(plain) in BY_LATIN or (hint != "latin" and (plain in BY_PINYIN or _undoubled(plain) in BY_PINYIN))
        for plain in (sur.replace("-", "") for sur, _ in orders)
    ]
    for k, (sur, rest) in enumerate(orders):
        plain = sur.replace("-", "")
        entries = BY_LATIN.get(fold(plain), [])
        # A token is read as a surname with a slip in it only where no token is a surname as
        # written, or where it comes first of three or more (the North's Pak Tong Gu).
        if not written[k] and (not any(written) or (k == 0 and len(tokens) > 2)):
            entries = BY_LATIN.get(fold(_undoubled(plain))) or BY_SLIP.get(fold(plain), [])
        pinyin_entries = BY_PINYIN.get(plain) or BY_PINYIN.get(_undoubled(plain), []) if hint != "latin" else []
        if sur is tokens[-1] and len(orders) > 1 and not entries and not pinyin_entries:
            continue  # a last token that is no surname is a given-name syllable
        given = fold("".join(rest))
        for entry in entries or pinyin_entries:
            out.add(Reading(surname_key(entry), given))
        if not entries and not pinyin_entries:
            out.add(Reading(fold(plain), given))
        if (pinyin_entries and hint != "written") or hint == "pinyin":
            sur_keys = tuple(surname_key(e) for e in pinyin_entries) or (fold(plain),)
            guessed |= _guesses(sur_keys, "".join(t.replace("-", "") for t in rest))
    return out, guessed - out


_HANGUL_OR_HAN = re.compile("[가-힣\u3400-\u9fff\uf900-\ufaff]")
_NOT_HAN = re.compile("[^\u3400-\u9fff\uf900-\ufaff]+")
_NOT_HANGUL_OR_SPACE = re.compile(r"[^가-힣\s]+")


def script_of(text: str) -> str:
    """The script of the first Hangul syllable or Chinese character; Latin if there is none."""
    found = _HANGUL_OR_HAN.search(text)
    if found is None:
        return "latin"
    return "hangul" if is_hangul_syllable(found.group()) else "hanzi"


@functools.lru_cache(maxsize=262144)
def reading_sets(name: str, hint: str | None = None) -> tuple[frozenset[Reading], frozenset[Reading]]:
    """The readings a name has as written, and those only guessed from pinyin: JIN ZHENGEN may
    be 김정은 or any other name whose characters are read jin zheng en. The guesses are many, so
    they count as weaker evidence than a reading of the name itself."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        return frozenset(), frozenset()
    script = script_of(text)
    if script == "hangul":
        hangul = _NOT_HANGUL_OR_SPACE.sub("", text)
        return frozenset(_readings_from_hangul(hangul)), frozenset()
    if script == "hanzi":
        return frozenset(_readings_from_hanzi(text)), frozenset()
    written, guessed = _readings_from_latin(text, hint)
    return frozenset(written), frozenset(guessed)


def readings(name: str, hint: str | None = None) -> frozenset[Reading]:
    """Every plausible (surname, given name) reading of a name, as folded skeletons."""
    written, guessed = reading_sets(name, hint)
    return written | guessed


@functools.lru_cache(maxsize=262144)
def hangul_forms(name: str) -> frozenset[str]:
    """The name in Hangul, South spelling, where the writer gave Hangul or characters: two such
    forms that differ are different names even when their romanizations fold together (원정 and
    원청, 미복 and 미옥 are siblings' names, not spellings of one)."""
    text = unicodedata.normalize("NFC", name)
    script = script_of(text)
    if script == "hangul":
        tokens = [t for t in re.split(r"[\s·.,-]+", _NOT_HANGUL_OR_SPACE.sub("", text)) if t]
        if len(tokens) > 1 and tokens[0] not in BY_HANGUL and tokens[-1] in BY_HANGUL:
            tokens = [tokens[-1], *tokens[:-1]]
        joined = "".join(tokens)
        size = 2 if len(joined) >= 4 and joined[:2] in BY_HANGUL else 1
        surname = BY_HANGUL.get(joined[:size])
        return frozenset({(surname.hangul if surname else south(joined[:size])) + south(joined[size:])})
    if script == "hanzi":
        joined = _NOT_HAN.sub("", text)
        out = set()
        for size in (2, 1):
            for entry in BY_HANZI.get(joined[:size], []) if len(joined) > size else []:
                out.add(entry.hangul + south(read_hanzi(joined[size:])))
        return frozenset(out)
    return frozenset()


def keys(name: str, hint: str | None = None) -> frozenset[str]:
    """The canonical keys of a name: `surname|given` skeletons, and `H:` + the Hangul where known."""
    out = {r.key for r in readings(name, hint)}
    text = unicodedata.normalize("NFC", name)
    if script_of(text) == "hangul":
        joined = "".join(c for c in text if is_hangul_syllable(c))
        entry = BY_HANGUL.get(joined[:2]) if len(joined) >= 4 else None
        size = 2 if entry else 1
        sur = BY_HANGUL.get(joined[:size])
        out.add("H:" + (sur.hangul if sur else south(joined[:size])) + south(joined[size:]))
    return frozenset(out)
