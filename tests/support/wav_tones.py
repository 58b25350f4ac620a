"""WAV files written by tests: a tone between two stretches of silence (importable as `wav_tones`, as
pyproject.toml puts tests/support on pytest's path)."""

import wave
from pathlib import Path

import numpy as np


def write_tone(path: Path, freq: float, rate: int = 16_000, channels: int = 1, seconds: float = 0.3) -> Path:
    """0.1 s of silence, `seconds` of a sine at `freq` (amplitude 0.5), 0.1 s of silence: 16-bit PCM, the same
    samples on every channel; parent folders are made."""
    t = np.arange(round(seconds * rate)) / rate
    signal = np.concatenate([np.zeros(rate // 10), 0.5 * np.sin(2 * np.pi * freq * t), np.zeros(rate // 10)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(np.repeat((signal * 32767).astype("<i2"), channels).tobytes())
    return path
