"""Generate src/asylon/matching/unihan.py from the Unicode Character Database's Unihan files.

Usage: `python scripts/unihan_tables.py [UNICODE_DIR]` (default /usr/share/unicode, where Debian's
`unicode-data` package puts Unihan_Readings.txt.bz2 and Unihan_Variants.txt.bz2; plain .txt works too).
Unihan is under the Unicode License v3. The output is data only; rerun this to change it.

Tables written:
- HANGUL_READINGS: character → its kHangul readings, primary first (see `_rank`); a character
  without kHangul borrows those of a Z or semantic variant (see `_borrowed`).
- TRADITIONAL: simplified character → its traditional variant, where that differs.
- PINYIN_READINGS: toneless pinyin syllable → Korean readings of the GB 2312 characters read so
  (kMandarin, kXHC1983, kTGHZ2013), most frequent first; readings shared by fewer than two
  characters dropped unless they are the only ones. Same shape as the old pypinyin-built table.
"""

from __future__ import annotations

import bz2
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "asylon" / "matching" / "unihan.py"
WIDTH = 110  # display columns per emitted line (Hangul and Han count two), for ruff's line length


def _lines(directory: Path, name: str) -> Iterator[str]:
    plain = directory / f"{name}.txt"
    if plain.exists():
        yield from plain.read_text(encoding="utf-8").splitlines()
        return
    with bz2.open(directory / f"{name}.txt.bz2", "rt", encoding="utf-8") as handle:
        yield from (line.rstrip("\n") for line in handle)


def _fields(directory: Path, name: str, wanted: set[str]) -> tuple[str, dict[str, dict[str, str]]]:
    version, out = "?", defaultdict[str, dict[str, str]](dict)
    for line in _lines(directory, name):
        if line.startswith("# Unicode version:"):
            version = line.split(":", 1)[1].strip()
        if not line or line.startswith("#"):
            continue
        code, field, value = line.split("\t", 2)
        if field in wanted:
            out[chr(int(code[2:], 16))][field] = value
    return version, dict(out)


def _initial_law(syllable: str) -> str:
    index = ord(syllable) - 0xAC00
    initial, vowel, final = index // 588, (index % 588) // 28, index % 28
    iotized = vowel in {2, 3, 6, 7, 12, 17, 20}
    if initial == 5:
        initial = 11 if iotized else 2
    elif initial == 2 and iotized:
        initial = 11
    return chr(0xAC00 + initial * 588 + vowel * 28 + final)


def _rank(value: str) -> str:
    """kHangul `리:0E 이:0` → "리이", ordered: educational (E) readings first, then by number of
    sources, then file order; a reading that is only the initial-sound-law form of another (이 of
    리) goes last, as the matcher applies that law itself."""
    entries = []
    for position, item in enumerate(value.split()):
        reading, _, tags = item.partition(":")
        entries.append((reading, "E" in tags, sum(c.isdigit() for c in tags), position))
    listed = {e[0] for e in entries}
    derived_only = {r for r in listed if any(_initial_law(o) == r != o for o in listed)}
    entries.sort(key=lambda e: (e[0] in derived_only, not e[1], -e[2], e[3]))
    return "".join(dict.fromkeys(e[0] for e in entries))


def _chars(value: str) -> list[str]:
    return [chr(int(m, 16)) for m in re.findall(r"U\+([0-9A-F]+)", value)]


def _traditional(variants: dict[str, dict[str, str]], hangul: dict[str, str]) -> dict[str, str]:
    """A simplified character to its first listed traditional variant other than itself. Unihan
    lists many simplified forms as their own traditional variant too (郑 beside 鄭); such a
    character keeps itself only where Korean reads it in its own right (沈 is no 瀋)."""
    out = {}
    for char, fields in variants.items():
        targets = _chars(fields.get("kTraditionalVariant", ""))
        others = [t for t in targets if t != char]
        if others and (char not in targets or char not in hangul):
            out[char] = others[0]
    return out


def _borrowed(variants: dict[str, dict[str, str]], hangul: dict[str, str]) -> dict[str, str]:
    """Readings for characters without kHangul, from a variant that has one: Korea writes 鎭
    where China's traditional form is 鎮 (kZVariant), and likewise for semantic variants."""
    out = {}
    for char, fields in sorted(variants.items()):
        if char in hangul:
            continue
        for field in ("kZVariant", "kSemanticVariant", "kSpecializedSemanticVariant"):
            found = [hangul[v] for v in _chars(fields.get(field, "")) if v in hangul]
            if found:
                out[char] = found[0]
                break
    return out


def _toneless(syllable: str) -> str:
    plain = unicodedata.normalize("NFD", syllable.lower()).replace("u\u0308", "v")
    return "".join(c for c in plain if "a" <= c <= "z")


def _gb2312() -> list[str]:
    chars = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _pinyin(readings: dict[str, dict[str, str]], hangul: dict[str, str], trad: dict[str, str]) -> dict[str, str]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for char in _gb2312():
        fields = readings.get(char, {})
        korean = hangul.get(trad.get(char, char)) or hangul.get(char)
        if not korean:
            continue
        sounds = set()
        for field in ("kMandarin", "kXHC1983", "kTGHZ2013"):
            for token in fields.get(field, "").split():
                for syllable in token.split(":")[-1].split(","):
                    sounds.add(_toneless(syllable))
        for sound in sounds - {""}:
            counts[sound][korean[0]] += 1
    out = {}
    for sound, counter in sorted(counts.items()):
        ranked = [r for r, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]
        kept = [r for r in ranked if counter[r] >= 2] or ranked
        out[sound] = "".join(kept)
    return out


def _chunks(text: str) -> list[str]:
    chunks, current, width = [], "", 6  # the indent and quotes
    for char in text:
        cost = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if width + cost > WIDTH:
            chunks.append(current)
            current, width = "", 6
        current, width = current + char, width + cost
    return [*chunks, current]


def _emit(version: str, hangul: dict[str, str], trad: dict[str, str], pinyin: dict[str, str]) -> str:
    by_reading: dict[str, list[str]] = defaultdict(list)
    for char in sorted(hangul):
        by_reading[hangul[char]].append(char)
    packed = "".join(r + "".join(cs) for r, cs in sorted(by_reading.items()))
    pairs = "".join(s + t for s, t in sorted(trad.items()))
    lines = [
        f'"""Generated by scripts/unihan_tables.py from Unihan {version}, Unicode License v3; do not edit.',
        "",
        "HANGUL_READINGS: character → its kHangul readings, primary first. TRADITIONAL: simplified →",
        "traditional variant where different. PINYIN_READINGS: toneless pinyin → Korean readings of the",
        "GB 2312 characters read so, most frequent first.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# Runs of Hangul readings, each followed by the characters that have exactly those readings.",
        "_HANGUL = (",
        *(f'    "{chunk}"' for chunk in _chunks(packed)),
        ")",
        "# Simplified and traditional characters in pairs.",
        "_TRADITIONAL = (",
        *(f'    "{chunk}"' for chunk in _chunks(pairs)),
        ")",
        "# `syllable:readings` separated by spaces.",
        "_PINYIN = (",
        *(f'    "{chunk}"' for chunk in _chunks(" ".join(f"{s}:{r}" for s, r in pinyin.items()))),
        ")",
        "",
        "",
        "def _hangul() -> dict[str, str]:",
        "    out: dict[str, str] = {}",
        '    reading = ""',
        "    hangul = False",
        "    for char in _HANGUL:",
        '        if "가" <= char <= "힣":',
        "            reading = reading + char if hangul else char",
        "            hangul = True",
        "        else:",
        "            out[char] = reading",
        "            hangul = False",
        "    return out",
        "",
        "",
        "HANGUL_READINGS: dict[str, str] = _hangul()",
        "TRADITIONAL: dict[str, str] = dict(zip(_TRADITIONAL[::2], _TRADITIONAL[1::2], strict=True))",
        "PINYIN_READINGS: dict[str, str] = {",
        '    sound: readings for sound, _, readings in (item.partition(":") for item in _PINYIN.split())',
        "}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    directory = Path(argv[1] if len(argv) > 1 else "/usr/share/unicode")
    version, readings = _fields(directory, "Unihan_Readings", {"kHangul", "kMandarin", "kXHC1983", "kTGHZ2013"})
    wanted = {"kTraditionalVariant", "kZVariant", "kSemanticVariant", "kSpecializedSemanticVariant"}
    _, variants = _fields(directory, "Unihan_Variants", wanted)
    hangul = {c: _rank(f["kHangul"]) for c, f in readings.items() if "kHangul" in f}
    listed = len(hangul)
    hangul |= _borrowed(variants, hangul)
    trad = _traditional(variants, hangul)
    text = _emit(version, hangul, trad, _pinyin(readings, hangul, trad))
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(text.encode())} bytes; {listed} kHangul + {len(hangul) - listed} borrowed readings, ", end="")
    print(f"{len(trad)} traditional, ", end="")
    print(f"Unihan {version}")


if __name__ == "__main__":
    main(sys.argv)
