"""Whisper's log-mel features and training augmentation, batched in torch on any device
(the lent GPU's path: ``medasr.train.gpu.finetune``). The log-mel matches faster-whisper's
extractor (checked in the tests); augmentation and SpecAugment leave the padding as it is."""

from __future__ import annotations

from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE

N_SAMPLES = 30 * SAMPLE_RATE  # Whisper's window


def mel_filters(n_mels: int = 80) -> np.ndarray:
    """(n_mels, 201) Slaney mel filters, as Whisper (and faster-whisper) build them."""
    from transformers.audio_utils import mel_filter_bank

    return mel_filter_bank(num_frequency_bins=201, num_mel_filters=n_mels, min_frequency=0.0, max_frequency=8000.0,
                           sampling_rate=SAMPLE_RATE, norm="slaney", mel_scale="slaney").T.astype(np.float32)


def log_mel_batch(audio: Any, filters: Any) -> Any:
    """(B, 480000) float32 audio (zero-padded 30 s windows) -> (B, n_mels, 3000) Whisper log-mel.

    Per clip: |STFT|^2 (n_fft 400, hop 160, Hann), mel, log10 clamped at 1e-10, floor at the
    clip's max - 8, then (x + 4) / 4: ``whisper.audio.log_mel_spectrogram``, batched."""
    import torch

    window = torch.hann_window(400, device=audio.device)
    stft = torch.stft(audio, 400, 160, window=window, return_complex=True)
    mag = stft[..., :-1].abs() ** 2
    mel = filters @ mag
    log_spec = torch.clamp(mel, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.amax(dim=(1, 2), keepdim=True) - 8.0)
    return (log_spec + 4.0) / 4.0


def augment_batch(audio: Any, lengths: Any, gen: Any, *, p: float = 0.6) -> Any:
    """Waveform augmentation on the device, per clip with probability ``p``: gain -6..+3 dB,
    white or brown noise at 10-35 dB SNR over the speech, and on a fifth of those a band limit
    to 300-3400 Hz (telephone). Padding stays silent."""
    import torch

    b, n = audio.shape
    dev = audio.device
    on = torch.rand(b, generator=gen, device=dev) < p
    mask = (torch.arange(n, device=dev)[None, :] < lengths[:, None]).float()
    gain = 10 ** (torch.empty(b, device=dev).uniform_(-6, 3, generator=gen) / 20)
    x = audio * torch.where(on, gain, torch.ones_like(gain))[:, None]
    noise = torch.randn(b, n, generator=gen, device=dev)
    brown = torch.rand(b, generator=gen, device=dev) < 0.5
    if bool(brown.any()):
        c = torch.cumsum(noise[brown], dim=1)
        k = torch.ones(1, 1, 401, device=dev) / 401
        c = c - torch.nn.functional.conv1d(c[:, None], k, padding=200)[:, 0]
        noise[brown] = c
    speech = (x**2 * mask).sum(1) / mask.sum(1).clamp(min=1)
    npow = (noise**2 * mask).sum(1) / mask.sum(1).clamp(min=1)
    snr = torch.empty(b, device=dev).uniform_(10, 35, generator=gen)
    scale = torch.sqrt(speech / (npow.clamp(min=1e-12) * 10 ** (snr / 10)))
    x = x + torch.where(on, scale, torch.zeros_like(scale))[:, None] * noise * mask
    tel = on & (torch.rand(b, generator=gen, device=dev) < 0.2)
    if bool(tel.any()):
        spec = torch.fft.rfft(x[tel], dim=1)
        f = torch.fft.rfftfreq(n, 1 / SAMPLE_RATE).to(dev)
        spec[:, (f < 300) | (f > 3400)] = 0
        x[tel] = torch.fft.irfft(spec, n=n, dim=1) * mask[tel]  # the filter rings into the padding: keep it silent
    return x.clamp(-1, 1)


def spec_augment_batch(feats: Any, frames: Any, gen: Any, *, p: float = 0.5, f_width: int = 10, t_width: int = 40) -> Any:
    """Two frequency and two time masks on about ``p`` of the clips; masked bins take the clip's
    minimum (Whisper's padding value). ``frames``: each clip's count of speech frames."""
    import torch

    b, m, t = feats.shape
    dev = feats.device
    out = feats.clone()
    fill = feats.amin(dim=(1, 2))
    ar_m, ar_t = torch.arange(m, device=dev), torch.arange(t, device=dev)
    on = (torch.rand(b, generator=gen, device=dev) < p).float()
    for _ in range(2):
        w = torch.randint(0, f_width + 1, (b,), generator=gen, device=dev)
        f0 = (torch.rand(b, generator=gen, device=dev) * (m - w).clamp(min=1)).long()
        fm = (ar_m[None] >= f0[:, None]) & (ar_m[None] < (f0 + w)[:, None])
        tw = (torch.rand(b, generator=gen, device=dev) * torch.minimum(torch.full_like(frames, t_width), (frames // 10).clamp(min=1))).long()
        t0 = (torch.rand(b, generator=gen, device=dev) * (frames - tw).clamp(min=1)).long()
        tm = (ar_t[None] >= t0[:, None]) & (ar_t[None] < (t0 + tw)[:, None])
        mask = (fm[:, :, None] | tm[:, None, :]) & (on[:, None, None] > 0)
        out = torch.where(mask, fill[:, None, None], out)
    return out
