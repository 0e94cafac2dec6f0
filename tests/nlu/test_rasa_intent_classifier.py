"""The linear intent classifier inside real Rasa: training, unseen wording, ranking, storage.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.rasa_env

classifier_module = pytest.importorskip("nlu.rasa_intent_classifier")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from nlu.rasa_sentence_featurizer import UniversalSentenceFeaturizer  # noqa: E402
from nlu.rasa_tokenizer import ThaiTokenizer  # noqa: E402

EXAMPLES = {
    "ask_fee": [
        "ค่าธรรมเนียมเท่าไหร่",
        "ต้องจ่ายกี่บาท",
        "เสียเงินไหม",
        "how much does it cost",
        "what is the fee",
        "is it free",
    ],
    "ask_human": [
        "ขอคุยกับเจ้าหน้าที่",
        "อยากคุยกับคนจริง",
        "ติดต่อเจ้าหน้าที่ได้ไหม",
        "talk to a person",
        "connect me to an officer",
        "I want a human",
    ],
    "greet": ["สวัสดีครับ", "หวัดดีค่ะ", "ดีจ้า", "hello", "hi there", "good morning"],
}


def _pipeline():
    tokenizer = ThaiTokenizer(ThaiTokenizer.get_default_config())
    featurizer = UniversalSentenceFeaturizer("use", UniversalSentenceFeaturizer.get_default_config())
    return tokenizer, featurizer


def _messages(texts, tokenizer, featurizer, intent=None):
    messages = [Message(data={TEXT: text, **({INTENT: intent} if intent else {})}) for text in texts]
    tokenizer.process(messages)
    featurizer.process(messages)
    return messages


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tokenizer, featurizer = _pipeline()
    examples = [
        message
        for intent, texts in EXAMPLES.items()
        for message in _messages(texts, tokenizer, featurizer, intent=intent)
    ]
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("linear_intent_classifier")
    context = ExecutionContext(GraphSchema({}), node_name="linear_intent_classifier")
    config = classifier_module.LinearIntentClassifier.get_default_config()
    classifier = classifier_module.LinearIntentClassifier.create(config, storage, resource, context)
    classifier.train(TrainingData(examples))
    return classifier, storage, resource, context, config, tokenizer, featurizer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("are there any costs involved", "ask_fee"),  # no word of it was trained on
        ("ค่าใช้จ่ายประมาณเท่าไร", "ask_fee"),
        ("มีพนักงานให้คุยไหม", "ask_human"),
        ("สวัสดีค่ะ", "greet"),
    ],
)
def test_unseen_wording_gets_the_intended_meaning(trained, text, intent):
    classifier, *_, tokenizer, featurizer = trained
    (message,) = classifier.process(_messages([text], tokenizer, featurizer))
    assert message.get(INTENT)["name"] == intent


def test_ranking_lists_every_intent_most_likely_first_as_probabilities(trained):
    classifier, *_, tokenizer, featurizer = trained
    (message,) = classifier.process(_messages(["how much is it"], tokenizer, featurizer))
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == message.get(INTENT)["name"]
    assert {entry["name"] for entry in ranking} == set(EXAMPLES)
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_stored_model_gives_the_same_answers_after_loading(trained):
    classifier, storage, resource, context, config, tokenizer, featurizer = trained
    texts = ["ต้องจ่ายเงินเท่าไหร่คะ", "get me an agent", "hey"]
    before = [m.get("intent_ranking") for m in classifier.process(_messages(texts, tokenizer, featurizer))]
    loaded = classifier_module.LinearIntentClassifier.load(config, storage, resource, context)
    after = [m.get("intent_ranking") for m in loaded.process(_messages(texts, tokenizer, featurizer))]
    for first, second in zip(before, after, strict=True):
        assert [e["name"] for e in first] == [e["name"] for e in second]
        np.testing.assert_allclose([e["confidence"] for e in first], [e["confidence"] for e in second])


def test_model_is_stored_without_pickle(trained):
    _, storage, resource, *_ = trained
    with storage.read_from(resource) as directory:
        arrays = np.load(directory / classifier_module.MODEL_FILE, allow_pickle=False)
        assert {"coef", "intercept", "char_idf", "word_idf"} <= set(arrays.files)


def test_missing_sentence_featurizer_is_reported_clearly(trained):
    classifier, *_, tokenizer, _featurizer = trained
    message = Message(data={TEXT: "ค่าธรรมเนียมเท่าไหร่"})
    tokenizer.process([message])
    with pytest.raises(ValueError, match="dense sentence featurizer"):
        classifier.process([message])


def test_messages_without_text_are_left_alone(trained):
    classifier, *_ = trained
    message = Message(data={})
    classifier.process([message])
    assert message.get(INTENT) is None


@pytest.mark.parametrize("text", ["???", "...", " ?! ", "「」", "—"])
def test_punctuation_alone_gives_no_intent_preference(trained, text):
    """ "???" carries no request: an even ranking sends it to the fallback, not to small talk."""
    classifier, *_, tokenizer, featurizer = trained
    (message,) = _messages([text], tokenizer, featurizer)
    classifier.process([message])
    confidences = [entry["confidence"] for entry in message.get("intent_ranking")]
    assert confidences == pytest.approx([1 / len(EXAMPLES)] * len(EXAMPLES))
    assert message.get(INTENT)["confidence"] == pytest.approx(1 / len(EXAMPLES))


def test_words_with_punctuation_and_emoji_are_still_classified(trained):
    classifier, *_, tokenizer, featurizer = trained
    messages = _messages(["hello!", "สวัสดี?", "👍"], tokenizer, featurizer)
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages[:2]] == ["greet", "greet"]
    thumbs_up = [entry["confidence"] for entry in messages[2].get("intent_ranking")]
    assert max(thumbs_up) > min(thumbs_up)  # an emoji can be a rating: it is not flattened
