"""The BART semantic corrector (``get_corrector("bart")``).

``corrector`` (chunks, the stage itself), ``infer`` (CTranslate2 generation and scoring),
``format`` (how source and target are laid out, the tokenizer), ``edits`` (the edit-list target
format), ``diff`` (word diff and the gate that applies or suggests), ``verify`` (the model as a
judge of sound-alike vocabulary terms), ``terms`` (which words count as vocabulary terms).
The model itself comes from the store (``medasr.store.corrector``).
"""
