"""Training, in wings that say what they are. Nothing at runtime imports this package.

- ``whisper/``: CPU Whisper fine-tuning (``medasr train asr``): manifests, features, the loop,
  the small TTS corpus, WiSE-FT merge, the user registry and releases under ``models/``.
- ``gpu/``: whole-model Whisper training on a lent GPU (``python -m medasr.train.gpu.finetune``):
  what travels there, audio rendered there, batched features and augmentation in torch.
- ``corrector/``: the BART corrector's data (generated sentences and consultation turns,
  (hypothesis, reference) pairs, learned noise, edit-list targets, the confusion table) and its
  model and training loop (``medasr train corrector``, ``medasr train confusions``).
- ``convert/``: CTranslate2 <-> transformers (read ``model.bin``, convert exactly, export back,
  greedy decoding that matches CTranslate2).
"""
