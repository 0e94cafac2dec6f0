"""The USE sentence featurizer inside real Rasa: features attached, meaning across languages.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.rasa_env

featurizer_module = pytest.importorskip("nlu.rasa_sentence_featurizer")

from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402


def _featurizer(**config):
    cls = featurizer_module.UniversalSentenceFeaturizer
    return cls("usef", {**cls.get_default_config(), **config})


def _sentence_vector(message: Message) -> np.ndarray:
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None, "only sentence features: count vectors carry the tokens"
    assert sentence is not None
    return np.asarray(sentence.features)


def test_every_message_gets_one_unit_sentence_vector():
    messages = [Message(data={TEXT: text}) for text in ["ต่อบัตรประชาชน", "renew my passport", "๕๕๕๕"]]
    _featurizer().process(messages)
    for message in messages:
        vector = _sentence_vector(message)
        assert vector.shape == (1, 512)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


def test_training_data_is_featurized_in_batches_and_empty_text_is_skipped():
    examples = [Message(data={TEXT: f"ข้อความที่ {n}", INTENT: "inform"}) for n in range(5)]
    examples.append(Message(data={INTENT: "inform"}))
    _featurizer(batch_size=2).process_training_data(TrainingData(examples))
    for example in examples[:5]:
        assert _sentence_vector(example).shape == (1, 512)
    assert examples[5].get_dense_features(TEXT) == (None, None)


def test_paraphrases_in_thai_and_english_are_closer_than_other_requests():
    """The reason for the component: an unseen wording lands near the meaning, in either language."""
    texts = [
        "ค่าธรรมเนียมเท่าไหร่",  # how much is the fee (Thai)
        "are there any costs involved",  # the same question in new English words
        "ขอคุยกับเจ้าหน้าที่หน่อย",  # I want to talk to an officer
    ]
    vectors = featurizer_module.EMBEDDER.embed(texts)
    fee_th, fee_en, human = vectors
    assert float(fee_th @ fee_en) > float(fee_th @ human)
    assert float(fee_en @ fee_th) > float(fee_en @ human)


def test_text_is_normalised_before_encoding():
    """Elongation and Thai digits must not move the vector: citizens type them all the time."""
    plain = featurizer_module.EMBEDDER.embed(["ขอบคุณครับ อายุ 15 ปี"])[0]
    typed = featurizer_module.EMBEDDER.embed([featurizer_module.normalize_text("ขอบคุณครับบบบ อายุ ๑๕ ปี")])[0]
    assert float(plain @ typed) > 0.99


def test_bad_config_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="batch_size"):
        _featurizer(batch_size=0)
