"""Topics outside the catalogue: the seed files load, and a bad file says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.referrals import REFERRAL_PREFIX, ReferralError, fingerprint, load_referrals

TOPIC = """
- id: firearm-licence
  title: {th: ใบอนุญาตมีและใช้อาวุธปืน, en: Firearm licence}
  refer_to: {th: ยื่นที่ที่ว่าการอำเภอ, en: Apply at the district office.}
  agency: {th: กรมการปกครอง, en: Department of Provincial Administration}
  keywords: {th: [ใบอนุญาตปืน], en: [gun licence]}
  example_questions: {th: ["ขอใบอนุญาตมีปืนต้องทำยังไง"], en: ["How do I get a gun licence?"]}
"""


def _write(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(content, encoding="utf-8")
    return folder


def test_the_seed_topics_load_are_unverified_and_never_share_an_id_with_a_service(seed_services):
    topics = load_referrals()
    assert len(topics) >= 100
    assert all(topic.unverified for topic in topics)
    assert not {t.id for t in topics} & {s.id for s in seed_services}
    for topic in topics:
        assert topic.doc_id.startswith(REFERRAL_PREFIX)
        assert len(topic.example_questions.th) >= 4 and len(topic.example_questions.en) >= 4, topic.id


def test_a_missing_folder_means_no_topics(tmp_path):
    assert load_referrals(tmp_path / "absent") == []


def test_a_wrong_field_names_the_file_the_topic_and_the_field(tmp_path):
    folder = _write(tmp_path / "r", "licences.yaml", TOPIC.replace("agency:", "agencyy:"))
    with pytest.raises(ReferralError, match=r"licences\.yaml: topic firearm-licence: .*agency"):
        load_referrals(folder)


def test_an_id_used_twice_is_refused(tmp_path):
    folder = _write(tmp_path / "r", "a.yaml", TOPIC)
    _write(folder, "b.yaml", TOPIC)
    with pytest.raises(ReferralError, match="used twice"):
        load_referrals(folder)


def test_unreadable_yaml_is_refused_with_the_file_name(tmp_path):
    folder = _write(tmp_path / "r", "broken.yaml", "- id: [unclosed\n")
    with pytest.raises(ReferralError, match=r"broken\.yaml"):
        load_referrals(folder)


def test_the_fingerprint_follows_the_topics(tmp_path):
    one = load_referrals(_write(tmp_path / "one", "a.yaml", TOPIC))
    two = load_referrals(_write(tmp_path / "two", "a.yaml", TOPIC.replace("district office.", "district office!")))
    assert fingerprint(one) == fingerprint(one) != fingerprint(two)
