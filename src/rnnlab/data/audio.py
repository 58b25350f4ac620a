"""Audio in: sound files to samples, and samples to MFCC features, in pure torch.

    samples = load_wav("recordings/yes_01.wav")          # (N,) float32 in [-1, 1], mono, 16 kHz
    features = mfcc(trim_silence(samples))              # (T, 13): one row per 10 ms frame

WAV files are read here, from their RIFF chunks (`decode_wav`): PCM of 8 (unsigned), 16, 24 or 32 bits,
IEEE float of 32 or 64 bits, and WAVE_FORMAT_EXTENSIBLE holding either (what most 24-bit and multichannel
recorders write), any channel count. Channels are averaged to mono and the signal is resampled to 16 kHz.
Other formats (FLAC, OGG/Vorbis, AIFF, and compressed WAV such as ADPCM or mu-law) are read through
libsndfile when the optional `soundfile` package is installed (`pip install 'rnnlab[audio]'`); without it,
such a file is one error line naming the extra. A file that is not audio, holds no samples, or is shorter
than one 25 ms analysis frame raises ValueError with one line naming it.

MFCCs (Davis & Mermelstein 1980; the HTK book's recipe, chapter 5), for frames t of W samples every H:

    y[n]    = x[n] - a·x[n-1]                              pre-emphasis, a = 0.97
    P[t, k] = |Σ_n w[n]·y[tH + n]·e^{-2πi kn/N}|²           power spectrum, Hamming window w, N-point FFT
    E[t, m] = Σ_k M[m, k]·P[t, k]                           mel filterbank M: triangles equally spaced in mel
    c[t, j] = Σ_m C[j, m]·log E[t, m]                       C: orthonormal DCT-II, first 13 rows

    mel(f) = 2595·log10(1 + f/700)                          (the HTK mel scale: mel(1000 Hz) ≈ 1000)
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

SAMPLE_RATE = 16_000  # every feature is computed at this rate: speech carries little above 8 kHz
PCM, FLOAT, EXTENSIBLE = 0x0001, 0x0003, 0xFFFE  # WAVE format tags (mmreg.h)
AUDIO_EXTRA = "pip install 'rnnlab[audio]'"
HEADER_BYTES = 1 << 16  # what check_wav reads: the chunks before the audio (fmt, LIST, ...) fit in it


@dataclass(frozen=True)
class WavFormat:
    """A WAV file's "fmt " chunk, as far as decoding needs it."""

    tag: int  # PCM or FLOAT; for EXTENSIBLE, the tag of its sub-format GUID
    channels: int
    rate: int
    width: int  # bytes per sample in the file (the container: 24 valid bits may sit in 4 bytes)


class UnsupportedWav(ValueError):
    """A well-formed WAV file whose encoding this reader does not decode (ADPCM, mu-law, ...)."""


def _chunks(data: bytes, name: str, sizes: dict[bytes, int] | None = None) -> dict[bytes, bytes]:
    """The RIFF/WAVE file's chunks by id (the first of each), and into `sizes` the size each one's header
    declares. A streamed file's sizes may be too large: the data chunk is then whatever follows its header."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{name}: not a readable WAV file (no RIFF/WAVE header)")
    chunks: dict[bytes, bytes] = {}
    position = 12
    while position + 8 <= len(data):
        kind, size = data[position:position + 4], struct.unpack("<I", data[position + 4:position + 8])[0]
        body = data[position + 8:position + 8 + size]  # shorter than `size` when the file ends first
        chunks.setdefault(kind, body)
        if sizes is not None:
            sizes.setdefault(kind, size)
        position += 8 + size + size % 2  # chunks are padded to an even length
    return chunks


def wav_format(fmt: bytes, name: str) -> WavFormat:
    """The "fmt " chunk: tag, channels, rate, block align (RIFF, and the WAVEFORMATEXTENSIBLE layout)."""
    if len(fmt) < 16:
        raise ValueError(f"{name}: not a readable WAV file (its fmt chunk is {len(fmt)} bytes)")
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == EXTENSIBLE:
        if len(fmt) < 40:
            raise ValueError(f"{name}: not a readable WAV file (a WAVE_FORMAT_EXTENSIBLE fmt chunk of {len(fmt)} "
                             "bytes)")
        tag = struct.unpack("<H", fmt[24:26])[0]  # the sub-format GUID starts with the format tag
    if channels < 1 or rate < 1 or block_align < channels:
        raise ValueError(f"{name}: not a readable WAV file ({channels} channels at {rate} Hz)")
    width = block_align // channels
    supported = (tag == PCM and width in (1, 2, 3, 4)) or (tag == FLOAT and width in (4, 8))
    if not supported:
        raise UnsupportedWav(f"{name}: a WAV file of format {tag:#06x}, {bits} bits: only PCM (8-32 bits) and float "
                             f"(32, 64) are read without soundfile ({AUDIO_EXTRA})")
    return WavFormat(tag, channels, rate, width)


STREAMED_FRAMES = 2**28  # a header claiming this many frames or more was written before its length was known


def decode_wav(data: bytes, name: str) -> tuple[Tensor, int]:
    """WAV bytes -> samples (N,) float32 in [-1, 1], channels averaged, and the file's sample rate.

    `name` (a path, or "espeak-ng output") is what an error message names.
    """
    sizes: dict[bytes, int] = {}
    chunks = _chunks(data, name, sizes)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise ValueError(f"{name}: not a readable WAV file (no {'fmt' if b'fmt ' not in chunks else 'data'} chunk)")
    fmt = wav_format(chunks[b"fmt "], name)
    raw = chunks[b"data"]
    frame_bytes = fmt.width * fmt.channels
    usable = len(raw) - len(raw) % frame_bytes  # a torn last frame is dropped
    if usable == 0:
        raise ValueError(f"{name}: the WAV file holds no audio samples")
    frames, claimed = usable // frame_bytes, sizes[b"data"] // frame_bytes
    if frames < claimed < STREAMED_FRAMES:  # a file cut short (a copy or a download that stopped)
        raise ValueError(f"{name}: truncated WAV file: its header promises {claimed / fmt.rate:.3f} s of audio, it "
                         f"holds {frames / fmt.rate:.3f} s; copy it again or remove it")
    samples = _to_float(raw[:usable], fmt)  # (N·channels,)
    return samples.reshape(-1, fmt.channels).mean(dim=1), fmt.rate  # (N,)


def check_wav(path: Path) -> None:
    """A readable WAV with samples, from its header alone (no audio decoded); ValueError naming `path`."""
    with path.open("rb") as file:
        head = file.read(HEADER_BYTES)
    chunks = _chunks(head, str(path))
    if b"fmt " not in chunks:
        raise ValueError(f"{path}: not a readable WAV file (no fmt chunk)")
    try:
        wav_format(chunks[b"fmt "], str(path))
    except UnsupportedWav:
        _require_soundfile(path)  # libsndfile reads it, when installed
        return
    if b"data" in chunks and not chunks[b"data"]:
        raise ValueError(f"{path}: the WAV file holds no audio samples")


def _to_float(raw: bytes, fmt: WavFormat) -> Tensor:
    """Little-endian samples -> float32: PCM scaled to [-1, 1) (8-bit PCM is unsigned), float as it is."""
    width = fmt.width
    if fmt.tag == FLOAT:
        return torch.from_numpy(np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float32))
    if width == 1:
        values = np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128
    elif width == 2:
        values = np.frombuffer(raw, dtype="<i2").astype(np.float32)
    elif width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = (triples[:, 0] | triples[:, 1] << 8 | triples[:, 2] << 16).astype(np.float32)
        values[values >= 2**23] -= 2**24  # two's complement sign
    else:
        values = np.frombuffer(raw, dtype="<i4").astype(np.float32)
    return torch.from_numpy(values / 2.0 ** (8 * width - 1))


def _require_soundfile(path: Path) -> object:
    try:
        import soundfile
    except ImportError:
        raise ValueError(f"{path}: reading {path.suffix or 'this'} audio needs the soundfile package: "
                         f"{AUDIO_EXTRA}") from None
    return soundfile


def read_with_soundfile(path: Path) -> tuple[Tensor, int]:
    """Any format libsndfile reads (FLAC, OGG, AIFF, compressed WAV) -> mono float32 samples (N,), rate."""
    soundfile = _require_soundfile(path)
    try:
        values, rate = soundfile.read(str(path), dtype="float32", always_2d=True)  # type: ignore[attr-defined]
    except Exception as error:  # soundfile.LibsndfileError and friends: the file, not rnnlab
        raise ValueError(f"{path}: not a readable audio file ({error})") from None
    if values.shape[0] == 0:
        raise ValueError(f"{path}: the audio file holds no samples")
    return torch.from_numpy(values.mean(axis=1)), int(rate)


def resample(samples: Tensor, rate: int, new_rate: int) -> Tensor:
    """(N,) at `rate` -> (round(N·new_rate/rate),) at `new_rate`, band-limited (the Fourier method):

        X = rfft(x);  drop the bins at or above min(rate, new_rate)/2;  y = irfft(X, N') · N'/N

    The signal is treated as periodic, so the first and last few milliseconds see each other's ends:
    harmless for recordings that start and end near silence.
    """
    if rate <= 0 or new_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {rate} and {new_rate}")
    if rate == new_rate:
        return samples
    n = samples.shape[-1]
    n_new = max(1, round(n * new_rate / rate))
    spectrum = torch.fft.rfft(samples.double())  # (N//2 + 1,)
    kept = spectrum[..., :min(spectrum.shape[-1], n_new // 2 + 1)]  # irfft zero-fills any missing bins
    return (torch.fft.irfft(kept, n=n_new) * (n_new / n)).to(samples.dtype)


def load_wav(path: str | Path, sample_rate: int = SAMPLE_RATE, min_seconds: float = 0.025) -> Tensor:
    """A sound file as mono samples (N,) at `sample_rate`; one-line ValueError for anything unusable. WAV is
    read here; other formats, and WAV encodings other than PCM and float, through soundfile (module docstring)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a WAV file")
    if path.suffix.lower() != ".wav":
        samples, rate = read_with_soundfile(path)
    else:
        try:
            samples, rate = decode_wav(path.read_bytes(), str(path))
        except UnsupportedWav:
            samples, rate = read_with_soundfile(path)
    seconds = len(samples) / rate
    if seconds < min_seconds:
        raise ValueError(f"{path}: {seconds:.3f} s of audio is too short (at least {min_seconds} s)")
    return resample(samples, rate, sample_rate)


def trim_silence(samples: Tensor, sample_rate: int = SAMPLE_RATE, threshold_db: float = -35.0) -> Tensor:
    """Samples from the first to the last 10 ms block whose RMS is within `threshold_db` of the loudest block.

    Synthesised and recorded words come with silence around them; trimming makes the sequence length the
    word's own. All-silent input is returned unchanged.
    """
    block = max(1, sample_rate // 100)
    n_blocks = max(1, len(samples) // block)
    rms = samples[:n_blocks * block].reshape(n_blocks, -1).pow(2).mean(dim=1).sqrt()  # (n_blocks,)
    peak = float(rms.max())
    if peak == 0.0:
        return samples
    loud = torch.nonzero(rms >= peak * 10 ** (threshold_db / 20)).squeeze(1)
    return samples[int(loud[0]) * block:(int(loud[-1]) + 1) * block]


@dataclass(frozen=True)
class MFCCConfig:
    """The classic speech front end; defaults are the HTK/Kaldi ones for 16 kHz audio."""

    sample_rate: int = SAMPLE_RATE
    window: int = 400  # samples per frame: 25 ms
    hop: int = 160  # samples between frame starts: 10 ms
    n_fft: int = 512  # the next power of two above the window (zero-padded)
    n_mels: int = 40  # mel bands; HTK uses 20-26, Kaldi 23-40 at 16 kHz
    n_mfcc: int = 13  # cepstra kept: the usual 13 (c0 carries the frame's log energy)
    f_min: float = 20.0  # Hz: below this is hum, not speech
    f_max: float | None = None  # Hz; None = the Nyquist frequency
    pre_emphasis: float = 0.97  # HTK's default

    def __post_init__(self) -> None:
        if not 0 < self.hop <= self.window <= self.n_fft:
            raise ValueError(f"need 0 < hop <= window <= n_fft, got {self.hop}, {self.window}, {self.n_fft}")
        if not 0 < self.n_mfcc <= self.n_mels:
            raise ValueError(f"need 0 < n_mfcc <= n_mels, got {self.n_mfcc}, {self.n_mels}")
        if not 0 <= self.f_min < self.top_frequency <= self.sample_rate / 2:
            raise ValueError(f"need 0 <= f_min < f_max <= sample_rate / 2, got {self.f_min}, {self.top_frequency}")

    @property
    def top_frequency(self) -> float:
        return self.sample_rate / 2 if self.f_max is None else self.f_max


def hz_to_mel(hz: Tensor) -> Tensor:
    return 2595.0 * torch.log10(1.0 + hz / 700.0)


def mel_to_hz(mel: Tensor) -> Tensor:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: int, f_min: float, f_max: float) -> Tensor:
    """(n_mels, n_fft//2 + 1): triangle m rises from edge m to 1 at edge m+1 and falls to 0 at edge m+2,
    with the n_mels + 2 edges equally spaced in mel from f_min to f_max, sampled at the FFT bins' frequencies."""
    edges = mel_to_hz(torch.linspace(float(hz_to_mel(torch.tensor(f_min))), float(hz_to_mel(torch.tensor(f_max))),
                                     n_mels + 2, dtype=torch.float64))  # (n_mels + 2,) Hz
    bins = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sample_rate / n_fft  # (K,) Hz
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]  # each (n_mels, 1)
    rising = (bins - low) / (centre - low)  # (n_mels, K)
    falling = (high - bins) / (high - centre)  # (n_mels, K)
    return torch.minimum(rising, falling).clamp(min=0.0).float()


def dct_matrix(n_out: int, n_in: int) -> Tensor:
    """(n_out, n_in) rows of the orthonormal DCT-II: C[j, m] = s_j·cos(π j (2m + 1) / 2n_in),
    s_0 = √(1/n_in), s_j = √(2/n_in); with n_out = n_in, C Cᵀ = I."""
    j = torch.arange(n_out, dtype=torch.float64)[:, None]
    m = torch.arange(n_in, dtype=torch.float64)[None, :]
    scale = torch.full((n_out, 1), math.sqrt(2.0 / n_in), dtype=torch.float64)
    scale[0] = math.sqrt(1.0 / n_in)
    return (scale * torch.cos(math.pi * j * (2 * m + 1) / (2 * n_in))).float()


def power_spectrum(samples: Tensor, config: MFCCConfig) -> Tensor:
    """(N,) -> (T, n_fft//2 + 1) with T = 1 + (N - window) // hop: pre-emphasis, Hamming frames, |FFT|²."""
    if len(samples) < config.window:
        raise ValueError(f"{len(samples)} samples are fewer than one {config.window}-sample frame")
    emphasised = torch.cat([samples[:1], samples[1:] - config.pre_emphasis * samples[:-1]])  # (N,)
    frames = emphasised.unfold(0, config.window, config.hop)  # (T, W)
    window = torch.hamming_window(config.window, periodic=False, dtype=samples.dtype)  # (W,)
    return torch.fft.rfft(frames * window, n=config.n_fft).abs().pow(2)  # (T, K)


def mfcc(samples: Tensor, config: MFCCConfig | None = None) -> Tensor:
    """Mono samples (N,) at config.sample_rate -> MFCCs (T, n_mfcc), float32 (see the module docstring)."""
    config = config or MFCCConfig()
    power = power_spectrum(samples.float(), config)  # (T, K)
    bank = mel_filterbank(config.n_mels, config.n_fft, config.sample_rate, config.f_min, config.top_frequency)
    log_energy = torch.log((power @ bank.T).clamp(min=1e-10))  # (T, n_mels); the floor keeps silence finite
    return log_energy @ dct_matrix(config.n_mfcc, config.n_mels).T  # (T, n_mfcc)


def wav_features(path: str | Path, config: MFCCConfig | None = None) -> Tensor:
    """A WAV file -> MFCCs (T, n_mfcc) of its trimmed word: what the audio tasks compute for user files."""
    config = config or MFCCConfig()
    samples = load_wav(path, config.sample_rate, min_seconds=config.window / config.sample_rate)
    word = trim_silence(samples, config.sample_rate)
    if len(word) < config.window:  # a click in silence: keep the whole file rather than one blip
        word = torch.nn.functional.pad(samples, (0, max(0, config.window - len(samples))))  # rounding in resample
    return mfcc(word, config)
