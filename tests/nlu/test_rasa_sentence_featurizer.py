"""The USE sentence featurizer inside real Rasa: built and run the way a Rasa graph does.

Each component is made by its ``create`` with a real ``LocalModelStorage``, messages are
tokenised by our tokenizer first (the featurizer requires one), and the features Rasa stores on
each message are checked against the encoder itself.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.rasa_env

featurizer_module = pytest.importorskip("nlu.rasa_sentence_featurizer")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.constants import TOKENS_NAMES  # noqa: E402
from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from nlu.embedders import UniversalSentenceEncoderEmbedder  # noqa: E402
from nlu.normalize import normalize_text  # noqa: E402
from nlu.rasa_tokenizer import ThaiTokenizer  # noqa: E402

FEATURIZER_NODE = "use_sentence_featurizer"
ENCODER = UniversalSentenceEncoderEmbedder()


def _create(component_class, node_name, tmp_path, **config):
    """As a Rasa graph node does: defaults merged with the pipeline's config, then ``create``."""
    storage = LocalModelStorage(tmp_path / "storage")
    context = ExecutionContext(GraphSchema({}), node_name=node_name)
    merged = {**component_class.get_default_config(), **config}
    return component_class.create(merged, storage, Resource(node_name), context)


@pytest.fixture
def tokenizer(tmp_path):
    return _create(ThaiTokenizer, "thai_tokenizer", tmp_path)


@pytest.fixture
def featurizer(tmp_path):
    return _create(featurizer_module.UniversalSentenceFeaturizer, FEATURIZER_NODE, tmp_path)


def _featurized(texts, tokenizer, featurizer):
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    assert all(message.get(TOKENS_NAMES[TEXT]) for message in messages), "the tokenizer must run first"
    return featurizer.process(messages)


def _sentence_vector(message: Message) -> np.ndarray:
    sequence, sentence = message.get_dense_features(TEXT, featurizers=[FEATURIZER_NODE])
    assert sequence is None, "only sentence features: count vectors carry the tokens"
    assert sentence is not None, "no sentence feature from the featurizer"
    assert sentence.origin == [FEATURIZER_NODE], "one sentence feature, from this component"
    return np.asarray(sentence.features)


def _expected(text: str) -> np.ndarray:
    return ENCODER.embed([normalize_text(text)])


def test_each_message_gets_the_encoders_512_dim_vector_of_its_normalised_text(tokenizer, featurizer):
    texts = ["ต่อบัตรประชาชน", "renew my passport", "ขอ passport ใหม่ครับบบ", "อายุ ๑๕ ปี ทำบัตรได้ไหม"]
    for text, message in zip(texts, _featurized(texts, tokenizer, featurizer), strict=True):
        vector = _sentence_vector(message)
        assert vector.shape == (1, 512)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)
        np.testing.assert_allclose(vector, _expected(text), atol=1e-5)


def test_different_sentences_get_different_vectors(tokenizer, featurizer):
    id_card, passport = (
        _sentence_vector(m)[0] for m in _featurized(["ต่อบัตรประชาชน", "renew my passport"], tokenizer, featurizer)
    )
    assert float(id_card @ passport) < 0.9


def test_elongation_thai_digits_and_zero_width_do_not_move_the_vector(tokenizer, featurizer):
    """Citizens type these all the time; the meaning is the same."""
    plain, typed = _featurized(["ขอบคุณครับ อายุ 15 ปี", "ขอบคุณครับบบบ อายุ ๑๕\u200b ปี"], tokenizer, featurizer)
    np.testing.assert_allclose(_sentence_vector(typed), _sentence_vector(plain), atol=1e-5)


def test_training_data_is_featurized_in_batches_in_order_and_empty_text_is_skipped(tokenizer, tmp_path):
    featurizer = _create(featurizer_module.UniversalSentenceFeaturizer, FEATURIZER_NODE, tmp_path, batch_size=2)
    texts = [f"ข้อความที่ {n} เรื่องบัตรประชาชน" for n in range(5)]
    examples = [Message(data={TEXT: text, INTENT: "inform"}) for text in texts]
    examples.append(Message(data={INTENT: "inform"}))
    data = TrainingData(examples)
    tokenizer.process_training_data(data)
    assert featurizer.process_training_data(data) is data
    for text, example in zip(texts, examples[:5], strict=True):
        np.testing.assert_allclose(_sentence_vector(example), _expected(text), atol=1e-5)
    assert examples[5].get_dense_features(TEXT) == (None, None)


def test_paraphrases_in_thai_and_english_are_closer_than_other_requests(tokenizer, featurizer):
    """The reason for the component: an unseen wording lands near the meaning, in either language."""
    texts = [
        "ค่าธรรมเนียมเท่าไหร่",  # how much is the fee (Thai)
        "are there any costs involved",  # the same question in new English words
        "ขอคุยกับเจ้าหน้าที่หน่อย",  # I want to talk to an officer
    ]
    fee_th, fee_en, human = (_sentence_vector(m)[0] for m in _featurized(texts, tokenizer, featurizer))
    assert float(fee_th @ fee_en) > float(fee_th @ human)
    assert float(fee_en @ fee_th) > float(fee_en @ human)


def test_bad_config_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        _create(featurizer_module.UniversalSentenceFeaturizer, FEATURIZER_NODE, tmp_path, batch_size=0)
