"""The tokenizer inside real Rasa: the component API and the trained model's pipeline.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only.
"""

from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa_env

rasa_tokenizer = pytest.importorskip("nlu.rasa_tokenizer")

from rasa.nlu.constants import TOKENS_NAMES  # noqa: E402
from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "citizenbot.tar.gz"


def _tokenizer(**config):
    defaults = rasa_tokenizer.ThaiTokenizer.get_default_config()
    return rasa_tokenizer.ThaiTokenizer({**defaults, **config})


@pytest.mark.parametrize(
    "text",
    [
        "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร",
        "How do I renew my passport?",
        "ขอ passport ใหม่ครับบบ",
        "ขอบคุณ 🙏 มากครับ",
        "อายุ ๑๕ ปี ทำบัตรได้ไหม",
    ],
)
def test_tokens_quote_the_text_exactly(text):
    message = Message(data={TEXT: text})
    _tokenizer().process([message])
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert tokens, "no tokens"
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.text.strip()


def test_lemma_carries_the_normalised_case_folded_form():
    message = Message(data={TEXT: "Passport ๑๕ ครับบบ"})
    _tokenizer(case_folding=True).process([message])
    lemmas = [t.lemma for t in message.get(TOKENS_NAMES[TEXT])]
    assert lemmas == ["passport", "15", "ครับ"]


def test_training_data_intents_are_tokenized():
    data = TrainingData([Message(data={TEXT: "สวัสดีครับ", INTENT: "greet"})])
    _tokenizer().process_training_data(data)
    tokens = data.training_examples[0].get(TOKENS_NAMES[INTENT])
    assert [t.text for t in tokens] == ["greet"]


@pytest.fixture(scope="module")
def agent():
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; `make model` trains it")
    import asyncio

    from rasa.core.agent import Agent

    return asyncio.run(_load(Agent, MODEL))


async def _load(agent_class, model):
    return agent_class.load(str(model))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร", {"ask_service", "ask_documents"}),
        ("How do I renew my passport?", "ask_service"),
        ("สวัสดีครับ", "greet"),
        ("thank you so much", "thanks"),
        ("ขอบคุณมากค่ะ", "thanks"),
    ],
)
def test_trained_pipeline_classifies_thai_and_english(agent, text, intent):
    import asyncio

    result = asyncio.run(agent.parse_message(text))
    expected = intent if isinstance(intent, set) else {intent}
    assert result["intent"]["name"] in expected


def test_trained_pipeline_entity_offsets_match_the_text(agent):
    import asyncio

    text = "ขอดูบริการเกี่ยวกับการเกิด"
    result = asyncio.run(agent.parse_message(text))
    assert result["intent"]["name"] == "browse_life_event"
    entities = [e for e in result["entities"] if e["entity"] == "life_event"]
    assert entities, result
    entity = entities[0]
    assert text[entity["start"] : entity["end"]] == "การเกิด"
    assert entity["value"] == "birth"
