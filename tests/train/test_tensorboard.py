"""TensorBoard event files written by hand: CRC-32C, the TFRecord framing and the scalar protobufs.

The files were also opened by hand with TensorBoard's own reader (`tensorboard --logdir`, and
`tensorboard.backend.event_processing.event_accumulator.EventAccumulator`), which showed the same steps,
tags and values; TensorBoard is not a dependency, so these tests check the format against its
specification and our reader instead.
"""

import struct

import pytest
import torch

from rnnlab.train.tensorboard import ScalarWriter, crc32c, masked_crc, read_scalars


@pytest.mark.parametrize(("data", "expected"), [
    (b"123456789", 0xE3069283),  # the CRC-32C "check" value (Castagnoli; the CRC catalogue, CRC-32/ISCSI)
    (bytes(32), 0x8A9136AA),  # RFC 3720 (iSCSI), appendix B.4: 32 bytes of zeros
    (b"\xff" * 32, 0x62A8AB43),  # RFC 3720, B.4: 32 bytes of ones
    (bytes(range(32)), 0x46DD794E),  # RFC 3720, B.4: 32 incrementing bytes
    (b"", 0x00000000),
])
def test_crc32c_known_vectors(data, expected):
    assert crc32c(data) == expected


def test_masked_crc_is_tensorflows_rotation_plus_constant():
    """Reference: tensorflow/core/lib/hash/crc32c.h, Mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8,
    modulo 2^32, written out here on the check value."""
    crc = 0xE3069283
    assert masked_crc(b"123456789") == (((crc >> 15) | (crc << 17)) + 0xA282EAD8) % 2**32


def float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def written(tmp_path):
    writer = ScalarWriter(tmp_path / "tb")
    writer.add_scalars(1, {"train/loss": 0.1, "test/mse": 1 / 3})
    writer.add_scalars(20, {"train/loss": -2.5e-7})
    writer.add_scalars(2**40 + 3, {"train/lr": 1e30, "test/accuracy": 1.0})  # a step past 32 bits
    return writer.path


def test_scalars_read_back_exactly(tmp_path):
    """Reference: the steps, tags and values written, each value rounded to float32 (simple_value is a
    protobuf `float`), in the order written; the file_version record holds no scalars."""
    path = written(tmp_path)
    assert path.parent == tmp_path / "tb"
    assert path.name.startswith("events.out.tfevents.")
    assert read_scalars(path) == [
        (1, "train/loss", float32(0.1)),
        (1, "test/mse", float32(1 / 3)),
        (20, "train/loss", float32(-2.5e-7)),
        (2**40 + 3, "train/lr", float32(1e30)),
        (2**40 + 3, "test/accuracy", 1.0),
    ]
    assert float32(0.1) == torch.tensor(0.1, dtype=torch.float32).item()


def test_every_record_is_framed_as_tfrecord(tmp_path):
    """Reference: the TFRecord layout (tensorflow/core/lib/io/record_writer.cc): uint64 length, masked CRC
    of the length, the data, masked CRC of the data; the first record's event carries file_version
    "brain.Event:2" (field 3), which TensorBoard requires."""
    data = written(tmp_path).read_bytes()
    position, records = 0, []
    while position < len(data):
        header = data[position:position + 8]
        (length,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", data[position + 8:position + 12])[0] == masked_crc(header)
        body = data[position + 12:position + 12 + length]
        assert struct.unpack("<I", data[position + 12 + length:position + 16 + length])[0] == masked_crc(body)
        records.append(body)
        position += 16 + length
    assert position == len(data)
    assert len(records) == 4
    assert b"\x1a\x0dbrain.Event:2" in records[0]  # field 3, wire type 2, 13 bytes


def test_a_second_writer_appends_a_new_file(tmp_path):
    first = ScalarWriter(tmp_path)
    first.add_scalars(5, {"a": 1.0})
    first.add_scalars(6, {"a": 2.0})
    assert read_scalars(first.path) == [(5, "a", 1.0), (6, "a", 2.0)]


def test_every_flipped_byte_is_detected(tmp_path):
    """Reference: the CRCs. Every single byte of the file, flipped, makes the reader refuse the file with
    ValueError rather than return wrong numbers or fail some other way."""
    path = written(tmp_path)
    data = path.read_bytes()
    corrupt = tmp_path / "corrupt"
    for position in range(len(data)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        corrupt.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match="corrupt"):
            read_scalars(corrupt)


def test_a_truncated_file_is_detected(tmp_path):
    """A file cut short (a writer killed mid-record) is refused, not half read."""
    path = written(tmp_path)
    data = path.read_bytes()
    for cut in (len(data) - 1, len(data) - 7, 10):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="corrupt"):
            read_scalars(path)
