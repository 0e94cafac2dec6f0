import pytest

from knowledge.life_event_words import WORDS_FILE, life_event_in
from knowledge.schema import LifeEvent


@pytest.mark.parametrize(
    ("message", "event"),
    [
        ("ลูกเพิ่งคลอด ต้องทำอะไรบ้าง", LifeEvent.BIRTH),
        ("พ่อเสียชีวิตเมื่อคืน ต้องทำอะไรก่อน", LifeEvent.DEATH),
        ("My father died, what do I need to do?", LifeEvent.DEATH),
        ("we just got MARRIED, anything to register?", LifeEvent.FAMILY),
        ("เพิ่งตกงานเดือนนี้", LifeEvent.WORK),
        ("แม่จะอายุครบ 60 ปีเดือนหน้า", LifeEvent.RETIREMENT_WELFARE),
    ],
)
def test_a_life_event_is_found_in_a_citizens_words(message, event):
    assert life_event_in(message) == event


def test_death_comes_before_birth_and_english_words_match_whole():
    assert life_event_in("my father died the day after my son was born") == LifeEvent.DEATH
    assert life_event_in("I am a jobseeker") is None  # "job" only as a word of its own
    assert life_event_in("ต่ออายุพาสปอร์ต") is None


def test_every_entry_names_a_known_life_event():
    import yaml

    for name in yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")):
        assert LifeEvent(name)
