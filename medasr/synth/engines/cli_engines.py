"""Engines that run a Debian command: espeak-ng, flite and festival (text2wave).

``espeak_command`` and ``flite_command`` are the one espeak-ng and flite command line in medasr:
the engines here, the GPU machine's renders (``medasr.train.gpu.audio``) and the corrector's
training pairs (``medasr.train.corrector.pairs``) all speak through them.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from medasr.errors import BackendError
from medasr.synth.engines.base import Health, Voice, VoiceParams, check_audio, health_of

TIMEOUT_S = 120


def _binary(binary: str | Sequence[str]) -> list[str]:
    return [binary] if isinstance(binary, str) else list(binary)


def espeak_command(text: str, voice: str, rate: float = 1.0, pitch: float = 1.0, binary: str | Sequence[str] = "espeak-ng") -> list[str]:
    """espeak-ng speaking ``text`` as WAV on stdout; ``rate`` and ``pitch`` are factors around 1.0
    (175 words a minute, pitch 50). ``binary`` may carry options (``["espeak-ng", "--path=DIR"]``)."""
    speed = int(round(175 * rate))
    p = int(np.clip(round(50 * pitch), 0, 99))
    return [*_binary(binary), "-v", voice, "-s", str(speed), "-p", str(p), "--stdout", text]


def flite_command(text: str, voice: str, out: str | Path, rate: float = 1.0, binary: str | Sequence[str] = "flite") -> list[str]:
    """flite speaking ``text`` into the WAV file ``out``; ``rate`` > 1 is faster (duration stretch 1/rate)."""
    return [*_binary(binary), "-voice", voice, "--setf", f"duration_stretch={1.0 / rate:.3f}", "-t", text, "-o", str(out)]


def run_to_wav(cmd: list[str], what: str, stdin: str | None = None, out_file: str | None = None) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        proc = subprocess.run(cmd, input=stdin.encode() if stdin is not None else None, capture_output=True, timeout=TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise BackendError(f"{what}: command {cmd[0]!r} not found; install it (Debian: apt-get install {cmd[0]})") from None
    except subprocess.TimeoutExpired:
        raise BackendError(f"{what}: timed out after {TIMEOUT_S} s") from None
    if proc.returncode != 0:
        raise BackendError(f"{what}: exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:200]}")
    data = proc.stdout
    if out_file is not None:
        with open(out_file, "rb") as fh:
            data = fh.read()
    try:
        audio, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except Exception as e:  # soundfile raises RuntimeError/LibsndfileError on junk
        raise BackendError(f"{what}: output is not a WAV file ({e})") from None
    return check_audio(audio.mean(axis=1), int(sr), what)


class EspeakEngine:
    """espeak-ng: formant synthesis, many accents x voice variants, rate and pitch."""

    name = "espeak-ng"
    supports_rate = True
    supports_pitch = True
    # "en", not "en-gb": espeak-ng ignores a +variant on "en-gb" (every en-gb+X is the same voice)
    ACCENTS = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd")
    VARIANTS = ("m1", "m3", "m7", "f2", "f4", "klatt4")
    # voices kept out of train: a whole accent (West Midlands) in two variants
    HELDOUT = ("en-gb-x-gbcwmd+m3", "en-gb-x-gbcwmd+f2")

    def __init__(self, home: Path | None = None, threads: int = 1) -> None:
        self.binary = shutil.which("espeak-ng") or "espeak-ng"

    def voices(self) -> list[Voice]:
        if shutil.which("espeak-ng") is None:
            return []
        out = []
        for accent in self.ACCENTS:
            for variant in self.VARIANTS:
                name = f"{accent}+{variant}"
                if accent == "en-gb-x-gbcwmd" and name not in self.HELDOUT:
                    continue
                out.append(Voice(self.name, name, f"accent {accent}, variant {variant}", heldout=name in self.HELDOUT, pitch=True))
        return out

    def health(self) -> Health:
        return health_of(self)

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        accent, _, variant = voice.name.partition("+")
        if accent not in self.ACCENTS or variant not in self.VARIANTS:  # espeak-ng would fall back silently
            raise BackendError(f"espeak-ng voice {voice.name}: not in the catalogue ({', '.join(self.ACCENTS)} + {', '.join(self.VARIANTS)})")
        return run_to_wav(espeak_command(text, voice.name, params.rate, params.pitch, self.binary), f"espeak-ng voice {voice.name}")


class FliteEngine:
    """flite: CMU's small diphone/clustergen voices; rate by duration stretch."""

    name = "flite"
    supports_rate = True
    supports_pitch = False
    NAMES = ("kal16", "awb", "rms", "slt")
    HELDOUT = ("awb",)  # Scottish male, kept out of train

    def __init__(self, home: Path | None = None, threads: int = 1) -> None:
        pass

    def voices(self) -> list[Voice]:
        if shutil.which("flite") is None:
            return []
        return [Voice(self.name, n, f"flite {n}", heldout=n in self.HELDOUT) for n in self.NAMES]

    def health(self) -> Health:
        return health_of(self)

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:
            return run_to_wav(flite_command(text, voice.name, path, params.rate), f"flite voice {voice.name}", out_file=path)
        finally:
            os.unlink(path)


class FestivalEngine:
    """festival's text2wave: the kal diphone voice and the CMU slt HTS voice."""

    name = "festival"
    supports_rate = True
    supports_pitch = False
    NAMES = {"kal": "voice_kal_diphone", "slt-hts": "voice_cmu_us_slt_arctic_hts"}
    HELDOUT: tuple[str, ...] = ()

    def __init__(self, home: Path | None = None, threads: int = 1) -> None:
        pass

    def voices(self) -> list[Voice]:
        if shutil.which("text2wave") is None:
            return []
        out = []
        for n, fn in self.NAMES.items():
            folder = "english/kal_diphone" if n == "kal" else "us/cmu_us_slt_arctic_hts"
            if os.path.isdir(f"/usr/share/festival/voices/{folder}"):
                # Duration_Stretch works on the diphone voice; the HTS voice ignores it
                out.append(Voice(self.name, n, f"festival {fn}", heldout=n in self.HELDOUT, rate=n == "kal"))
        return out

    def health(self) -> Health:
        return health_of(self)

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        res = self.synthesize_many([(text, voice, params)])[0]
        if isinstance(res, Exception):
            raise res
        return res

    def synthesize_many(self, items: list[tuple[str, Voice, VoiceParams]]) -> list[tuple[np.ndarray, int] | Exception]:
        """One festival process for a batch: its start-up (~0.6 s here) dominates a sentence."""
        import soundfile as sf

        with tempfile.TemporaryDirectory(prefix="medasr-festival-") as tmp:
            lines = []
            for i, (text, voice, params) in enumerate(items):
                said = text.replace("\\", " ").replace('"', " ")
                lines += [
                    f"({self.NAMES[voice.name]})",
                    f"(Parameter.set 'Duration_Stretch {1.0 / params.rate:.3f})",
                    f'(utt.save.wave (utt.synth (Utterance Text "{said}")) "{tmp}/{i}.wav" \'riff)',
                ]
            script = os.path.join(tmp, "batch.scm")
            with open(script, "w", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
            try:
                proc = subprocess.run(["festival", "-b", script], capture_output=True, timeout=TIMEOUT_S * max(1, len(items)), check=False)
            except FileNotFoundError:
                err = BackendError("festival: command 'festival' not found; install it (Debian: apt-get install festival)")
                return [err for _ in items]
            out: list[tuple[np.ndarray, int] | Exception] = []
            for i, (_, voice, _) in enumerate(items):
                what = f"festival voice {voice.name}"
                try:
                    audio, sr = sf.read(f"{tmp}/{i}.wav", dtype="float32", always_2d=True)
                    out.append(check_audio(audio.mean(axis=1), int(sr), what))
                except BackendError as e:
                    out.append(e)
                except Exception:  # missing or unreadable file: festival failed on this one
                    out.append(BackendError(f"{what}: no audio (exit {proc.returncode}: {proc.stderr.decode(errors='replace')[:160]})"))
            return out
