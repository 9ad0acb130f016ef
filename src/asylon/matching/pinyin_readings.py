"""Korean readings of each toneless pinyin syllable, most frequent first.

Built by scripts/unihan_tables.py from Unihan (kMandarin, kXHC1983, kTGHZ2013 and kHangul) over
the GB 2312 characters; readings shared by fewer than two characters dropped unless they are the
only ones. The table itself lives in the generated module `unihan`.
"""

from __future__ import annotations

from asylon.matching.unihan import PINYIN_READINGS

READINGS: dict[str, str] = PINYIN_READINGS
