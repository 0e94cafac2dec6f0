"""The word bridge, with hand-made vectors: unknown query words to the nearest indexed words."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.search.term_bridge import TermBridge


def test_bridge_translates_unknown_words_to_nearest_active_terms():
    bridge = TermBridge(dimension=3, top_k=2, min_similarity=0.5)
    vectors = np.eye(3, dtype=np.float32)
    bridge.add(["แม่น้ำ", "ภูเขา", "ทะเล"], vectors)
    bridge.set_active(["แม่น้ำ", "ภูเขา"], True)  # "ทะเล" is in no document right now
    river = np.array([[0.9, 0.1, 0.0]], dtype=np.float32)
    river /= np.linalg.norm(river)
    assert bridge.expand(river) == {"แม่น้ำ": pytest.approx((river[0, 0] - 0.5) / 0.5)}
    sea = np.array([[0.0, 0.0, 1.0]], dtype=np.float32)
    assert bridge.expand(sea) == {}
    assert bridge.missing(["แม่น้ำ", "new", "2015", "the", "x"]) == ["new"]
    assert TermBridge.translatable(["how", "many", "river", "1990"]) == ["river"]
