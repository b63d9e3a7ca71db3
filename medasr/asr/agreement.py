"""LocalAgreement-2 (Macháček et al., 2023): a word is committed only when two successive
hypotheses over the growing buffer agree on it, and only up to where the buffer's end
could still change it."""

from __future__ import annotations

from medasr.asr.guards import norm
from medasr.schema import Word


class LocalAgreement:
    """Hypotheses on the stream's clock in, agreed words out."""

    def __init__(self) -> None:
        self.committed_in_buffer: list[Word] = []
        self.previous: list[Word] = []
        self.new: list[Word] = []
        self.last_committed_time = 0.0

    def insert(self, words: list[Word]) -> None:
        # keep words after the last commit, and words that re-segment it but reach well past it
        # ("one" committed, then "140" for "one hundred forty"): never lose speech
        t = self.last_committed_time
        new = [w for w in words if w.start > t - 0.1 or w.end > t + 0.3]
        if new and abs(new[0].start - self.last_committed_time) < 1.0 and self.committed_in_buffer:
            # drop an n-gram (n <= 5) the new hypothesis repeats from the committed tail
            cn, nn = len(self.committed_in_buffer), len(new)
            for n in range(min(cn, nn, 5), 0, -1):
                tail = [norm(w.text) for w in self.committed_in_buffer[-n:]]
                head = [norm(w.text) for w in new[:n]]
                if tail == head:
                    new = new[n:]
                    break
        self.new = new

    def flush(self, limit: float = float("inf")) -> list[Word]:
        """Commit the agreed prefix, but no word ending after ``limit`` (the audio's last
        moments are heard only partly; two hypotheses can agree on a word that is not there)."""
        commit: list[Word] = []
        while self.new and self.previous and norm(self.new[0].text) == norm(self.previous[0].text) and self.new[0].end <= limit:
            w = self.new.pop(0)
            self.previous.pop(0)
            commit.append(w)
            self.last_committed_time = w.end
        self.previous, self.new = self.new, []
        self.committed_in_buffer.extend(commit)
        return commit

    def commit_all(self, words: list[Word]) -> list[Word]:
        """Commit a whole hypothesis that heard its utterance out (the speaker paused, or the
        stream ended) and passed every check, minus any repeated head."""
        self.insert(words)
        commit, self.new, self.previous = self.new, [], []
        if commit:
            self.last_committed_time = commit[-1].end
        self.committed_in_buffer.extend(commit)
        return commit

    def reject(self) -> None:
        """A hypothesis that failed the checks counts for nothing: the next one is compared
        with the last hypothesis that passed."""
        self.new = []

    def drop_before(self, t: float) -> None:
        while self.committed_in_buffer and self.committed_in_buffer[0].end <= t:
            self.committed_in_buffer.pop(0)
