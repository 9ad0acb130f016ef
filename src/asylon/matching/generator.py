"""Synthetic registrations with known duplicates: every writer, script and slip we have seen.

Deterministic by seed, standard library only. Three writers (a Chinese official, a partner NGO,
an interviewer), homophone characters, both orthographies, partial and swapped dates, and the hard
negatives: households whose members share surname, place and a generation syllable, and twins.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from asylon.matching.names import initial_law, is_hangul_syllable, romanize
from asylon.matching.places import COUNTIES, PROVINCES
from asylon.matching.surnames import SURNAMES, Surname

# Given-name syllables in the North's spelling, with characters an official may pick for the sound.
SYLLABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "정": (("正", "zheng"), ("贞", "zhen"), ("定", "ding"), ("廷", "ting")),
    "은": (("恩", "en"), ("银", "yin"), ("殷", "yin")),
    "철": (("哲", "zhe"), ("铁", "tie"), ("喆", "zhe")),
    "영": (("英", "ying"), ("永", "yong"), ("荣", "rong")),
    "수": (("秀", "xiu"), ("洙", "zhu"), ("寿", "shou")),
    "희": (("姬", "ji"), ("熙", "xi"), ("喜", "xi")),
    "민": (("民", "min"), ("敏", "min"), ("珉", "min")),
    "성": (("成", "cheng"), ("圣", "sheng"), ("星", "xing")),
    "광": (("光", "guang"),),
    "명": (("明", "ming"), ("鸣", "ming")),
    "일": (("日", "ri"), ("一", "yi")),
    "혁": (("赫", "he"),),
    "진": (("镇", "zhen"), ("珍", "zhen"), ("真", "zhen"), ("进", "jin")),
    "현": (("贤", "xian"), ("玄", "xuan"), ("炫", "xuan")),
    "호": (("浩", "hao"), ("虎", "hu"), ("镐", "hao")),
    "준": (("俊", "jun"), ("峻", "jun")),
    "미": (("美", "mei"),),
    "옥": (("玉", "yu"),),
    "순": (("顺", "shun"), ("淳", "chun")),
    "남": (("男", "nan"), ("南", "nan")),
    "혜": (("惠", "hui"), ("慧", "hui")),
    "경": (("京", "jing"), ("庆", "qing"), ("敬", "jing")),
    "숙": (("淑", "shu"),),
    "향": (("香", "xiang"),),
    "금": (("锦", "jin"), ("琴", "qin")),
    "룡": (("龙", "long"),),
    "용": (("勇", "yong"), ("容", "rong")),
    "국": (("国", "guo"),),
    "학": (("学", "xue"),),
    "동": (("东", "dong"),),
    "복": (("福", "fu"),),
    "송": (("松", "song"),),
    "란": (("兰", "lan"),),
    "련": (("莲", "lian"), ("连", "lian")),
    "림": (("林", "lin"),),
    "리": (("里", "li"), ("利", "li"), ("理", "li")),
    "녀": (("女", "nv"),),
    "애": (("爱", "ai"),),
    "선": (("善", "shan"), ("仙", "xian"), ("先", "xian")),
    "춘": (("春", "chun"),),
    "화": (("花", "hua"), ("华", "hua")),
    "설": (("雪", "xue"),),
    "주": (("珠", "zhu"), ("柱", "zhu"), ("周", "zhou")),
    "석": (("石", "shi"), ("锡", "xi")),
    "훈": (("勋", "xun"),),
    "원": (("元", "yuan"), ("远", "yuan")),
    "만": (("万", "wan"),),
    "길": (("吉", "ji"),),
    "봉": (("凤", "feng"),),
    "심": (("心", "xin"),),
    "덕": (("德", "de"),),
    "윤": (("润", "run"),),
    "태": (("泰", "tai"),),
    "기": (("基", "ji"), ("起", "qi")),
    "하": (("夏", "xia"), ("河", "he")),
    "지": (("智", "zhi"), ("志", "zhi")),
    "충": (("忠", "zhong"),),
    "청": (("青", "qing"),),
}
_SYLLABLE_LIST = tuple(SYLLABLES)


@dataclass
class Person:
    person_id: int
    household_id: int
    surname: Surname
    given: str  # Hangul, the North's spelling
    sex: str
    born: date
    province: str
    county: str
    chars: tuple[int, ...] = field(default=())  # the official's usual character per syllable


@dataclass(frozen=True)
class Registration:
    record_id: str
    person_id: int
    household_id: int
    source: str
    name: str
    name_alt: str
    sex: str
    dob: str
    province: str
    county: str
    unit: str
    scripts: str  # how the name was written: hanzi, hangul, rr, mr, dprk, english, pinyin


# McCune-Reischauer and DPRK spellings of initials and vowels (index order of Unicode Hangul).
_MR_INITIALS = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
)
_MR_VOICED = {"k": "g", "t": "d", "p": "b", "ch": "j"}
_MR_VOWELS = (
    *("a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae"),
    *("oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"),
)
_MR_FINALS: tuple[str, ...] = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l")
_MR_FINALS += ("p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")
_DPRK_INITIALS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h")


def _syllable_parts(char: str) -> tuple[int, int, int]:
    index = ord(char) - 0xAC00
    return index // 588, (index % 588) // 28, index % 28


def mccune_reischauer(hangul: str, breves: bool = True) -> str:
    out, previous_final = [], -1
    for char in hangul:
        initial, vowel, final = _syllable_parts(char)
        head = _MR_INITIALS[initial]
        if previous_final in (0, 4, 8, 16, 21) and head in _MR_VOICED:
            head = _MR_VOICED[head]  # voiced between vowels and after n, l, m, ng
        out.append(head + _MR_VOWELS[vowel] + _MR_FINALS[final])
        previous_final = final
    text = "".join(out)
    return (
        text
        if breves
        else unicodedata.normalize(
            "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        ).replace("'", "")
    )


def dprk(hangul: str) -> str:
    """The North's own: syllables apart, aspirates as kh/th/ph, ŏ and ŭ written plain."""
    out = []
    for char in hangul:
        initial, vowel, final = _syllable_parts(char)
        vowel_text = _MR_VOWELS[vowel].replace("ŏ", "o").replace("ŭ", "u")
        out.append((_DPRK_INITIALS[initial] + vowel_text + _MR_FINALS[final]).capitalize())
    return " ".join(out)


def english(hangul: str) -> str:
    """Passport habits: 영 Young, 희 Hee, 수 Soo, 정 Jung, 은 Eun, syllables hyphenated."""
    habits = {"yeong": "young", "hui": "hee", "su": "soo", "jeong": "jung", "seong": "sung", "yun": "yoon"}
    parts = [habits.get(romanize(c), romanize(c)) for c in hangul]
    return "-".join(parts).capitalize()


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha() and c.isascii()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    if rng.random() < 0.5:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311  # synthetic data, reproducible by seed
        self.weights = [s.share for s in SURNAMES]

    def _surname(self) -> Surname:
        return self.rng.choices(SURNAMES, self.weights)[0]

    def _given(self, generation: str | None) -> str:
        rng = self.rng
        if rng.random() < 0.08:
            return rng.choice(_SYLLABLE_LIST)
        other = rng.choice(_SYLLABLE_LIST)
        if generation is None:
            return rng.choice(_SYLLABLE_LIST) + other
        return generation + other if rng.random() < 0.5 else other + generation

    def _given_anew(self, generation: str | None, members: list[tuple[Surname, str, str, date]]) -> str:
        """A given name no one in the household has yet: twins named alike would be two people
        that no reader could tell apart, counted as the matcher's false positives."""
        given = self._given(generation)
        while any(given == member[1] for member in members):
            given = self._given(generation)
        return given

    def persons(self, count: int) -> list[Person]:
        rng, household = self.rng, 0
        out: list[Person] = []
        while len(out) < count:
            household += 1
            place = rng.choice(COUNTIES) if rng.random() < 0.6 else rng.choice(PROVINCES)
            province, county = place.province, place.code if place.code != place.province else ""
            surname, generation = self._surname(), rng.choice(_SYLLABLE_LIST)
            parents_born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 35))
            size = rng.choice((1, 1, 2, 3, 3, 4, 5))
            members = [(surname, self._given(None), "M", parents_born)]
            if size > 1:
                wife_born = parents_born + timedelta(days=rng.randrange(-1500, 1500))
                wife_surname = self._surname()
                members.append((wife_surname, self._given_anew(None, members), "F", wife_born))
            twins = size >= 4 and rng.random() < 0.15
            child_born = parents_born + timedelta(days=365 * 24 + rng.randrange(3000))
            for k in range(size - 2):
                if not (twins and k == 1):
                    child_born += timedelta(days=400 + rng.randrange(2000))
                members.append((surname, self._given_anew(generation, members), rng.choice("MF"), child_born))
            for sur, given, sex, born in members:
                chars = tuple(rng.randrange(len(SYLLABLES[g])) for g in given)
                out.append(Person(len(out) + 1, household, sur, given, sex, born, province, county, chars))
        return out[:count]

    def _hanzi(self, person: Person) -> tuple[str, str]:
        rng = self.rng
        chars, pinyin = [], []
        for syllable, usual in zip(person.given, person.chars, strict=True):
            options = SYLLABLES[syllable]
            pick = usual if rng.random() < 0.6 else rng.randrange(len(options))
            chars.append(options[pick][0])
            pinyin.append(options[pick][1])
        sur_chars = person.surname.hanzi
        step = len(person.surname.hangul)
        sur = sur_chars[:step]
        simplified = sur_chars[step : 2 * step] if len(sur_chars) > step and rng.random() < 0.7 else sur
        return simplified + "".join(chars), f"{person.surname.pinyin[0]} {''.join(pinyin)}".title()

    def register(self, person: Person, serial: int) -> Registration:
        rng = self.rng
        hangul_n = person.surname.north + person.given
        given_s = initial_law(person.given[0]) + person.given[1:]
        source = rng.choices(("official", "ngo", "interview"), (0.4, 0.25, 0.35))[0]
        sur_rr, given = romanize(person.surname.hangul), person.given
        name_alt, born = "", person.born
        if source == "official":
            name, pinyin = self._hanzi(person)
            name_alt, scripts = (pinyin if rng.random() < 0.8 else ""), "hanzi"
            sex = {"M": "男", "F": "女"}[person.sex]
        elif source == "ngo":
            roll, sex = rng.random(), person.sex
            if roll < 0.45:
                north = rng.random() < 0.5
                name = hangul_n if north else person.surname.hangul + given_s
                scripts = "hangul"
            elif roll < 0.9:
                sur, giv = person.surname.latin[0].capitalize(), english(given_s)
                name, scripts = (f"{giv} {sur}" if rng.random() < 0.3 else f"{sur} {giv}"), "english"
            else:
                _, pinyin = self._hanzi(person)
                name, scripts = pinyin.upper(), "pinyin"
        else:
            roll, sex = rng.random(), person.sex.lower()
            if roll < 0.4:
                name, scripts = f"{sur_rr.capitalize()} {romanize(given_s).capitalize()}", "rr"
            elif roll < 0.7:
                breves = rng.random() < 0.5
                sur_mr = mccune_reischauer(person.surname.hangul, breves).capitalize()
                name, scripts = f"{sur_mr} {mccune_reischauer(given, breves).capitalize()}", "mr"
            else:
                name, scripts = f"{dprk(person.surname.north)} {dprk(given)}", "dprk"
            name_alt = hangul_n if rng.random() < 0.3 else ""
        if not any(is_hangul_syllable(c) for c in name) and scripts != "hanzi" and rng.random() < 0.05:
            name = _typo(rng, name)
        slip = rng.random()
        if slip < 0.03:
            born += timedelta(days=rng.choice((-1, 1)))
        elif slip < 0.05:
            # A year off keeps the day; only 29 February is missing from the other year.
            leap_day = (born.month, born.day) == (2, 29)
            born = born.replace(year=born.year + rng.choice((-1, 1)), day=28 if leap_day else born.day)
        elif slip < 0.07:
            born += timedelta(days=rng.randrange(20, 50))  # a lunar-calendar birthday
        swap = rng.random() < 0.05 and born.day <= 12
        month, day = (born.day, born.month) if swap else (born.month, born.day)
        if source == "official":
            dob = f"{born.year}{month:02d}{day:02d}"
        elif source == "ngo":
            form = rng.random()
            dob = (
                f"{day:02d}/{month:02d}/{born.year}"
                if form < 0.5
                else (f"{month:02d}/{born.year}" if form < 0.8 else str(born.year))
            )
        else:
            dob = f"{born.year}-{month:02d}-{day:02d}"
        province, county = self._place(person, source)
        if rng.random() < 0.05:
            sex = ""
        return Registration(
            f"R{serial:07d}",
            person.person_id,
            person.household_id,
            source,
            name,
            name_alt,
            sex,
            dob,
            province,
            county,
            rng.choice(("SEL", "BKK", "ULN")),
            scripts,
        )

    def _place(self, person: Person, source: str) -> tuple[str, str]:
        rng = self.rng
        places = {p.code: p for p in (*PROVINCES, *COUNTIES)}
        out = []
        for code in (person.province, person.county):
            place = places.get(code)
            if place is None or rng.random() < 0.15:
                out.append("")
                continue
            spellings = (
                place.hanzi
                if source == "official"
                else (place.hangul if source == "ngo" and rng.random() < 0.5 else place.latin)
            )
            out.append(rng.choice(spellings))
        return out[0], out[1]


def generate(records: int, seed: int, dup_rate: float = 0.05) -> list[Registration]:
    """`records` registrations of about records × (1 − dup_rate) persons, in a shuffled order."""
    generator = Generator(seed)
    persons = generator.persons(round(records * (1 - dup_rate)))
    chosen = list(persons)
    while len(chosen) < records:
        chosen.append(generator.rng.choice(persons))
    generator.rng.shuffle(chosen)
    return [generator.register(person, i + 1) for i, person in enumerate(chosen)]
