"""``medasr bench``: WER, medical-term WER, drug-name WER, speed and peers, with plots.

Rooms: ``metrics`` (normalizer, WER/CER, the medwer term protocol, bootstrap intervals),
``align`` (per-utterance alignment report), ``terms`` (which term lists are scored),
``datasets`` (manifests and the ready-made sets), ``primock`` (the clinical conversation set),
``runner`` (configurations x utterances, timing and memory), ``peers`` (the same Whisper
weights through Hugging Face transformers), ``report`` (JSON and Markdown) and ``plots``.
Nothing here imports torch or loads a model at import time.
"""
