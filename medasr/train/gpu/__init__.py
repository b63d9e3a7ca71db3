"""Whole-model Whisper (and corrector) training on a lent GPU machine: ``python -m medasr.train.gpu.finetune``."""
