"""medasr.synth: a synthetic clinical speech corpus for fine-tuning Whisper and training the corrector.

vocabulary -> ``text`` (templates by style; written form, spoken form, terms with codes and spans)
-> ``plan`` (split, engine, voice, prosody, augmentation; seeded; held-out voices and terms)
-> ``corpus`` (parallel, resumable TTS through ``engines`` + ``augment``; 16 kHz FLAC; manifest)
-> ``card`` (statistics, Markdown, plot); ``gate`` drops voices Whisper cannot understand.
``run.make_corpus`` ties them together; ``medasr synth`` is the command.
"""
