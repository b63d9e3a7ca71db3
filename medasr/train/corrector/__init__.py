"""The BART corrector's training wing: its data, its model and its loop (``medasr train corrector``)."""
