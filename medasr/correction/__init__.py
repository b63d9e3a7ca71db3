"""medasr.correction: medical terms heard wrong, fixed or flagged, every change an ``Edit``.

``base`` (the Corrector protocol and its registry), ``modes`` (none / lexicon / bart / both,
defined once), ``lexicon`` and ``lexicon_spans`` (vocabulary matching in context),
``confusions`` (the training pairs' learned confusions, as candidates), ``bart/`` (the BART
corrector: generation, the edit gate, the judge). Runtime only: what makes training data or
trains lives under ``medasr.train.corrector``.
"""
