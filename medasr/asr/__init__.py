"""medasr.asr: speech recognition (Faster-Whisper / CTranslate2), the model store and audio input."""
