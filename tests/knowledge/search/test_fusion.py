"""The fusion maths by hand: the dense aggregate, the lexical channels' mean, the fused score."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.search.fusion import dense_document_scores, fused_scores, lexical_evidence


def test_dense_score_mixes_the_best_passage_with_the_mean_of_field_bests():
    # Document 0: title 0.9, two summary passages 0.2 and 0.4. Document 1: one title passage 0.5.
    sims = np.array([0.9, 0.2, 0.4, 0.5])
    best, aggregate = dense_document_scores(sims, np.array([3, 1]), np.array([0, 1, 1, 0]), 2, max_weight=0.25)
    assert best.tolist() == pytest.approx([0.9, 0.5])
    # Fields vote once each (the summary with its best passage, 0.4), not once per passage.
    assert aggregate.tolist() == pytest.approx([0.25 * 0.9 + 0.75 * (0.9 + 0.4) / 2, 0.5])


def test_lexical_evidence_is_the_weighted_mean_of_the_channels():
    words, chars = np.array([1.0, 0.0, 0.5]), np.array([0.0, 1.0, 0.5])
    assert lexical_evidence([(words, 0.35), (chars, 0.5)], 3).tolist() == pytest.approx([0.35 / 0.85, 0.5 / 0.85, 0.5])
    assert lexical_evidence([], 2).tolist() == [0.0, 0.0]  # dense mode: no lexical channel


def test_fused_score_weighs_dense_against_the_channels_the_query_uses():
    dense, lexical = np.array([0.8, 0.2]), np.array([0.0, 1.0])
    assert fused_scores("hybrid", dense, lexical, 0.35).tolist() == pytest.approx([0.8 / 1.35, 0.55 / 1.35])
    assert fused_scores("dense", dense, lexical, 0.35) is dense
    assert fused_scores("lexical", dense, lexical, 0.35) is lexical
    # Agreeing evidence keeps its scale whatever the share: a perfect match stays 1.
    assert fused_scores("hybrid", np.ones(1), np.ones(1), 0.85).tolist() == pytest.approx([1.0])
