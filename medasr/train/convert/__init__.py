"""CTranslate2 <-> transformers for Whisper: read ``model.bin``, convert exactly, export back, decode greedily."""
