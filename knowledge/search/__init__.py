"""Hybrid search over the service catalogue: sentence embeddings (faiss) fused with BM25F words.

One concept per module, low to high:

* :mod:`.passages` what is indexed and what a search returns (``Passage``, ``SearchHit``)
* :mod:`.analyzers` text to index terms: Thai/English words, Thai character trigrams, stopwords
* :mod:`.bm25` the incremental BM25F index the lexical channels use
* :mod:`.term_bridge` unseen query words to indexed words, through the encoder's space
* :mod:`.vocabulary_neighbours`, :mod:`.spelling` misspelt Thai to indexed words, by sound
  (PyThaiNLP soundex) and edit distance; the query is corrected before it is searched
* :mod:`.dense` exact inner-product search over passage vectors (faiss)
* :mod:`.fusion` how dense and lexical evidence become one score per document
* :mod:`.read_write_lock`, :mod:`.vector_cache` the concurrency and caching the index needs
* :mod:`.index` ``HybridIndex``: updates, ranking, and the lock that keeps them apart
* :mod:`.persistence` the on-disk format ``HybridIndex.save`` writes and ``HybridIndex.load`` reads

Evaluation-only code (chunking free text, metrics, labelled questions) lives in
:mod:`knowledge.evaluation`, which the production path never imports.
"""
