"""A deterministic synthetic caseload: North Korean nationals detained in China.

The proportions follow the research notes (shared/research/rsd-anchors.md §5.1-5.5):
arrival statistics for sex, age and province; surname frequencies; the many ways one
Korean name is written (Hangul North and South, Hanja, Chinese police Hanzi and pinyin,
Revised Romanization, McCune-Reischauer, DPRK practice, passport spellings).

Every name is assembled from the syllable tables below, so no record describes a real
person; the leaders' names, banned in the DPRK itself (§5.2), are refused and redrawn.
Organisations and detention sites are invented. Standard library only, so the loader,
benchmarks and tests can use it without Django.
"""

from __future__ import annotations

import bisect
import gc
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random
from typing import Final, Generic, TypeVar

STAGES: Final = (
    "intake",
    "registered",
    "screened",
    "interview_scheduled",
    "interviewed",
    "assessment_drafted",
    "assessment_reviewed",
    "decided",
    "appeal_window",
    "appeal_lodged",
    "appeal_decided",
    "final",
    "closed",
    "withdrawn",
)

SPECIFIC_NEEDS: Final = (
    "child",
    "unaccompanied_child",
    "survivor_of_violence",
    "pregnancy",
    "disability",
    "older_person",
    "serious_medical_condition",
)

RELATIONS: Final = ("spouse", "child", "parent", "sibling")


@dataclass(frozen=True)
class NameVariant:
    text: str
    script: str  # ISO 15924: "Hang" | "Hani" | "Latn"
    romanization: str  # "" for Hang/Hani; "rr" | "mr" | "dprk" | "pinyin" | "passport"
    source: str  # "chinese_police" | "ngo" | "interview" | "self"
    is_primary: bool
    family_name: str
    given_name: str


@dataclass(frozen=True)
class DemoPerson:
    key: str
    names: tuple[NameVariant, ...]
    sex: str
    birth_year: int
    birth_month: int | None
    birth_day: int | None
    nationality: str
    languages: tuple[str, ...]
    specific_needs: tuple[str, ...]
    province: str
    fear_expressed: bool


@dataclass(frozen=True)
class DemoCase:
    key: str
    principal: str
    dependants: tuple[tuple[str, str], ...]
    channel: str
    detention_site: str | None
    detained_since: date | None
    target_stage: str
    processing_mode: str
    proposed_outcome: str
    appealed: bool


@dataclass(frozen=True)
class DemoAlert:
    key: str
    raised_by: str
    organisation: str
    person: str | None
    names_given: str
    site: str
    risk: str
    raised_on: date


@dataclass(frozen=True)
class Scenario:
    today: date
    persons: tuple[DemoPerson, ...]
    cases: tuple[DemoCase, ...]
    alerts: tuple[DemoAlert, ...]
    detention_sites: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Name tables

# Surnames. Hangul as written in the North, which keeps the word-initial ㄹ (리, 림, 류, 로,
# 량); the South Korean Hangul is derived by the initial-sound rule (§5.5). Weights are per
# mille of the 2015 South Korean census (§5.3): no DPRK statistics exist.
# Hangul, Hanja (traditional), RR (strict, of the North's Hangul), McCune-Reischauer,
# DPRK practice, South Korean passport habit, pinyin of the Hanja, weight.
SURNAMES: Final = (
    ("김", "金", "Gim", "Kim", "Kim", "Kim", "Jin", 215.0),
    ("리", "李", "Ri", "Ri", "Ri", "Lee", "Li", 147.0),
    ("박", "朴", "Bak", "Pak", "Pak", "Park", "Piao", 84.0),
    ("최", "崔", "Choe", "Ch'oe", "Choe", "Choi", "Cui", 47.0),
    ("정", "鄭", "Jeong", "Chŏng", "Jong", "Jung", "Zheng", 39.0),
    ("정", "丁", "Jeong", "Chŏng", "Jong", "Jeong", "Ding", 5.0),
    ("강", "姜", "Gang", "Kang", "Kang", "Kang", "Jiang", 24.0),
    ("조", "趙", "Jo", "Cho", "Jo", "Cho", "Zhao", 18.0),
    ("조", "曺", "Jo", "Cho", "Jo", "Cho", "Cao", 3.5),
    ("윤", "尹", "Yun", "Yun", "Yun", "Yoon", "Yin", 21.0),
    ("장", "張", "Jang", "Chang", "Jang", "Jang", "Zhang", 20.0),
    ("림", "林", "Rim", "Rim", "Rim", "Lim", "Lin", 17.0),
    ("임", "任", "Im", "Im", "Im", "Yim", "Ren", 4.0),
    ("한", "韓", "Han", "Han", "Han", "Han", "Han", 15.0),
    ("오", "吳", "O", "O", "O", "Oh", "Wu", 15.0),
    ("신", "申", "Sin", "Sin", "Sin", "Shin", "Shen", 14.0),
    ("서", "徐", "Seo", "Sŏ", "So", "Seo", "Xu", 14.0),
    ("권", "權", "Gwon", "Kwŏn", "Kwon", "Kwon", "Quan", 14.0),
    ("황", "黃", "Hwang", "Hwang", "Hwang", "Hwang", "Huang", 14.0),
    ("안", "安", "An", "An", "An", "Ahn", "An", 13.0),
    ("송", "宋", "Song", "Song", "Song", "Song", "Song", 13.0),
    ("류", "柳", "Ryu", "Ryu", "Ryu", "Yoo", "Liu", 11.0),
    ("유", "兪", "Yu", "Yu", "Yu", "Yoo", "Yu", 2.5),
    ("전", "全", "Jeon", "Chŏn", "Jon", "Jeon", "Quan", 11.0),
    ("홍", "洪", "Hong", "Hong", "Hong", "Hong", "Hong", 11.0),
    ("고", "高", "Go", "Ko", "Ko", "Ko", "Gao", 9.0),
    ("문", "文", "Mun", "Mun", "Mun", "Moon", "Wen", 9.0),
    ("량", "梁", "Ryang", "Ryang", "Ryang", "Yang", "Liang", 9.0),
    ("손", "孫", "Son", "Son", "Son", "Son", "Sun", 9.0),
    ("배", "裵", "Bae", "Pae", "Pae", "Bae", "Pei", 8.0),
    ("백", "白", "Baek", "Paek", "Paek", "Baek", "Bai", 8.0),
    ("허", "許", "Heo", "Hŏ", "Ho", "Heo", "Xu", 6.5),
    ("남", "南", "Nam", "Nam", "Nam", "Nam", "Nan", 5.5),
    ("심", "沈", "Sim", "Sim", "Sim", "Shim", "Shen", 5.0),
    ("로", "盧", "Ro", "Ro", "Ro", "Roh", "Lu", 4.5),
    ("주", "朱", "Ju", "Chu", "Ju", "Joo", "Zhu", 4.0),
    ("차", "車", "Cha", "Ch'a", "Cha", "Cha", "Che", 3.7),
    ("라", "羅", "Ra", "Ra", "Ra", "Na", "Luo", 2.8),
    ("현", "玄", "Hyeon", "Hyŏn", "Hyon", "Hyun", "Xuan", 2.0),
    ("렴", "廉", "Ryeom", "Ryŏm", "Ryom", "Yeom", "Lian", 1.3),
    ("태", "太", "Tae", "T'ae", "Thae", "Tae", "Tai", 0.3),
    ("남궁", "南宮", "Namgung", "Namgung", "Namgung", "Namgoong", "Nangong", 0.4),
    ("황보", "皇甫", "Hwangbo", "Hwangbo", "Hwangbo", "Hwangbo", "Huangfu", 0.2),
)

# Sino-Korean given-name syllables, with the positions each takes in women's and men's
# names ("1" first, "2" second, "" never), so that names read as names: 영희, 옥련, 광철.
# Hangul, Hanja (traditional), RR, McCune-Reischauer (as the first syllable; voicing inside
# the name is applied by rule; ㅅ before ㅣ is "sh"), DPRK practice (breves dropped, ㅈ as J,
# aspirates th/ph), passport habit, pinyin of the Hanja, women, men.
GIVEN_SYLLABLES: Final = (
    ("순", "順", "sun", "sun", "Sun", "soon", "shun", "12", ""),
    ("희", "姬", "hui", "hŭi", "Hui", "hee", "ji", "2", ""),
    ("영", "英", "yeong", "yŏng", "Yong", "young", "ying", "12", "12"),
    ("철", "哲", "cheol", "ch'ŏl", "Chol", "chul", "zhe", "", "12"),
    ("수", "秀", "su", "su", "Su", "soo", "xiu", "1", "2"),
    ("미", "美", "mi", "mi", "Mi", "mi", "mei", "12", ""),
    ("옥", "玉", "ok", "ok", "Ok", "ok", "yu", "12", ""),
    ("숙", "淑", "suk", "suk", "Suk", "sook", "shu", "2", ""),
    ("금", "錦", "geum", "kŭm", "Kum", "keum", "jin", "12", ""),
    ("명", "明", "myeong", "myŏng", "Myong", "myung", "ming", "1", "12"),
    ("광", "光", "gwang", "kwang", "Kwang", "kwang", "guang", "", "12"),
    ("성", "成", "seong", "sŏng", "Song", "sung", "cheng", "", "12"),
    ("남", "男", "nam", "nam", "Nam", "nam", "nan", "", "2"),
    ("혁", "赫", "hyeok", "hyŏk", "Hyok", "hyuk", "he", "", "12"),
    ("국", "國", "guk", "kuk", "Kuk", "kook", "guo", "", "2"),
    ("진", "珍", "jin", "chin", "Jin", "jin", "zhen", "12", "12"),
    ("정", "貞", "jeong", "chŏng", "Jong", "jung", "zhen", "12", ""),
    ("은", "銀", "eun", "ŭn", "Un", "eun", "yin", "12", ""),
    ("일", "日", "il", "il", "Il", "il", "ri", "", "2"),
    ("경", "慶", "gyeong", "kyŏng", "Kyong", "kyung", "qing", "12", "1"),
    ("향", "香", "hyang", "hyang", "Hyang", "hyang", "xiang", "12", ""),
    ("화", "花", "hwa", "hwa", "Hwa", "hwa", "hua", "2", ""),
    ("련", "蓮", "ryeon", "ryŏn", "Ryon", "ryun", "lian", "2", ""),
    ("란", "蘭", "ran", "ran", "Ran", "ran", "lan", "2", ""),
    ("혜", "惠", "hye", "hye", "Hye", "hye", "hui", "12", ""),
    ("선", "善", "seon", "sŏn", "Son", "sun", "shan", "12", ""),
    ("설", "雪", "seol", "sŏl", "Sol", "seol", "xue", "1", ""),
    ("주", "珠", "ju", "chu", "Ju", "joo", "zhu", "2", ""),
    ("애", "愛", "ae", "ae", "Ae", "ae", "ai", "12", ""),
    ("심", "心", "sim", "shim", "Sim", "sim", "xin", "2", ""),
    ("복", "福", "bok", "pok", "Pok", "bok", "fu", "12", "1"),
    ("실", "實", "sil", "shil", "Sil", "sil", "shi", "2", ""),
    ("봉", "鳳", "bong", "pong", "Pong", "bong", "feng", "12", "1"),
    ("룡", "龍", "ryong", "ryong", "Ryong", "ryong", "long", "", "2"),
    ("호", "浩", "ho", "ho", "Ho", "ho", "hao", "", "2"),
    ("용", "勇", "yong", "yong", "Yong", "yong", "yong", "", "12"),
    ("준", "俊", "jun", "chun", "Jun", "joon", "jun", "", "12"),
    ("민", "敏", "min", "min", "Min", "min", "min", "1", "12"),
    ("석", "錫", "seok", "sŏk", "Sok", "suk", "xi", "", "12"),
    ("동", "東", "dong", "tong", "Tong", "dong", "dong", "", "12"),
    ("학", "學", "hak", "hak", "Hak", "hak", "xue", "", "12"),
    ("현", "賢", "hyeon", "hyŏn", "Hyon", "hyun", "xian", "2", "12"),
    ("기", "基", "gi", "ki", "Ki", "ki", "ji", "", "12"),
    ("만", "萬", "man", "man", "Man", "man", "wan", "", "12"),
    ("충", "忠", "chung", "ch'ung", "Chung", "choong", "zhong", "", "1"),
    ("원", "元", "won", "wŏn", "Won", "won", "yuan", "", "12"),
    ("태", "泰", "tae", "t'ae", "Thae", "tae", "tai", "", "1"),
    ("필", "弼", "pil", "p'il", "Phil", "pil", "bi", "", "2"),
    ("평", "平", "pyeong", "p'yŏng", "Phyong", "pyung", "ping", "", "12"),
    ("춘", "春", "chun", "ch'un", "Chun", "chun", "chun", "12", "2"),
    ("송", "松", "song", "song", "Song", "song", "song", "", "1"),
    ("연", "妍", "yeon", "yŏn", "Yon", "yeon", "yan", "12", ""),
    ("월", "月", "wol", "wŏl", "Wol", "wol", "yue", "2", ""),
    ("하", "河", "ha", "ha", "Ha", "ha", "he", "1", ""),
    ("윤", "允", "yun", "yun", "Yun", "yoon", "yun", "1", "1"),
    ("상", "相", "sang", "sang", "Sang", "sang", "xiang", "", "1"),
    ("청", "淸", "cheong", "ch'ŏng", "Chong", "chung", "qing", "", "1"),
    ("강", "康", "gang", "kang", "Kang", "kang", "kang", "", "1"),
    ("길", "吉", "gil", "kil", "Kil", "gil", "ji", "", "12"),
    ("덕", "德", "deok", "tŏk", "Tok", "duk", "de", "1", "12"),
    ("분", "芬", "bun", "pun", "Pun", "boon", "fen", "2", ""),
    ("해", "海", "hae", "hae", "Hae", "hae", "hai", "1", "2"),
    ("범", "範", "beom", "pŏm", "Pom", "bum", "fan", "", "1"),
    ("창", "昌", "chang", "ch'ang", "Chang", "chang", "chang", "", "12"),
    ("휘", "輝", "hwi", "hwi", "Hwi", "hwi", "hui", "", "2"),
    ("훈", "勳", "hun", "hun", "Hun", "hoon", "xun", "", "2"),
    ("지", "智", "ji", "chi", "Ji", "ji", "zhi", "12", "1"),
    ("식", "植", "sik", "shik", "Sik", "sik", "zhi", "", "2"),
    ("나", "娜", "na", "na", "Na", "na", "na", "2", ""),
    ("매", "梅", "mae", "mae", "Mae", "mae", "mei", "2", ""),
    ("건", "建", "geon", "kŏn", "Kon", "gun", "jian", "", "1"),
    ("삼", "三", "sam", "sam", "Sam", "sam", "san", "", "2"),
)

# Native Korean given names: no Hanja, so no Hanzi or pinyin either; romanized as one word.
# Hangul, RR, McCune-Reischauer, DPRK practice, passport habit, use.
NATIVE_GIVEN_NAMES: Final = (
    ("보람", "boram", "Poram", "Poram", "boram", "FM"),
    ("꽃분", "kkotbun", "Kkotpun", "Kkotpun", "kkotbun", "F"),
    ("슬기", "seulgi", "Sŭlgi", "Sulgi", "seulgi", "F"),
    ("샛별", "saetbyeol", "Saetpyŏl", "Saetbyol", "saetbyul", "F"),
    ("아름", "areum", "Arŭm", "Arum", "areum", "F"),
    ("달래", "dallae", "Tallae", "Tallae", "dallae", "F"),
    ("한별", "hanbyeol", "Hanbyŏl", "Hanbyol", "hanbyul", "FM"),
    ("한결", "hangyeol", "Han'gyŏl", "Hangyol", "hankyul", "M"),
    ("우람", "uram", "Uram", "Uram", "uram", "M"),
    ("힘찬", "himchan", "Himch'an", "Himchan", "himchan", "M"),
)
NATIVE_NAME_SHARE: Final = 0.03

# Chinese officials write Hanzi in simplified form; every traditional character above that
# simplifies differently is listed here (the rest are the same in both).
TRADITIONAL_TO_SIMPLIFIED: Final = {
    "順": "顺", "國": "国", "錦": "锦", "銀": "银", "慶": "庆", "蓮": "莲", "蘭": "兰",
    "愛": "爱", "實": "实", "鳳": "凤", "龍": "龙", "錫": "锡", "東": "东", "學": "学",
    "賢": "贤", "萬": "万", "勳": "勋", "淸": "清", "範": "范", "輝": "辉", "貞": "贞",
    "鄭": "郑", "趙": "赵", "曺": "曹", "張": "张", "韓": "韩", "吳": "吴", "權": "权",
    "黃": "黄", "兪": "俞", "孫": "孙", "裵": "裴", "許": "许", "盧": "卢", "羅": "罗",
    "車": "车", "宮": "宫",
}  # fmt: skip

# DPRK law forbids these given names to anyone (§5.2); compared on the Hangul and on a
# skeleton of every romanization, so 청일 ("Chong Il") is refused as well as 정일.
BANNED_GIVEN_HANGUL: Final = frozenset({"일성", "정일", "정은"})
BANNED_GIVEN_SKELETONS: Final = frozenset({"ilsung", "ilsong", "jongil", "jungil", "jongun", "jungun"})
# Leaders, their families and well-known officials, North and South: never generated.
BANNED_FULL_NAMES: Final = frozenset(
    {
        "김일성", "김정일", "김정은", "김정숙", "강반석", "김여정", "리설주", "김주애", "김정남",
        "김정철", "김경희", "장성택", "김평일", "김설송", "최룡해", "박봉주", "김영남", "김영철",
        "김덕훈", "최선희", "현송월", "리병철", "조용원", "황병서", "태영호", "박정희", "문재인",
        "리명박", "윤석열",
    }
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Places, organisations, sentences

# §5.1: North Hamgyong alone > 60 %, with Ryanggang > 75 %; South Pyongan + South Hamgyong
# ~12 %; North Pyongan + Jagang ~3 %; Pyongyang ~2 %.
PROVINCES: Final = (
    ("North Hamgyong", 62.0),
    ("Ryanggang", 15.0),
    ("South Hamgyong", 8.0),
    ("South Pyongan", 4.0),
    ("North Pyongan", 2.3),
    ("Pyongyang", 2.2),
    ("Kangwon", 1.5),
    ("North Hwanghae", 1.3),
    ("South Hwanghae", 1.3),
    ("Rason", 1.0),
    ("Jagang", 0.7),
    ("Nampho", 0.7),
)

# Generic descriptive names in border cities; weights favour the Tumen crossings (§5.1).
DETENTION_SITES: Final = (
    ("Tumen Border Detention Centre", 24.0),
    ("Dandong Border Detention Centre", 16.0),
    ("Yanji Municipal Detention Centre", 15.0),
    ("Hunchun Detention Centre", 12.0),
    ("Changbai County Detention House", 12.0),
    ("Helong Border Holding Facility", 10.0),
    ("Shenyang No. 2 Detention Centre", 11.0),
)

# Invented organisations; any likeness to a real body is unintended.
ALERTING_ORGANISATIONS: Final = (
    ("ngo", "Azalea Bridge Refugee Network"),
    ("ngo", "Lantern Harbour Legal Aid"),
    ("ngo", "Two Rivers Protection Watch"),
    ("ngo", "Open Gate Humanitarian Society"),
    ("monitor", "Independent Detention Monitoring Panel"),
    ("monitor", "Regional Protection Monitoring Mission"),
)

ALERT_RISKS: Final = (
    "Transfer to the border reported for next week.",
    "Listed for a group repatriation after the holiday.",
    "Guards told detainees that a bus to the border is expected.",
    "Moved to a facility closer to the border, according to relatives.",
    "Visit by officials from the country of origin reported.",
    "Health deteriorating; no medical care reported.",
    "Pregnant; repatriation would expose her to serious harm.",
    "Has asked for protection; relatives fear an imminent return.",
)

# Most applicants are waiting: the early stages carry the weight (per cent).
STAGE_WEIGHTS: Final = (
    ("intake", 14.0),
    ("registered", 16.0),
    ("screened", 14.0),
    ("interview_scheduled", 12.0),
    ("interviewed", 8.0),
    ("assessment_drafted", 6.0),
    ("assessment_reviewed", 4.0),
    ("decided", 4.0),
    ("appeal_window", 4.0),
    ("appeal_lodged", 3.0),
    ("appeal_decided", 3.0),
    ("final", 5.0),
    ("closed", 4.0),
    ("withdrawn", 3.0),
)
EARLY_STAGES: Final = (("intake", 4.0), ("registered", 4.0), ("screened", 2.0), ("interview_scheduled", 1.0))
# Stages at which an assessment exists, so a proposed outcome does.
ASSESSED_STAGES: Final = frozenset(STAGES[STAGES.index("assessment_drafted") : STAGES.index("closed") + 1])
# Refugee status is final on notification (procedure.case.Notify): only the other outcomes
# reach the appeal window.
APPEAL_STAGES: Final = frozenset({"appeal_window", "appeal_lodged", "appeal_decided"})

# Illegal exit makes nearly every claim well-founded sur place (§5.1, COI 2014).
OUTCOMES: Final = (
    ("refugee_status", 78.0),
    ("complementary_protection", 10.0),
    ("humanitarian_status", 7.0),
    ("rejected", 5.0),
)
APPEALABLE_OUTCOMES: Final = (
    ("rejected", 40.0),
    ("complementary_protection", 35.0),
    ("humanitarian_status", 25.0),
)

# Age at entry, cumulative to 2022 (§5.1), with 10-19 split at the age of majority. Adults
# are drawn from these bands; children come with the households below.
AGE_BANDS: Final = (
    ((0, 9), 1297.0),
    ((10, 17), 3050.0),
    ((18, 19), 761.0),
    ((20, 29), 9601.0),
    ((30, 39), 9719.0),
    ((40, 49), 6011.0),
    ((50, 59), 2049.0),
    ((60, 80), 1348.0),
)

# Who comes as a household (per cent of cases). Mothers with children born in China are the
# common family; the rest travel alone.
HOUSEHOLD_KINDS: Final = (
    ("single", 74.0),
    ("mother_with_children", 12.0),
    ("couple", 6.0),
    ("siblings", 3.0),
    ("with_parent", 3.0),
    ("unaccompanied_child", 2.0),
)

# 72 % of arrivals are women (§5.1); single travellers slightly more so, since couples are
# evenly split and children born in China are half boys.
FEMALE_SHARE_SINGLE: Final = 0.76
# 1,170 of about 2,000 detained were held over a year in 2021 (DESIGN.md; joint letter).
HELD_OVER_A_YEAR_SHARE: Final = 0.58
TODAY: Final = date(2026, 11, 1)

# --------------------------------------------------------------------------------------------
# Internal records

_T = TypeVar("_T")


class _Weighted(Generic[_T]):
    """A weighted choice drawn with one random number (random.choices is slower per call)."""

    def __init__(self, pairs: Sequence[tuple[_T, float]]) -> None:
        self._items = tuple(item for item, _ in pairs)
        self._cumulative = tuple(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: Random) -> _T:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._cumulative[-1])]


@dataclass(frozen=True)
class _Surname:
    hangul: str
    hanja: str
    rr: str
    mr: str
    dprk: str
    passport: str
    pinyin: str


@dataclass(frozen=True)
class _Syllable:
    hangul: str
    hanja: str
    rr: str
    mr: str
    dprk: str
    passport: str
    pinyin: str
    women: str  # positions in women's names: "1", "2", "12" or ""
    men: str


@dataclass(frozen=True)
class _GivenName:
    hangul: str
    hanja: str  # "" for native Korean names
    rr: tuple[str, ...]  # per syllable; one element for a native name
    passport: tuple[str, ...]
    mr: str  # formatted: "Sun-hŭi"
    dprk: str  # formatted: "Sun Hui"
    pinyin: str  # formatted: "Shunji"; "" without Hanja


@dataclass
class _Household:
    """A case before its procedural facts are drawn."""

    principal: DemoPerson
    dependants: list[tuple[DemoPerson, str]]
    channel: str
    detained: bool


_SURNAME_RECORDS: Final = tuple(_Surname(*row[:7]) for row in SURNAMES)
_SURNAME_DRAW: Final = _Weighted([(s, row[7]) for s, row in zip(_SURNAME_RECORDS, SURNAMES, strict=True)])
# Hanja the Chinese police may pick for a Hangul surname they only heard (§5.2: 정 = 鄭 / 丁).
_HOMOPHONE_SURNAMES: Final = {
    s.hangul: tuple(o for o in _SURNAME_RECORDS if o.hangul == s.hangul and o != s) for s in _SURNAME_RECORDS
}
_SYLLABLES: Final = tuple(_Syllable(*row) for row in GIVEN_SYLLABLES)
_PROVINCE_DRAW: Final = _Weighted(PROVINCES)
_SITE_DRAW: Final = _Weighted(DETENTION_SITES)
_STAGE_DRAW: Final = _Weighted(STAGE_WEIGHTS)
_EARLY_STAGE_DRAW: Final = _Weighted(EARLY_STAGES)
_OUTCOME_DRAW: Final = _Weighted(OUTCOMES)
_APPEALABLE_DRAW: Final = _Weighted(APPEALABLE_OUTCOMES)
_HOUSEHOLD_DRAW: Final = _Weighted(HOUSEHOLD_KINDS)
_ADULT_AGE_DRAW: Final = _Weighted([band for band in AGE_BANDS if band[0][0] >= 18])
_LATIN_STYLE_DRAW: Final = _Weighted((("dprk", 35.0), ("passport", 30.0), ("rr", 20.0), ("mr", 15.0)))

# Hangul syllable arithmetic (Unicode 3.12): index = (initial * 21 + vowel) * 28 + final.
_HANGUL_BASE: Final = 0xAC00
_RIEUL, _NIEUN, _IEUNG = 5, 2, 11
# Vowels ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ: before them the South drops an initial ㄹ or ㄴ altogether.
_Y_OR_I_VOWELS: Final = frozenset({2, 6, 7, 12, 17, 20})
_PLAIN_STOPS: Final = frozenset({0, 3, 7, 12})  # ㄱ ㄷ ㅂ ㅈ
_VOICED_FINALS: Final = frozenset({0, 4, 16, 21})  # none, ㄴ ㅁ ㅇ
_RIEUL_FINAL: Final = 8


def _jamo(syllable: str) -> tuple[int, int, int]:
    index = ord(syllable) - _HANGUL_BASE
    return index // 588, (index // 28) % 21, index % 28


def _south_korean_hangul(name: str) -> str:
    """The name's first syllable under the South's initial-sound rule: 리 -> 이, 로 -> 노 (§5.5)."""
    initial, vowel, final = _jamo(name[0])
    if initial == _RIEUL:
        initial = _IEUNG if vowel in _Y_OR_I_VOWELS else _NIEUN
    elif initial == _NIEUN and vowel in _Y_OR_I_VOWELS:
        initial = _IEUNG
    else:
        return name
    return chr(_HANGUL_BASE + (initial * 21 + vowel) * 28 + final) + name[1:]


def _simplified(hanja: str) -> str:
    return "".join(TRADITIONAL_TO_SIMPLIFIED.get(c, c) for c in hanja)


def _voiced(previous: str, syllable: str) -> bool:
    """Whether a plain stop opening `syllable` is voiced after `previous` (MR and DPRK).

    Between voiced sounds ㄱ ㄷ ㅂ ㅈ are written g d b j (Pak Tong Gu). After ㄹ the
    Sino-Korean ㄷ and ㅈ are tensed, so only ㄱ and ㅂ voice there. Other sound changes
    (nasalisation, tensing elsewhere) are left out: offices rarely apply them either.
    """
    initial = _jamo(syllable)[0]
    if initial not in _PLAIN_STOPS:
        return False
    final = _jamo(previous)[2]
    return final in _VOICED_FINALS or (final == _RIEUL_FINAL and initial in (0, 7))


_VOICING: Final = (("ch", "j"), ("k", "g"), ("t", "d"), ("p", "b"))


def _voice(form: str) -> str:
    lowered = form.lower()
    for plain, voiced in _VOICING:
        if lowered.startswith(plain):
            return voiced + form[len(plain) :]
    return form


def _pinyin_join(syllables: Sequence[str]) -> str:
    # Pinyin marks a syllable starting with a, o or e after another one: Ying'ai.
    joined = syllables[0]
    for syllable in syllables[1:]:
        joined += ("'" if syllable[0] in "aoe" else "") + syllable
    return joined.capitalize()


def _sino_korean_name(first: _Syllable, second: _Syllable) -> _GivenName:
    voiced = _voiced(first.hangul, second.hangul)
    mr_second = _voice(second.mr) if voiced else second.mr
    # DPRK practice writes ㅈ as J everywhere, so only k, t, p change (Tong Gu, not Tong Ku).
    dprk_second = second.dprk
    if voiced and not second.dprk.startswith("J"):
        dprk_second = _voice(second.dprk.lower()).capitalize()
    return _GivenName(
        hangul=first.hangul + second.hangul,
        hanja=first.hanja + second.hanja,
        rr=(first.rr, second.rr),
        passport=(first.passport, second.passport),
        mr=f"{first.mr.capitalize()}-{mr_second}",
        dprk=f"{first.dprk} {dprk_second}",
        pinyin=_pinyin_join((first.pinyin, second.pinyin)),
    )


def _native_name(row: tuple[str, str, str, str, str, str]) -> _GivenName:
    hangul, rr, mr, dprk, passport, _ = row
    return _GivenName(hangul=hangul, hanja="", rr=(rr,), passport=(passport,), mr=mr, dprk=dprk, pinyin="")


_BREVES: Final = str.maketrans({"ŏ": "o", "ŭ": "u", "Ŏ": "O", "Ŭ": "U", " ": None, "-": None, "'": None})


def _skeleton(romanized: str) -> str:
    """A spelling-blind key: Jeong-eun, Chŏng-ŭn and Jong Un all give "jongun"."""
    plain = romanized.translate(_BREVES).lower()
    return plain.replace("eo", "o").replace("eu", "u").replace("ch", "j")


def _is_banned_given_name(given: _GivenName) -> bool:
    if given.hangul in BANNED_GIVEN_HANGUL:
        return True
    romanized = ("".join(given.rr), "".join(given.passport), given.mr, given.dprk)
    return any(_skeleton(form) in BANNED_GIVEN_SKELETONS for form in romanized)


def _positions(syllable: _Syllable, sex: str) -> str:
    return syllable.women if sex == "F" else syllable.men


# The South drops a word-initial ㄹ (§5.5), so 룡, 련, 란 only close a given name here: the
# Southern spelling of a whole name then differs from the Northern only in the surname.
_FIRST_SYLLABLES: Final = {
    sex: tuple(s for s in _SYLLABLES if "1" in _positions(s, sex) and _jamo(s.hangul)[0] != _RIEUL)
    for sex in ("F", "M")
}
# A generation syllable shared by a brother and a sister leads both names (영희, 영철).
_SHARED_SYLLABLES: Final = tuple(s for s in _FIRST_SYLLABLES["F"] if s in _FIRST_SYLLABLES["M"])


def _permitted_names(sex: str) -> dict[_Syllable, tuple[_GivenName, ...]]:
    """Every two-syllable name for one sex, by first syllable, built once: drawing is then cheap."""
    seconds = [s for s in _SYLLABLES if "2" in _positions(s, sex)]
    names: dict[_Syllable, tuple[_GivenName, ...]] = {}
    for first in _FIRST_SYLLABLES[sex]:
        built = (_sino_korean_name(first, second) for second in seconds if second != first)
        names[first] = tuple(name for name in built if not _is_banned_given_name(name))
    return names


_SINO_KOREAN_NAMES: Final = {sex: _permitted_names(sex) for sex in ("F", "M")}
_NATIVE_NAMES: Final = {
    sex: tuple(
        name
        for name in (_native_name(row) for row in NATIVE_GIVEN_NAMES if sex in row[5])
        if not _is_banned_given_name(name)
    )
    for sex in ("F", "M")
}


# --------------------------------------------------------------------------------------------
# Dates


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _last_day_of_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _youngest_age(year: int, month: int | None, day: int | None, today: date) -> int:
    """Age in whole years on `today`, taking the latest birth date a partial date allows.

    Age is given the benefit of the doubt: whoever may be a minor is treated as one.
    """
    month_ = month if month is not None else 12
    day_ = day if day is not None else _last_day_of_month(year, month_)
    # A partial date of a baby may reach past today: such a person is 0, not -1.
    return max(0, today.year - year - ((today.month, today.day) < (month_, day_)))


# --------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, rng: Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.persons: list[DemoPerson] = []

    # Names ---------------------------------------------------------------------------------

    def surname(self) -> _Surname:
        return _SURNAME_DRAW.pick(self.rng)

    def given_name(self, surname: _Surname, sex: str, shared: _Syllable | None = None) -> _GivenName:
        """A permitted given name; `shared` is a generation syllable common to siblings."""
        rng = self.rng
        while True:
            if shared is None and rng.random() < NATIVE_NAME_SHARE:
                given = rng.choice(_NATIVE_NAMES[sex])
            else:
                first = shared or rng.choice(_FIRST_SYLLABLES[sex])
                given = rng.choice(_SINO_KOREAN_NAMES[sex][first])
            if surname.hangul + given.hangul not in BANNED_FULL_NAMES:
                return given

    def latin(self, style: str, surname: _Surname, given: _GivenName) -> tuple[str, str]:
        """(family name, given name) as one writer romanizes them."""
        rng = self.rng
        if style == "dprk":
            return surname.dprk, given.dprk
        if style == "mr":
            return surname.mr, given.mr
        if style == "rr":
            separator = "-" if rng.random() < 0.3 else ""
            return surname.rr, separator.join(given.rr).capitalize()
        # Passport habit: conventional or RR syllables, joined or hyphenated, often in capitals.
        parts = given.passport if rng.random() < 0.6 else given.rr
        family, given_text = surname.passport, ("-" if rng.random() < 0.5 else "").join(parts).capitalize()
        if rng.random() < 0.25:
            return family.upper(), given_text.upper()
        return family, given_text

    def name_variants(self, surname: _Surname, given: _GivenName, police_record: bool) -> tuple[NameVariant, ...]:
        rng = self.rng
        variants = [
            NameVariant(
                text=surname.hangul + given.hangul,
                script="Hang",
                romanization="",
                source="self" if rng.random() < 0.7 else "interview",
                is_primary=True,
                family_name=surname.hangul,
                given_name=given.hangul,
            )
        ]
        if police_record and given.hanja:
            # The officer hears the Hangul surname and may pick a homophone's Hanja.
            police_surname = surname
            homophones = _HOMOPHONE_SURNAMES[surname.hangul]
            if homophones and rng.random() < 0.1:
                police_surname = rng.choice(homophones)
            if rng.random() < 0.85:
                family, given_hanzi = _simplified(police_surname.hanja), _simplified(given.hanja)
                variants.append(
                    NameVariant(family + given_hanzi, "Hani", "", "chinese_police", False, family, given_hanzi)
                )
            if rng.random() < 0.9:
                family = police_surname.pinyin
                variants.append(
                    NameVariant(
                        f"{family} {given.pinyin}",
                        "Latn",
                        "pinyin",
                        "chinese_police",
                        False,
                        family,
                        given.pinyin,
                    )
                )
        if given.hanja and rng.random() < 0.12:
            # Written by the applicant at interview, in the traditional forms taught in Korea.
            variants.append(
                NameVariant(surname.hanja + given.hanja, "Hani", "", "interview", False, surname.hanja, given.hanja)
            )
        southern = _south_korean_hangul(surname.hangul)
        if southern != surname.hangul and rng.random() < 0.3:
            variants.append(NameVariant(southern + given.hangul, "Hang", "", "ngo", False, southern, given.hangul))
        draw = rng.random()
        count = 0 if draw < 0.1 else 1 if draw < 0.7 else 2
        styles: list[str] = []
        while len(styles) < count:
            style = _LATIN_STYLE_DRAW.pick(rng)
            if style not in styles:
                styles.append(style)
        for style in styles:
            family, given_text = self.latin(style, surname, given)
            source = "ngo" if rng.random() < 0.6 else "interview"
            variants.append(NameVariant(f"{family} {given_text}", "Latn", style, source, False, family, given_text))
        # Two writers can agree on a spelling; one variant per text is enough.
        unique: dict[str, NameVariant] = {}
        for variant in variants:
            unique.setdefault(variant.text, variant)
        return tuple(unique.values())

    # Persons -------------------------------------------------------------------------------

    def birth(self, age: int, adult: bool) -> tuple[int, int | None, int | None]:
        """A partial date of birth for someone `age` years old today."""
        rng = self.rng
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + timedelta(days=1)
        born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
        draw = rng.random()
        # Children born in China more often have a birth record with the full date.
        full_share = 0.8 if not adult else 0.55
        if draw < full_share:
            return born.year, born.month, born.day
        if draw < full_share + (1 - full_share) / 2:
            month: int | None = born.month
        else:
            month = None
        if adult and _youngest_age(born.year, month, None, self.today) < 18:
            # A partial date must not make an adult a possible minor.
            return born.year, born.month, born.day
        return born.year, month, None

    def person(
        self,
        *,
        sex: str,
        age: int,
        surname: _Surname,
        province: str,
        police_record: bool,
        unaccompanied: bool = False,
        shared: _Syllable | None = None,
    ) -> DemoPerson:
        rng = self.rng
        given = self.given_name(surname, sex, shared)
        year, month, day = self.birth(age, adult=age >= 18)
        age_now = _youngest_age(year, month, day, self.today)
        needs: set[str] = set()
        if age_now < 18:
            needs.add("child")
            if unaccompanied:
                needs.add("unaccompanied_child")
        if age_now >= 60:
            needs.add("older_person")
        # Trafficking and sexual violence are common in women's accounts of China (COI 2014).
        if age_now >= 12 and rng.random() < (0.22 if sex == "F" else 0.08):
            needs.add("survivor_of_violence")
        if sex == "F" and 18 <= age_now <= 42 and rng.random() < 0.05:
            needs.add("pregnancy")
        if rng.random() < 0.03:
            needs.add("disability")
        if rng.random() < (0.2 if age_now >= 60 else 0.04):
            needs.add("serious_medical_condition")
        # Years in China: many adults, and most children born there, speak Chinese.
        speaks_chinese = rng.random() < (0.7 if age_now < 18 else 0.35)
        person = DemoPerson(
            key=f"P{len(self.persons) + 1:05d}",
            names=self.name_variants(surname, given, police_record),
            sex=sex,
            birth_year=year,
            birth_month=month,
            birth_day=day,
            nationality="KP",
            languages=("ko", "zh") if speaks_chinese else ("ko",),
            specific_needs=tuple(n for n in SPECIFIC_NEEDS if n in needs),
            province=province,
            fear_expressed=rng.random() < 0.98,
        )
        self.persons.append(person)
        return person

    def adult_age(self, low: int = 18, high: int = 80) -> int:
        while True:
            band_low, band_high = _ADULT_AGE_DRAW.pick(self.rng)
            age = self.rng.randint(band_low, band_high)
            if low <= age <= high:
                return age

    def children(
        self, count: int, surname: _Surname, max_age: int, province: str, police: bool
    ) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        # In the North a generation syllable is shared among siblings only (§5.2).
        shared = rng.choice(_SHARED_SYLLABLES) if count > 1 and rng.random() < 0.4 else None
        return [
            (
                self.person(
                    sex="F" if rng.random() < 0.5 else "M",
                    age=rng.randint(0, max_age),
                    surname=surname,
                    province=province,
                    police_record=police,
                    shared=shared,
                ),
                "child",
            )
            for _ in range(count)
        ]

    # Households ----------------------------------------------------------------------------

    def household(self) -> _Household:
        rng = self.rng
        kind = _HOUSEHOLD_DRAW.pick(rng)
        channel = "detained" if rng.random() < 0.82 else "self_presented"
        detained = channel == "detained" or rng.random() < 0.35
        police = rng.random() < (0.9 if detained else 0.2)
        province = _PROVINCE_DRAW.pick(rng)
        dependants: list[tuple[DemoPerson, str]] = []

        def adult(sex: str, age: int, surname: _Surname | None = None) -> DemoPerson:
            return self.person(
                sex=sex, age=age, surname=surname or self.surname(), province=province, police_record=police
            )

        if kind == "single":
            principal = adult("F" if rng.random() < FEMALE_SHARE_SINGLE else "M", self.adult_age())
        elif kind == "unaccompanied_child":
            principal = self.person(
                sex="F" if rng.random() < 0.6 else "M",
                age=rng.randint(12, 17),
                surname=self.surname(),
                province=province,
                police_record=police,
                unaccompanied=True,
            )
        elif kind == "mother_with_children":
            mother_age = self.adult_age(20, 48)
            mother_surname = self.surname()
            principal = adult("F", mother_age, mother_surname)
            # The father is often absent or Chinese; the children carry his surname or hers.
            surname = self.surname() if rng.random() < 0.6 else mother_surname
            count = 1 if rng.random() < 0.55 else 2 if rng.random() < 0.73 else 3
            dependants = self.children(count, surname, min(17, mother_age - 17), province, police)
        elif kind == "couple":
            husband_age = self.adult_age(22, 60)
            wife_age = max(20, husband_age - rng.randint(-3, 8))
            husband_surname = self.surname()
            husband = adult("M", husband_age, husband_surname)
            # Married women keep their own surname (§5.2).
            wife = adult("F", wife_age)
            principal, spouse = (husband, wife) if rng.random() < 0.5 else (wife, husband)
            dependants = [(spouse, "spouse")]
            count = rng.choice((0, 0, 1, 1, 2))
            if count:
                youngest_parent = min(husband_age, wife_age)
                dependants += self.children(count, husband_surname, min(17, youngest_parent - 18), province, police)
        elif kind == "siblings":
            surname = self.surname()
            age = self.adult_age(18, 40)
            shared = rng.choice(_SHARED_SYLLABLES) if rng.random() < 0.4 else None
            members = [
                self.person(
                    sex="F" if rng.random() < 0.65 else "M",
                    age=max(8, age + offset),
                    surname=surname,
                    province=province,
                    police_record=police,
                    shared=shared,
                )
                for offset in (0, *(-rng.randint(1, 10) for _ in range(rng.randint(1, 2))))
            ]
            principal = members[0]
            dependants = [(m, "sibling") for m in members[1:]]
        else:  # with_parent: an adult child travelling with an older parent
            age = self.adult_age(20, 45)
            parent_age = min(85, age + rng.randint(20, 35))
            principal_surname = self.surname()
            principal = adult("F" if rng.random() < 0.75 else "M", age, principal_surname)
            # A father shares the child's surname; a mother keeps her own.
            if rng.random() < 0.3:
                parent = adult("M", parent_age, principal_surname)
            else:
                parent = adult("F", parent_age)
            dependants = [(parent, "parent")]
        return _Household(principal, dependants, channel, detained)

    # Cases ---------------------------------------------------------------------------------

    def detention_start(self, recent: bool = False) -> date:
        rng = self.rng
        if recent:
            days = rng.randint(7, 150)
        elif rng.random() < HELD_OVER_A_YEAR_SHARE:
            # Many have been held since the border closed in 2020.
            days = rng.randint(366, 2200)
        else:
            days = rng.randint(3, 365)
        return self.today - timedelta(days=days)

    def case(self, number: int, household: _Household, alert: bool) -> DemoCase:
        rng = self.rng
        site: str | None = None
        since: date | None = None
        if household.detained:
            site = _SITE_DRAW.pick(rng)
            since = self.detention_start(recent=alert)
        held_days = (self.today - since).days if since else 0
        if alert or (since is not None and held_days < 45):
            stage = _EARLY_STAGE_DRAW.pick(rng)
        else:
            stage = _STAGE_DRAW.pick(rng)

        members = [household.principal, *(p for p, _ in household.dependants)]
        has_needs = any(p.specific_needs for p in members)
        # Detention with specific needs, over a year, or an alert of imminent transfer.
        if since is not None and (has_needs or held_days > 365 or alert):
            mode = "prioritized"
        elif rng.random() < 0.12:
            mode = "accelerated"
        else:
            mode = "regular"

        outcome = ""
        appealed = False
        if stage in APPEAL_STAGES:
            outcome = _APPEALABLE_DRAW.pick(rng)
            appealed = stage != "appeal_window"
        elif stage in ASSESSED_STAGES:
            outcome = _OUTCOME_DRAW.pick(rng)
            if stage in ("final", "closed") and outcome != "refugee_status":
                appealed = rng.random() < 0.5
        return DemoCase(
            key=f"C{number:05d}",
            principal=household.principal.key,
            dependants=tuple((p.key, relation) for p, relation in household.dependants),
            channel="alert" if alert else household.channel,
            detention_site=site,
            detained_since=since,
            target_stage=stage,
            processing_mode=mode,
            proposed_outcome=outcome,
            appealed=appealed,
        )

    # Alerts --------------------------------------------------------------------------------

    def alert(self, case: DemoCase | None) -> DemoAlert:
        """An alert about the principal of `case`, or about someone not (yet) in the system."""
        rng = self.rng
        raised_by, organisation = rng.choice(ALERTING_ORGANISATIONS)
        if case is None:
            surname = self.surname()
            sex = "F" if rng.random() < 0.8 else "M"
            family, given = self.latin(rng.choice(("dprk", "passport")), surname, self.given_name(surname, sex))
            return DemoAlert(
                key="",
                raised_by=raised_by,
                organisation=organisation,
                person=None,
                names_given=f"{family} {given}",
                site=_SITE_DRAW.pick(rng),
                risk=rng.choice(ALERT_RISKS[:6]),
                raised_on=self.today - timedelta(days=rng.randint(1, 60)),
            )
        assert case.detention_site is not None and case.detained_since is not None
        principal = self.persons[int(case.principal[1:]) - 1]
        # The alerting body writes the name its own way; Hangul when it never romanized it.
        written = [v.text for v in principal.names if v.script == "Latn" and v.source != "chinese_police"]
        held_days = (self.today - case.detained_since).days
        if case.channel == "alert":
            # The alert is what brought the case in, soon after the arrest.
            raised_on = case.detained_since + timedelta(days=rng.randint(1, min(held_days, 30)))
        else:
            # A worry about someone already in the procedure, raised this year.
            raised_on = self.today - timedelta(days=rng.randint(0, min(held_days - 1, 365)))
        risks = ALERT_RISKS if "pregnancy" in principal.specific_needs else ALERT_RISKS[:6] + ALERT_RISKS[7:]
        return DemoAlert(
            key="",
            raised_by=raised_by,
            organisation=organisation,
            person=principal.key,
            names_given=written[0] if written else principal.names[0].text,
            site=case.detention_site,
            risk=rng.choice(risks),
            raised_on=raised_on,
        )


def generate(*, seed: int = 2023, persons: int = 2000, today: date = TODAY) -> Scenario:
    """A synthetic caseload of about `persons` people; the same seed gives the same scenario."""
    # A million small acyclic objects would trigger the cycle collector over and over for
    # nothing to collect; pausing it makes large benchmark scenarios ~40 % faster.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(Random(seed), persons, today)
    finally:
        if collecting:
            gc.enable()


def _generate(rng: Random, persons: int, today: date) -> Scenario:
    generator = _Generator(rng, today)
    households: list[_Household] = []
    while len(generator.persons) < persons:
        households.append(generator.household())

    detained = [i for i, h in enumerate(households) if h.channel == "detained"]
    alert_count = min(15, max(5, round(len(households) / 250)), len(detained))
    from_alerts = set(rng.sample(detained, alert_count))
    cases = tuple(
        generator.case(index + 1, household, alert=index in from_alerts) for index, household in enumerate(households)
    )

    alerted = [cases[i] for i in sorted(from_alerts)]
    # A few alerts name people already in the procedure, and a few name people not in it.
    others = [cases[i] for i in detained if i not in from_alerts]
    alerted += rng.sample(others, min(2, len(others)))
    drafts = [generator.alert(case) for case in alerted] + [generator.alert(None) for _ in range(3)]
    drafts.sort(key=lambda a: (a.raised_on, a.person or "", a.names_given))
    # Numbered in the order they were raised, as an inbox would show them.
    alerts = tuple(replace(a, key=f"A{number:03d}") for number, a in enumerate(drafts, start=1))
    return Scenario(
        today=today,
        persons=tuple(generator.persons),
        cases=cases,
        alerts=alerts,
        detention_sites=tuple(site for site, _ in DETENTION_SITES),
    )
