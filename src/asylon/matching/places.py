"""North Korean provinces and major counties in the spellings our writers use.

Hangul in both orthographies (량강도 / 양강도, 라선 / 나선), Chinese in both character sets,
English as RR, McCune-Reischauer and the DPRK's own (Ryanggang, Hamgyong-bukto, Hamgyŏng-pukto).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from asylon.matching.names import fold, strip_marks


@dataclass(frozen=True)
class Place:
    code: str
    province: str  # its own code for a province, the province's code for a county
    hangul: tuple[str, ...]
    hanzi: tuple[str, ...]
    latin: tuple[str, ...]


_NORTH = ("North {0}", "{0} North", "{0}-bukto", "{0}-pukto", "{0}buk-do", "{0}puk-do", "{0} Pukto", "{0} Bukdo")
_SOUTH = ("South {0}", "{0} South", "{0}-namdo", "{0}nam-do", "{0} Namdo")


def _paired(code: str, base_hangul: str, base_hanzi: tuple[str, ...], latin: tuple[str, ...]) -> tuple[Place, Place]:
    north = tuple(f.format(b) for b in latin for f in _NORTH)
    south = tuple(f.format(b) for b in latin for f in _SOUTH)
    return (
        Place(f"{code}N", f"{code}N", (f"{base_hangul}북도",), tuple(h + "北道" for h in base_hanzi), north),
        Place(f"{code}S", f"{code}S", (f"{base_hangul}남도",), tuple(h + "南道" for h in base_hanzi), south),
    )


PROVINCES: tuple[Place, ...] = (
    Place("PY", "PY", ("평양", "평양시", "평양직할시"), ("平壤", "平壤市"), ("Pyongyang", "P'yŏngyang", "Phyongyang")),
    Place(
        "RS",
        "RS",
        ("라선", "나선", "라선시", "나선시"),
        ("羅先", "罗先"),
        ("Rason", "Rasŏn", "Naseon", "Najin-Sonbong"),
    ),
    Place("NP", "NP", ("남포", "남포시"), ("南浦",), ("Nampo", "Namp'o", "Namphyo")),
    Place("KS", "KS", ("개성", "개성시"), ("開城", "开城"), ("Kaesong", "Kaesŏng", "Gaeseong")),
    *_paired("PA", "평안", ("平安",), ("Pyongan", "P'yŏngan", "Phyongan", "Pyeongan")),
    *_paired("HH", "황해", ("黃海", "黄海"), ("Hwanghae",)),
    *_paired("HG", "함경", ("咸鏡", "咸镜"), ("Hamgyong", "Hamgyŏng", "Hamgyeong")),
    Place("CG", "CG", ("자강도", "자강"), ("慈江道", "慈江"), ("Chagang", "Jagang", "Chagang-do", "Jagang-do")),
    Place("KW", "KW", ("강원도", "강원"), ("江原道",), ("Kangwon", "Gangwon", "Kangwŏn", "Kangwon-do")),
    Place(
        "RG",
        "RG",
        ("량강도", "양강도", "량강", "양강"),
        ("兩江道", "两江道", "两江"),
        ("Ryanggang", "Yanggang", "Ryanggang-do", "Yanggang-do", "Ryangkang"),
    ),
)

COUNTIES: tuple[Place, ...] = (
    Place("RG-HS", "RG", ("혜산", "혜산시"), ("惠山",), ("Hyesan",)),
    Place("RG-SJ", "RG", ("삼지연", "삼지연시"), ("三池淵", "三池渊"), ("Samjiyon", "Samjiyŏn", "Samjiyeon")),
    Place("RG-PC", "RG", ("보천", "보천군"), ("普天",), ("Pochon", "Poch'ŏn", "Bocheon")),
    Place("RG-KP", "RG", ("김형직", "김형직군"), ("金亨稷",), ("Kimhyongjik", "Kim Hyong Jik")),
    Place("HGN-MS", "HGN", ("무산", "무산군"), ("茂山",), ("Musan",)),
    Place("HGN-HR", "HGN", ("회령", "회령시"), ("會寧", "会宁"), ("Hoeryong", "Hoeryŏng", "Hoeryeong")),
    Place("HGN-OS", "HGN", ("온성", "온성군"), ("穩城", "稳城"), ("Onsong", "Onsŏng", "Onseong")),
    Place("HGN-CJ", "HGN", ("청진", "청진시"), ("清津",), ("Chongjin", "Ch'ŏngjin", "Cheongjin")),
    Place("HGN-KC", "HGN", ("김책", "김책시"), ("金策",), ("Kimchaek", "Kimch'aek")),
    Place("HGS-HH", "HGS", ("함흥", "함흥시"), ("咸興", "咸兴"), ("Hamhung", "Hamhŭng", "Hamheung")),
    Place("HGS-DC", "HGS", ("단천", "단천시"), ("端川",), ("Tanchon", "Tanch'ŏn", "Dancheon")),
    Place("PAN-SU", "PAN", ("신의주", "신의주시"), ("新義州", "新义州"), ("Sinuiju", "Sinŭiju", "Shinuiju")),
    Place("PAS-PS", "PAS", ("평성", "평성시"), ("平城",), ("Pyongsong", "P'yŏngsŏng", "Pyeongseong")),
    Place("CG-KG", "CG", ("강계", "강계시"), ("江界",), ("Kanggye", "Ganggye")),
    Place("KW-WS", "KW", ("원산", "원산시"), ("元山",), ("Wonsan", "Wŏnsan")),
    Place("HHN-SR", "HHN", ("사리원", "사리원시"), ("沙里院",), ("Sariwon", "Sariwŏn")),
    Place("HHS-HJ", "HHS", ("해주", "해주시"), ("海州",), ("Haeju",)),
)

# Generic words ("province", "city", "道") carry no identity and are written inconsistently.
_NOISE = re.compile(r"\b(province|city|county|prov|special|municipality)\b|[,.]", re.IGNORECASE)
_HAN_SUFFIX = re.compile(r"(市|郡|省|特別市|直轄市|直辖市)$")


def _key(text: str) -> str:
    text = _NOISE.sub(" ", strip_marks(text)).strip()
    if any("가" <= c <= "힣" or "\u3400" <= c <= "\u9fff" for c in text):
        return _HAN_SUFFIX.sub("", "".join(text.split()))
    return fold(text)


@functools.cache
def _index() -> dict[str, Place]:
    index: dict[str, Place] = {}
    for place in (*PROVINCES, *COUNTIES):
        for name in (*place.hangul, *place.hanzi, *place.latin):
            index.setdefault(_key(name), place)
    return index


@functools.lru_cache(maxsize=4096)
def lookup(text: str) -> Place | None:
    """The province or county a writer meant, or None for a name we do not know."""
    if not text or not text.strip():
        return None
    key = _key(text)
    return _index().get(key) or _index().get(_key(re.sub(r"(?i)[-\s]?(do|si|gun)$|[도시군]$", "", text.strip())))
