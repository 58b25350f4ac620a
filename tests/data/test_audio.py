"""Audio in: WAV decoding against files written with the standard library, resampling against analytic
sines, and the MFCC pipeline against hand-worked values, numpy's FFT and an FFT-based DCT."""

import math
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.data.audio import (
    MFCCConfig,
    check_wav,
    dct_matrix,
    decode_wav,
    hz_to_mel,
    load_wav,
    mel_filterbank,
    mel_to_hz,
    mfcc,
    power_spectrum,
    resample,
    trim_silence,
    wav_features,
)


def write_wav(path: Path, samples: np.ndarray, rate: int, width: int = 2) -> Path:
    """`samples` (N,) or (N, channels) in [-1, 1] as PCM of `width` bytes, with the standard library."""
    frames = samples if samples.ndim == 2 else samples[:, None]  # (N, channels)
    scaled = np.round(frames * (2 ** (8 * width - 1) - 1)).astype(np.int64).reshape(-1)
    if width == 1:
        raw = (scaled + 128).astype(np.uint8).tobytes()
    elif width == 3:  # no numpy dtype: the low three bytes of each little-endian int32
        raw = scaled.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        raw = scaled.astype({2: "<i2", 4: "<i4"}[width]).tobytes()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(frames.shape[1])
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)
    return path


def sine(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(round(seconds * rate)) / rate)


def test_a_16_bit_stereo_wav_is_read_and_mixed_down(tmp_path):
    """Reference: the samples written with `wave`; mono = the mean of the channels."""
    left = sine(440, 0.1, 22_050)
    path = write_wav(tmp_path / "stereo.wav", np.stack([left, np.zeros_like(left)], axis=1), 22_050)
    samples, rate = decode_wav(path.read_bytes(), str(path))
    assert rate == 22_050 and samples.shape == (len(left),)
    torch.testing.assert_close(samples, torch.tensor(left / 2, dtype=torch.float32), atol=1e-4, rtol=0)


@pytest.mark.parametrize("width", [1, 3, 4])
def test_8_24_and_32_bit_pcm(tmp_path, width):
    """Reference: full scale ±(2^(8w-1) - 1) reads back as ±(1 - 2^-(8w-1)); 8-bit WAV is unsigned."""
    values = np.array([0.0, 1.0, -1.0, 0.5])
    samples, _ = decode_wav(write_wav(tmp_path / "a.wav", values, 8000, width).read_bytes(), "a.wav")
    top = 1 - 2.0 ** -(8 * width - 1)
    torch.testing.assert_close(samples[:3], torch.tensor([0.0, top, -top]), atol=1e-7, rtol=0)
    assert abs(float(samples[3]) - 0.5) < 2.0 ** -(8 * width - 2)


def test_a_streamed_header_reads_to_the_end_of_the_data(tmp_path):
    """espeak-ng --stdout writes a data size of 0x7ffff000 (it cannot seek back): the frames are whatever
    follows. Reference: the bytes we put there."""
    path = write_wav(tmp_path / "a.wav", sine(440, 0.05, 16_000), 16_000)
    data = bytearray(path.read_bytes())
    data[40:44] = struct.pack("<I", 0x7FFFF000)  # the data chunk's size field in a plain 44-byte header
    samples, _ = decode_wav(bytes(data), "stream")
    assert len(samples) == 800


def test_unusable_files_name_themselves(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(ValueError, match=r"notes\.wav: not a readable WAV file"):
        load_wav(text)
    with pytest.raises(ValueError, match=r"notes\.wav: not a readable WAV file"):
        check_wav(text)
    empty = write_wav(tmp_path / "empty.wav", np.zeros(0), 16_000)
    with pytest.raises(ValueError, match=r"empty\.wav: the WAV file holds no audio samples"):
        load_wav(empty)
    with pytest.raises(ValueError, match=r"empty\.wav: the WAV file holds no audio samples"):
        check_wav(empty)
    short = write_wav(tmp_path / "short.wav", sine(440, 0.01, 16_000), 16_000)
    with pytest.raises(ValueError, match=r"short\.wav: 0\.010 s of audio is too short"):
        load_wav(short)


def riff(fmt: bytes, data: bytes) -> bytes:
    """A WAV file by hand: the RIFF header, a "fmt " chunk and a "data" chunk."""
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def extensible(tag: int, channels: int, rate: int, container_bits: int, valid_bits: int) -> bytes:
    """A WAVEFORMATEXTENSIBLE fmt chunk (40 bytes): format 0xFFFE, and the real format's tag leading the
    sub-format GUID (…-0000-0010-8000-00aa00389b71, the KSDATAFORMAT_SUBTYPE_* family)."""
    align = channels * container_bits // 8
    guid = struct.pack("<H", tag) + bytes.fromhex("000000001000800000aa00389b71")
    return struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * align, align, container_bits, 22, valid_bits,
                       0b11) + guid


@pytest.mark.parametrize(("code", "dtype"), [("<f4", np.float32), ("<f8", np.float64)])
def test_float_wav_is_read_as_it_is(tmp_path, code, dtype):
    """Reference: the values written (format tag 3 = IEEE float, which the standard library's `wave` refuses)."""
    values = np.array([0.1, -0.25, 0.5], dtype=dtype)
    fmt = struct.pack("<HHIIHH", 3, 1, 16_000, 16_000 * values.itemsize, values.itemsize, 8 * values.itemsize)
    samples, rate = decode_wav(riff(fmt, values.astype(code).tobytes()), "float.wav")
    assert rate == 16_000
    torch.testing.assert_close(samples, torch.tensor(values, dtype=torch.float32))


def test_extensible_24_bit_stereo_pcm_as_recorders_write_it(tmp_path):
    """Reference: 24-bit PCM samples in the file (two channels, mixed down), and the same through `wave`'s reader
    for a plain header: WAVE_FORMAT_EXTENSIBLE changes the header, not the samples."""
    left, right = sine(300, 0.05, 48_000), sine(700, 0.05, 48_000, amplitude=0.25)
    plain = write_wav(tmp_path / "plain.wav", np.stack([left, right], axis=1), 48_000, width=3)
    raw = plain.read_bytes()[44:]  # the samples after `wave`'s 44-byte header
    path = tmp_path / "extensible.wav"
    path.write_bytes(riff(extensible(1, 2, 48_000, 24, 24), raw))
    check_wav(path)
    samples, rate = decode_wav(path.read_bytes(), str(path))
    expected, _ = decode_wav(plain.read_bytes(), str(plain))
    assert rate == 48_000
    torch.testing.assert_close(samples, expected)
    torch.testing.assert_close(samples, torch.tensor((left + right) / 2, dtype=torch.float32), atol=1e-6, rtol=0)


def test_extensible_float_and_24_bits_in_a_32_bit_container():
    """Reference: the values written; 24 valid bits left-justified in 4 bytes read as 32-bit PCM."""
    floats = np.array([0.5, -0.5], dtype="<f4")
    samples, _ = decode_wav(riff(extensible(3, 1, 8000, 32, 32), floats.tobytes()), "x.wav")
    torch.testing.assert_close(samples, torch.tensor([0.5, -0.5]))
    padded = (np.array([2**22, -(2**22)], dtype=np.int64) << 8).astype("<i4")  # ±0.5 at 24 bits, shifted up
    samples, _ = decode_wav(riff(extensible(1, 1, 8000, 32, 24), padded.tobytes()), "x.wav")
    torch.testing.assert_close(samples, torch.tensor([0.5, -0.5]))


def test_compressed_wav_and_other_formats_name_the_extra_without_soundfile(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "soundfile", None)  # as if not installed
    adpcm = tmp_path / "adpcm.wav"
    adpcm.write_bytes(riff(struct.pack("<HHIIHH", 2, 1, 8000, 4000, 256, 4), b"\0" * 256))
    extra = r"needs the soundfile package: pip install 'rnnlab\[audio\]'"
    with pytest.raises(ValueError, match=rf"adpcm\.wav: reading \.wav audio {extra}"):
        load_wav(adpcm)
    with pytest.raises(ValueError, match=rf"adpcm\.wav: reading \.wav audio {extra}"):
        check_wav(adpcm)
    flac = tmp_path / "clip.flac"
    flac.write_bytes(b"fLaC")
    with pytest.raises(ValueError, match=rf"clip\.flac: reading \.flac audio {extra}"):
        load_wav(flac)


def test_flac_and_ogg_through_soundfile(tmp_path):
    """Reference: the same 16-bit samples written as WAV and read here; FLAC is lossless, so they are equal."""
    soundfile = pytest.importorskip("soundfile")
    tone = sine(440, 0.1, 16_000)
    wav = write_wav(tmp_path / "clip.wav", tone, 16_000)
    pcm = np.frombuffer(wav.read_bytes()[44:], dtype="<i2")  # what write_wav stored
    soundfile.write(str(tmp_path / "clip.flac"), pcm, 16_000, subtype="PCM_16")
    torch.testing.assert_close(load_wav(tmp_path / "clip.flac"), load_wav(wav))
    soundfile.write(str(tmp_path / "clip.ogg"), tone, 16_000, format="OGG", subtype="VORBIS")
    assert load_wav(tmp_path / "clip.ogg").shape == (1600,)  # lossy: the length survives, not the samples
    (tmp_path / "bad.flac").write_bytes(b"not audio")
    with pytest.raises(ValueError, match=r"bad\.flac: not a readable audio file"):
        load_wav(tmp_path / "bad.flac")


def test_resampling_keeps_a_sine_a_sine():
    """Reference: the same sine sampled directly at the new rate (away from the ends, which wrap)."""
    source = torch.tensor(sine(440, 0.5, 22_050), dtype=torch.float32)
    out = resample(source, 22_050, 16_000)
    assert out.shape == (round(len(source) * 16_000 / 22_050),)
    expected = torch.tensor(sine(440, 0.5, 16_000), dtype=torch.float32)[:len(out)]
    torch.testing.assert_close(out[400:-400], expected[400:-400], atol=2e-3, rtol=0)
    up = resample(expected, 16_000, 44_100)
    torch.testing.assert_close(up[1000:-1000], torch.tensor(sine(440, 0.5, 44_100), dtype=torch.float32)[1000:-1000],
                               atol=2e-3, rtol=0)
    assert resample(source, 8000, 8000) is source


def test_loading_resamples_to_16_khz(tmp_path):
    path = write_wav(tmp_path / "a.wav", sine(300, 0.3, 44_100), 44_100)
    assert load_wav(path).shape == (4800,)


def test_trim_silence_keeps_the_loud_part():
    """Reference: 0.2 s of silence, 0.3 s of tone, 0.2 s of silence: the tone's 10 ms blocks remain."""
    rate = 16_000
    samples = torch.cat([torch.zeros(3200), torch.tensor(sine(500, 0.3, rate), dtype=torch.float32), torch.zeros(3200)])
    trimmed = trim_silence(samples, rate)
    assert len(trimmed) == 4800 and float(trimmed.abs().max()) > 0.4
    assert torch.equal(trim_silence(torch.zeros(1000), rate), torch.zeros(1000))


def test_the_htk_mel_scale():
    """Reference: the HTK book: mel(f) = 2595 log10(1 + f/700), which puts 1000 Hz at 999.99 mel."""
    assert abs(float(hz_to_mel(torch.tensor(1000.0))) - 999.9855) < 1e-3
    hz = torch.tensor([0.0, 440.0, 4000.0, 8000.0], dtype=torch.float64)
    torch.testing.assert_close(mel_to_hz(hz_to_mel(hz)), hz)


def test_one_mel_triangle_by_hand():
    """Reference, worked by hand: 8 kHz, a 16-point FFT (bins every 500 Hz), one band from 0 to 4000 Hz.
    Its centre is at mel(4000)/2, i.e. 700(√(47/7) - 1) = 1113.836 Hz; the weight at 500 Hz is
    500/1113.836 = 0.44890, at 1000 Hz 0.89780, at 1500 Hz (4000-1500)/(4000-1113.836) = 0.86620."""
    bank = mel_filterbank(1, 16, 8000, 0.0, 4000.0)
    assert bank.shape == (1, 9)
    torch.testing.assert_close(bank[0, :4], torch.tensor([0.0, 0.44890, 0.89780, 0.86620]), atol=1e-5, rtol=0)
    assert abs(float(bank[0, -1])) < 1e-5  # 4000 Hz, the top edge (round-off through mel and back)


def test_mel_triangles_share_edges_and_sum_to_one_between_the_outer_centres():
    """Reference: each triangle falls to 0 where the next peaks, so between the first and last centres
    the weights at any frequency sum to exactly 1."""
    config = MFCCConfig()
    bank = mel_filterbank(config.n_mels, config.n_fft, 16_000, config.f_min, 8000.0).double()
    centres = mel_to_hz(torch.linspace(float(hz_to_mel(torch.tensor(20.0))), float(hz_to_mel(torch.tensor(8000.0))),
                                       config.n_mels + 2, dtype=torch.float64))[1:-1]
    bins = torch.arange(config.n_fft // 2 + 1) * 16_000 / config.n_fft
    inside = (bins >= centres[0]) & (bins <= centres[-1])
    torch.testing.assert_close(bank.sum(dim=0)[inside], torch.ones(int(inside.sum()), dtype=torch.float64), atol=1e-6,
                               rtol=0)
    assert bool((bank >= 0).all())


def test_the_dct_is_orthonormal_and_matches_an_fft_dct():
    """Reference: C Cᵀ = I; the DCT of a constant is its √N-scaled mean in c0 only; and Makhoul's (1980)
    FFT algorithm for the DCT-II on a random vector, in numpy."""
    c = dct_matrix(8, 8).double()
    torch.testing.assert_close(c @ c.T, torch.eye(8, dtype=torch.float64), atol=1e-6, rtol=0)
    torch.testing.assert_close(dct_matrix(4, 4) @ torch.ones(4), torch.tensor([2.0, 0, 0, 0]), atol=1e-6, rtol=0)
    x = np.random.default_rng(0).normal(size=8)
    v = np.concatenate([x[0::2], x[1::2][::-1]])  # even samples, then odd ones reversed
    k = np.arange(8)
    reference = np.real(np.exp(-1j * np.pi * k / 16) * np.fft.fft(v)) * np.where(k == 0, np.sqrt(1 / 8), np.sqrt(2 / 8))
    torch.testing.assert_close(dct_matrix(8, 8).double() @ torch.tensor(x), torch.tensor(reference), atol=1e-5,
                               rtol=0)


def test_the_power_spectrum_matches_numpy():
    """Reference: numpy: pre-emphasis, frames every 160 samples, np.hamming (symmetric), |rfft(512)|²."""
    config = MFCCConfig()
    x = np.random.default_rng(1).normal(size=2000).astype(np.float32)
    y = np.concatenate([x[:1], x[1:] - 0.97 * x[:-1]])
    frames = np.stack([y[t * 160:t * 160 + 400] for t in range(1 + (2000 - 400) // 160)])
    reference = np.abs(np.fft.rfft(frames * np.hamming(400), n=512)) ** 2
    got = power_spectrum(torch.tensor(x), config)
    assert got.shape == (11, 257)
    torch.testing.assert_close(got.double(), torch.tensor(reference), rtol=1e-4, atol=1e-3)


def test_a_pure_tone_lands_in_the_mel_band_centred_nearest_it():
    """Reference: a 1 kHz tone's energy peaks in the triangle whose centre frequency is nearest 1 kHz."""
    config = MFCCConfig(pre_emphasis=0.0)
    tone = torch.tensor(sine(1000, 0.5, 16_000), dtype=torch.float32)
    bank = mel_filterbank(config.n_mels, config.n_fft, 16_000, config.f_min, 8000.0)
    energies = power_spectrum(tone, config) @ bank.T  # (T, n_mels)
    centres = mel_to_hz(torch.linspace(float(hz_to_mel(torch.tensor(20.0))), float(hz_to_mel(torch.tensor(8000.0))),
                                       config.n_mels + 2))[1:-1]
    nearest = int((centres - 1000).abs().argmin())
    assert bool((energies.argmax(dim=1) == nearest).all())


def test_mfcc_shape_and_the_log_energy_in_c0():
    """Reference: T = 1 + (N - 400) // 160 frames; c0 = √(1/M) Σ_m log E_m, so doubling the amplitude
    (x4 energy) raises c0 by √M · ln 4 and leaves the other cepstra unchanged."""
    tone = torch.tensor(sine(700, 0.5, 16_000), dtype=torch.float32)
    features = mfcc(tone)
    assert features.shape == (1 + (8000 - 400) // 160, 13)
    louder = mfcc(2 * tone)
    torch.testing.assert_close(louder[:, 0] - features[:, 0], torch.full((48,), math.sqrt(40) * math.log(4)),
                               atol=1e-3, rtol=0)
    torch.testing.assert_close(louder[:, 1:], features[:, 1:], atol=1e-3, rtol=0)


def test_wav_features_trim_then_featurise(tmp_path):
    rate = 22_050
    padded = np.concatenate([np.zeros(rate // 5), sine(600, 0.3, rate), np.zeros(rate // 5)])
    features = wav_features(write_wav(tmp_path / "word.wav", padded, rate))
    assert features.shape == (1 + (4800 - 400) // 160, 13)  # the 0.3 s tone at 16 kHz, silence trimmed
