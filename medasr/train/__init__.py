"""Training: Whisper fine-tuning (CT2 <-> transformers, `medasr train asr`) and the corrector."""
