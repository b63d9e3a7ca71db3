"""``medasr bench``: WER, medical-term WER, drug-name WER, speed and peers, with plots; and the
note structurer's evaluation.

Rooms: ``metrics`` (WER/CER, the medwer term protocol, bootstrap intervals), ``align``
(per-utterance alignment report), ``terms`` (which term lists are scored), ``datasets``
(manifests and the ready-made sets), ``primock`` (PriMock57: its reader, consultations and the
clinical conversation set), ``runner`` (models x pipeline specs, through ``medasr.pipeline``,
timing and memory), ``peers`` (the same Whisper weights through Hugging Face transformers),
``report`` (JSON and Markdown), ``plots``, ``notes`` (``medasr bench notes``: notes against the
clinicians' own) and ``rescore`` (results split per data source). Nothing here imports torch or
loads a model at import time.
"""
