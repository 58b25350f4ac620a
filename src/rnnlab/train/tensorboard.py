"""TensorBoard event files (scalars and hyper-parameters), written without TensorBoard or protobuf installed.

An event file is a TFRecord stream: per record, the length (uint64 LE), its masked CRC-32C, the bytes,
and their masked CRC-32C. Each record is an `Event` protocol buffer (tensorflow/core/util/event.proto):
wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5 (a `Summary` whose
repeated `value` = 1 holds tag = 1 (string) and simple_value = 2 (float), or metadata = 9). We encode just
those fields; `read_scalars` reads them back, every CRC checked (public: for tests, and tools without
TensorBoard).

Hyper-parameters go where TensorBoard's HParams view looks (tensorboard/plugins/hparams/plugin_data.proto):
a value tagged `_hparams_/session_start_info` whose metadata names the plugin "hparams" and carries an
`HParamsPluginData` (version = 1: 0; session_start_info = 3: hparams = 1, a map of names to
google.protobuf.Value: number = 2, string = 3, bool = 4; start_time_secs = 5), and at the end
`_hparams_/session_end_info` (session_end_info = 4: status = 1, end_time_secs = 2). With no experiment
summary, TensorBoard takes every run's hyper-parameters and every scalar tag as the table's columns.

On `--resume`, `truncate_events` drops what the event files hold past the checkpoint's step, so the steps
run again after it are not drawn twice.
"""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path
from typing import Literal

from rnnlab.files import write_atomic

HPARAMS_START, HPARAMS_END = "_hparams_/session_start_info", "_hparams_/session_end_info"
SESSION_STATUS = {"success": 1, "failure": 2, "running": 3}  # hparams/api.proto's Status (0: unknown)
Hyperparameter = float | int | str | bool


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli polynomial, reflected
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _event(wall_time: float, step: int, *, file_version: str | None = None,
           scalars: dict[str, float] | None = None, summary_values: bytes = b"") -> bytes:
    out = _varint(1 << 3 | 1) + struct.pack("<d", wall_time) + _varint(2 << 3 | 0) + _varint(step)
    if file_version is not None:
        out += _field_bytes(3, file_version.encode())
    if scalars:
        summary_values += b"".join(
            _field_bytes(1, _field_bytes(1, tag.encode()) + _varint(2 << 3 | 5) + struct.pack("<f", value))
            for tag, value in scalars.items()
        )
    if summary_values:
        out += _field_bytes(5, summary_values)
    return out


def _double(number: int, value: float) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def _value(value: Hyperparameter) -> bytes:
    """A google.protobuf.Value: bool_value = 4, number_value = 2, string_value = 3."""
    if isinstance(value, bool):
        return _varint(4 << 3 | 0) + _varint(int(value))
    if isinstance(value, int | float):
        return _double(2, float(value))
    return _field_bytes(3, str(value).encode())


def _plugin_value(tag: str, plugin_data: bytes) -> bytes:
    """A Summary.Value with `tag` and metadata = 9 naming the hparams plugin: plugin_data = 1 {plugin_name = 1,
    content = 2}."""
    metadata = _field_bytes(1, _field_bytes(1, b"hparams") + _field_bytes(2, plugin_data))
    return _field_bytes(1, _field_bytes(1, tag.encode()) + _field_bytes(9, metadata))


def hparams_start(hparams: dict[str, Hyperparameter], start_time: float) -> bytes:
    """The summary values of a session start: HParamsPluginData{version 0, session_start_info = 3}."""
    entries = b"".join(_field_bytes(1, _field_bytes(1, name.encode()) + _field_bytes(2, _value(value)))
                       for name, value in hparams.items())
    session = entries + _double(5, start_time)
    return _plugin_value(HPARAMS_START, _varint(1 << 3 | 0) + _varint(0) + _field_bytes(3, session))


def hparams_end(status: Literal["success", "failure", "running"], end_time: float) -> bytes:
    """The summary values of a session end: HParamsPluginData{version 0, session_end_info = 4}."""
    session = _varint(1 << 3 | 0) + _varint(SESSION_STATUS[status]) + _double(2, end_time)
    return _plugin_value(HPARAMS_END, _varint(1 << 3 | 0) + _varint(0) + _field_bytes(4, session))


def _record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))


class ScalarWriter:
    """Appends scalar summaries to one event file in `folder` (`tensorboard --logdir` reads it)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        self.path = folder / f"events.out.tfevents.{int(now)}.{socket.gethostname()}"
        with self.path.open("ab") as stream:
            stream.write(_record(_event(now, 0, file_version="brain.Event:2")))

    def add_scalars(self, step: int, scalars: dict[str, float]) -> None:
        with self.path.open("ab") as stream:
            stream.write(_record(_event(time.time(), step, scalars=scalars)))

    def add_hparams_start(self, hparams: dict[str, Hyperparameter]) -> None:
        """The run's hyper-parameters, for TensorBoard's HParams view (at step 0)."""
        now = time.time()
        with self.path.open("ab") as stream:
            stream.write(_record(_event(now, 0, summary_values=hparams_start(hparams, now))))

    def add_hparams_end(self, step: int, status: Literal["success", "failure", "running"]) -> None:
        now = time.time()
        with self.path.open("ab") as stream:
            stream.write(_record(_event(now, step, summary_values=hparams_end(status, now))))


def event_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("events.out.tfevents.*")) if folder.is_dir() else []


def has_hparams(folder: Path) -> bool:
    """Whether an event file in `folder` already holds a session start (a resumed run keeps its first)."""
    return any(HPARAMS_START.encode() in record for path in event_files(folder) for record in read_records(path))


def truncate_events(folder: Path, last_step: int) -> None:
    """Drop every event past `last_step` from the event files in `folder` (each rewritten atomically): what a
    resumed run writes again must not appear twice. Events without a step (the file header) stay."""
    for path in event_files(folder):
        records = read_records(path)
        kept = [record for record in records if _step(record) <= last_step]
        if len(kept) != len(records):
            write_atomic(path, b"".join(_record(record) for record in kept))


def _step(event: bytes) -> int:
    return next((int(v) for n, v in _fields(event) if n == 2 and isinstance(v, int)), 0)


def read_scalars(path: Path) -> list[tuple[int, str, float]]:
    """(step, tag, value) for every scalar in an event file, checking every CRC; for tests and tools."""
    return [scalar for record in read_records(path) for scalar in _scalars_of(record)]


def read_records(path: Path) -> list[bytes]:
    """The Event bytes of every record in an event file, checking every CRC."""
    data = path.read_bytes()
    position = 0
    found: list[bytes] = []
    while position < len(data):
        corrupt = ValueError(f"{path}: corrupt record at byte {position}")
        if position + 12 > len(data):
            raise corrupt
        header = data[position:position + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[position + 8:position + 12])
        # The length is checked before it is used: a damaged length must not send the reader astray.
        if header_crc != masked_crc(header) or position + 16 + length > len(data):
            raise corrupt
        body = data[position + 12:position + 12 + length]
        (body_crc,) = struct.unpack("<I", data[position + 12 + length:position + 16 + length])
        if body_crc != masked_crc(body):
            raise corrupt
        found.append(body)
        position += 16 + length
    return found


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if not byte & 0x80:
            return value, position
        shift += 7


def _fields(data: bytes) -> list[tuple[int, bytes | int]]:
    position = 0
    fields: list[tuple[int, bytes | int]] = []
    while position < len(data):
        key, position = _read_varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _read_varint(data, position)
            fields.append((number, value))
        elif wire == 1:
            fields.append((number, data[position:position + 8]))
            position += 8
        elif wire == 5:
            fields.append((number, data[position:position + 4]))
            position += 4
        elif wire == 2:
            size, position = _read_varint(data, position)
            fields.append((number, data[position:position + size]))
            position += size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return fields


def _scalars_of(event: bytes) -> list[tuple[int, str, float]]:
    fields = _fields(event)
    step = next((int(v) for n, v in fields if n == 2 and isinstance(v, int)), 0)
    found: list[tuple[int, str, float]] = []
    for number, summary in fields:
        if number != 5 or not isinstance(summary, bytes):
            continue
        for value_number, value in _fields(summary):
            if value_number != 1 or not isinstance(value, bytes):
                continue
            parts = dict(_fields(value))
            tag, simple = parts.get(1), parts.get(2)
            if isinstance(tag, bytes) and isinstance(simple, bytes):
                found.append((step, tag.decode(), struct.unpack("<f", simple)[0]))
    return found
