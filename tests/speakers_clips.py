"""Real TTS clips for the speaker tests: a two-voice consultation (espeak-ng male doctor, flite slt
female patient), one voice alone, and a third voice (flite awb); fixtures imported by the tests."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from medasr.audio import SAMPLE_RATE, write_wav

DOCTOR, PATIENT, THIRD = "espeak-ng:en-gb-x-rp+m3", "flite:slt", "flite:awb"
SCRIPT = [
    ("doctor", "Good morning, I'm Doctor Patel. What brings you in today?"),
    ("patient", "Hello doctor. I've had a bad cough for two weeks, and my chest hurts when I breathe."),
    ("doctor", "I'm sorry to hear that. Have you had a fever or any shortness of breath?"),
    ("patient", "I had a high fever last week, and I still feel very tired and weak."),
    ("doctor", "I will prescribe amoxicillin five hundred milligrams three times a day. Please come back if it gets worse."),
    ("patient", "Thank you doctor, I will."),
]


@pytest.fixture(scope="module")
def voices(session_home):
    for exe in ("espeak-ng", "flite"):
        if shutil.which(exe) is None:
            pytest.skip(f"{exe} is not installed (apt-get install {exe})")
    from medasr.bench.consultations import Voices

    return Voices(session_home)


def timeline(voices, lines, pause: float = 0.6):
    """(doctor track, patient track, third track, reference [(start, end, who)])."""
    parts, refs, t = [], [], 0.3
    for who, text in lines:
        audio = voices.speak({"doctor": DOCTOR, "patient": PATIENT, "third": THIRD}[who], text)
        parts.append((who, int(t * SAMPLE_RATE), audio))
        refs.append((t, t + len(audio) / SAMPLE_RATE, who))
        t += len(audio) / SAMPLE_RATE + pause
    n = int((t + 0.3) * SAMPLE_RATE)
    tracks = {k: np.zeros(n, np.float32) for k in ("doctor", "patient", "third")}
    for who, at, audio in parts:
        tracks[who][at: at + len(audio)] += audio
    return tracks, refs


@pytest.fixture(scope="module")
def consultation(voices, tmp_path_factory):
    tracks, refs = timeline(voices, SCRIPT)
    folder = tmp_path_factory.mktemp("consult")
    write_wav(folder / "mono.wav", (tracks["doctor"] + tracks["patient"]) * 0.9)
    write_wav(folder / "stereo.wav", np.stack([tracks["doctor"], tracks["patient"]]) * 0.9)
    return folder, refs


