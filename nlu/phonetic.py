"""Thai phonetic keys: words that sound alike share a key, however they are spelt.

Citizens spell by ear: a final น typed as ล ("บัตรประชาชล"), ค as ข ("ประกันสังขม"), a tone mark
missing or wrong ("หยา", "ใบขับขี้"). PyThaiNLP's soundex engines give such variants one key, so a
misspelt word can be looked up among the words we know by how it sounds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from nlu.normalize import normalize_text

__all__ = ["DEFAULT_SOUNDEX_ENGINE", "SOUNDEX_ENGINES", "sound_key"]

# Every PyThaiNLP 5.4 soundex engine; all of them are rule-based and work offline.
SOUNDEX_ENGINES = ("lk82", "udom83", "metasound", "prayut_and_somchaip", "complete_soundex")
DEFAULT_SOUNDEX_ENGINE = "lk82"

_THAI_WORD = re.compile(r"[\u0e01-\u0e4e]+")


@lru_cache(maxsize=1)
def _soundex() -> Callable[..., str]:
    # Imported lazily, like the tokenizer: importing nlu must stay cheap.
    from pythainlp.soundex import soundex

    return soundex


def sound_key(word: str, engine: str = DEFAULT_SOUNDEX_ENGINE) -> str:
    """Phonetic key of a Thai word; ``""`` for an empty word or one with non-Thai characters.

    Why no key for Latin: these engines encode Thai letters; "abc" would get a key that means nothing.

    :Example:

        >>> sound_key("บัตรประชาชล") == sound_key("บัตรประชาชน")
        True
        >>> sound_key("ประกันสังขม", engine="udom83") == sound_key("ประกันสังคม", engine="udom83")
        True
        >>> sound_key("passport")
        ''
        >>> sound_key("")
        ''
    """
    if engine not in SOUNDEX_ENGINES:
        raise ValueError(f"unknown soundex engine {engine!r}; choose one of {', '.join(SOUNDEX_ENGINES)}")
    if not word:
        return ""
    word = normalize_text(word)
    if not _THAI_WORD.fullmatch(word):
        return ""
    return _soundex()(word, engine=engine)
