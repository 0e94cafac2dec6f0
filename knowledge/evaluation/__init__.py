"""Measuring the search, offline: never imported by the running bot.

* :mod:`.chunking` free text (XQuAD paragraphs) into passages, as the catalogue never needs
* :mod:`.datasets` the JSON Lines corpus and query files of ``citizenbot evaluate``
* :mod:`.metrics` recall@k and reciprocal rank
* :mod:`.retrieval` R@k and MRR@10 of an index per search mode
* :mod:`.labelled_questions` the catalogue scored against labelled citizen questions
"""
