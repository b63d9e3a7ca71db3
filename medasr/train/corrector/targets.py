"""Edit-list training targets: the edits that turn an ASR hypothesis into its reference.

Targets come from a word alignment on normalized words; differences that Whisper's English
normalizer maps to the same text ("ten"/"10", punctuation, case; runs of single letters joined,
so "q.i.d."/"QID") are not edits. A pure insertion is anchored by including the word before it
(or after it, at the start). The format itself is :mod:`medasr.correction.bart.edits`.
"""

from __future__ import annotations

import re

from medasr.correction.bart.diff import diff_blocks, similarity
from medasr.correction.bart.edits import EditItem, format_items
from medasr.text import norm_word, normalize

_EDGE = re.compile(r"^[^\w']+|[^\w'%]+$")


def _strip_edges(word: str) -> str:
    return _EDGE.sub("", word)


def _normalize(text: str) -> str:
    # runs of single letters join up: "q.i.d." (normalized "q i d") and "QID" are one thing
    return re.sub(r"\b(\w) (?=\w\b)", r"\1", normalize(text))


MAX_ITEM_WORDS = 4
MIN_ITEM_SIMILARITY = 0.45


def edit_items(hyp: str, ref: str, *, recoverable_only: bool = True) -> list[EditItem]:
    """The edits that turn ``hyp`` into ``ref``, each anchored on words of ``hyp``.

    With ``recoverable_only`` (training targets), an edit longer than ``MAX_ITEM_WORDS`` or whose
    intended words neither look nor sound like the heard ones (similarity below
    ``MIN_ITEM_SIMILARITY``) is left out: the model is taught to leave such garble as it is rather
    than to guess text that was never heard. Pure deletions are kept.
    """
    hw, rw = hyp.split(), ref.split()
    if not hw:
        return []
    items = []
    for i0, i1, j0, j1 in diff_blocks([norm_word(w) for w in hw], [norm_word(w) for w in rw]):
        if _normalize(" ".join(hw[i0:i1])) == _normalize(" ".join(rw[j0:j1])):
            continue
        if i0 == i1:  # an insertion: anchor it on a neighbouring (equal) word
            if i0 > 0 and j0 > 0:
                i0, j0 = i0 - 1, j0 - 1
            elif i1 < len(hw) and j1 < len(rw):
                i1, j1 = i1 + 1, j1 + 1
            else:
                continue
        before = " ".join(filter(None, (_strip_edges(w) for w in hw[i0:i1])))
        after = " ".join(filter(None, (_strip_edges(w) for w in rw[j0:j1])))
        if not before or before == after:
            continue
        if recoverable_only and after and (
                max(len(before.split()), len(after.split())) > MAX_ITEM_WORDS
                or similarity(before, after) < MIN_ITEM_SIMILARITY):
            continue
        items.append(EditItem(before, after))
    return items


def edit_target(hyp: str, ref: str) -> str:
    return format_items(edit_items(hyp, ref))
