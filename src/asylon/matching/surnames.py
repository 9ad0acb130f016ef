"""Korean surnames in every script they arrive in: the table that overrides Unihan's readings.

Unihan ranks 金 as 금 and 沈 as 침 (their readings outside surnames); pinyin writes 朴 as pu
where the surname is Piáo; conventional passport spellings (Lee, Park, Choi) follow no system.
Sources: our research notes on name matching (dedup, §2), and the surnames' own lists in the national census.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Surname:
    hangul: str  # the South's spelling, our canonical key
    north: str  # the North's spelling, where the initial-sound law differs
    hanzi: str  # traditional and simplified characters; one surname per character run
    pinyin: tuple[str, ...]
    latin: tuple[str, ...]  # spellings whose folded form differs from the systematic ones
    share: float  # rough share of the population, for the generator


SURNAMES: tuple[Surname, ...] = (
    Surname("김", "김", "金", ("jin",), ("kim", "gim", "kym"), 0.215),
    Surname("이", "리", "李", ("li",), ("lee", "yi", "rhee", "rhie", "ri", "i", "li", "yie", "ee", "leigh"), 0.147),
    Surname("박", "박", "朴", ("piao", "pu"), ("park", "pak", "bak", "bark"), 0.084),
    Surname("최", "최", "崔", ("cui",), ("choi", "choe", "chwe", "choy"), 0.047),
    Surname(
        "정", "정", "鄭郑丁", ("zheng", "ding"), ("jung", "chung", "jeong", "cheong", "joung", "chong", "jong"), 0.044
    ),
    Surname("강", "강", "姜康", ("jiang", "kang"), ("kang", "gang"), 0.024),
    Surname("조", "조", "趙赵曺", ("zhao", "cao"), ("cho", "jo", "joe", "chough"), 0.021),
    Surname("윤", "윤", "尹", ("yin",), ("yoon", "yun", "youn"), 0.02),
    Surname("장", "장", "張张蔣蒋", ("zhang", "jiang"), ("jang", "chang"), 0.02),
    Surname("임", "림", "林", ("lin",), ("lim", "im", "rim", "yim", "leem"), 0.017),
    Surname("한", "한", "韓韩", ("han",), ("han", "hahn"), 0.015),
    Surname("오", "오", "吳吴", ("wu",), ("oh", "o"), 0.015),
    Surname("서", "서", "徐", ("xu",), ("seo", "suh", "sur", "so"), 0.014),
    Surname("신", "신", "申辛愼慎", ("shen", "xin"), ("shin", "sin", "shinn"), 0.014),
    Surname("권", "권", "權权", ("quan",), ("kwon", "gwon", "kweon"), 0.014),
    Surname("황", "황", "黃黄", ("huang",), ("hwang", "whang"), 0.013),
    Surname("안", "안", "安", ("an",), ("ahn", "an"), 0.013),
    Surname("송", "송", "宋", ("song",), ("song",), 0.013),
    Surname("전", "전", "全田錢钱", ("quan", "tian", "qian"), ("jeon", "jun", "chun", "chon", "jon"), 0.012),
    Surname("홍", "홍", "洪", ("hong",), ("hong",), 0.011),
    Surname("유", "류", "柳劉刘", ("liu",), ("yoo", "yu", "you", "ryu", "lyu", "rhew", "yoo"), 0.02),
    Surname("양", "량", "梁楊杨", ("liang", "yang"), ("yang", "ryang"), 0.01),
    Surname("노", "로", "盧卢", ("lu",), ("roh", "noh", "no", "ro", "rho"), 0.004),
    Surname("심", "심", "沈", ("shen",), ("shim", "sim"), 0.005),
    Surname("허", "허", "許许", ("xu",), ("heo", "huh", "hur", "ho"), 0.006),
    Surname("배", "배", "裴", ("pei",), ("bae", "pae"), 0.008),
    Surname("백", "백", "白", ("bai",), ("baek", "paek", "paik", "baik"), 0.008),
    Surname("문", "문", "文", ("wen",), ("moon", "mun"), 0.009),
    Surname("손", "손", "孫孙", ("sun",), ("son", "sohn"), 0.009),
    Surname("고", "고", "高", ("gao",), ("ko", "koh", "go"), 0.009),
    Surname("남", "남", "南", ("nan",), ("nam",), 0.006),
    Surname("주", "주", "朱周", ("zhu", "zhou"), ("joo", "ju", "chu"), 0.004),
    Surname("진", "진", "陳陈秦", ("chen", "qin"), ("jin", "chin"), 0.003),
    Surname("차", "차", "車车", ("che",), ("cha",), 0.004),
    Surname("방", "방", "方", ("fang",), ("bang", "pang"), 0.002),
    Surname("남궁", "남궁", "南宮南宫", ("nangong",), ("namgung", "namkung"), 0.0004),
    Surname("황보", "황보", "皇甫", ("huangfu",), ("hwangbo",), 0.0002),
    Surname("제갈", "제갈", "諸葛诸葛", ("zhuge",), ("jegal", "chegal"), 0.0001),
    Surname("선우", "선우", "鮮于鲜于", ("xianyu",), ("sunwoo", "seonu", "sonu"), 0.0001),
    Surname("사공", "사공", "司空", ("sikong",), ("sagong",), 0.0001),
)

COMPOUND = tuple(s for s in SURNAMES if len(s.hangul) == 2)
