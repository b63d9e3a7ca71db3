"""CPU Whisper fine-tuning (``medasr train asr``, ``merge``, ``release``): see ``medasr.train``."""
