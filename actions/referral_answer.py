"""How a matter outside the catalogue is told: who handles it, as a referral nobody has confirmed."""

from __future__ import annotations

from knowledge.referrals import Referral
from texts import Lang, text

__all__ = ["referral_text"]


def referral_text(referral: Referral, lang: Lang) -> str:
    """Says the catalogue does not cover it, names the agency and how to reach it, and offers 1111."""
    sentence = text(
        "answers.referral",
        lang,
        title=referral.title.get(lang),
        agency=referral.agency.get(lang),
        refer_to=referral.refer_to.get(lang),
    )
    extras = [str(referral.url)] if referral.url else []
    return "\n".join([sentence, *extras])
