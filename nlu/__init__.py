"""Thai-aware language tools shared by the Rasa process and the gateway.

Pure Python plus PyThaiNLP, so both environments import it. The Rasa component
lives in :mod:`nlu.rasa_tokenizer` and is only imported by Rasa itself.
"""

from nlu.language import Language, detect_language, reply_language
from nlu.normalize import normalize_text, remove_zero_width, thai_digits_to_arabic
from nlu.tokens import WordSpan, tokenize_with_offsets, word_list

__all__ = [
    "Language",
    "WordSpan",
    "detect_language",
    "normalize_text",
    "remove_zero_width",
    "reply_language",
    "thai_digits_to_arabic",
    "tokenize_with_offsets",
    "word_list",
]
