#!/usr/bin/env python3
"""An implementation of the safetensors format independent of graphgrad's: numpy, json and struct only.

    python3 safetensors_numpy.py write FILE   writes the fixture that graphgrad's tests read
    python3 safetensors_numpy.py read FILE    reads a file (one graphgrad wrote) with numpy and
                                              prints its header and values as JSON

The format: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON (padded with
spaces), then the tensors' little-endian bytes, which the header's data_offsets must tile exactly.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
}


def bfloat16_bits(values):
    """bfloat16 as numpy lacks it: the top 16 bits of each float32 (the values chosen are exact)."""
    return (np.asarray(values, dtype="<f4").view("<u4") >> 16).astype("<u2")


def fixture():
    """(name, safetensors dtype, array) in the order they are written: not sorted, not aligned."""
    return [
        ("half", "F16", np.array([1.0, -0.5, 65504.0], dtype="<f2")),
        ("weight", "F32", np.array([[0.1, -1.25, 3.0], [1e-3, -0.0, 16777216.0]], dtype="<f4")),
        ("labels", "I32", np.array([0, 2, -1, 2147483647], dtype="<i4")),
        ("bias", "F64", np.array([0.1, -2.5, 1e-300], dtype="<f8")),
        ("scalar", "F32", np.array(3.5, dtype="<f4")),
        ("empty", "F32", np.zeros((0, 2), dtype="<f4")),
        ("brain", "BF16", bfloat16_bits([1.0, -2.5, 3.140625]).reshape(1, 3)),
        ("index", "I64", np.array([5, -7], dtype="<i8")),
    ]


def write(path):
    header = {"__metadata__": {"producer": "numpy", "note": "written without graphgrad"}}
    chunks = []
    offset = 0
    for name, code, array in fixture():
        raw = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def number(x):
    """JSON has no NaN or infinities: those travel as strings."""
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    raw_header = blob[8 : 8 + n]
    if not raw_header.startswith(b"{"):
        raise ValueError("header does not start with '{'")
    header = json.loads(raw_header.decode("utf-8"))
    data = blob[8 + n :]
    metadata = header.pop("__metadata__", {})
    spans = sorted(entry["data_offsets"] for entry in header.values())
    end = 0
    for begin, stop in spans:
        if begin != end:
            raise ValueError(f"data_offsets leave a hole or overlap at byte {begin}")
        end = stop
    if end != len(data):
        raise ValueError(f"tensors cover {end} bytes, the file holds {len(data)}")
    tensors = {}
    for name, entry in header.items():
        begin, stop = entry["data_offsets"]
        if entry["dtype"] == "BF16":
            bits = np.frombuffer(data[begin:stop], dtype="<u2").astype("<u4") << 16
            array = bits.view("<f4").reshape(entry["shape"])
        else:
            array = np.frombuffer(data[begin:stop], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        values = array.reshape(-1)
        tensors[name] = {
            "dtype": entry["dtype"],
            "shape": list(array.shape),
            "begin": begin,
            "values": [number(v) if array.dtype.kind == "f" else int(v) for v in values],
        }
    print(json.dumps({"header_length": n, "metadata": metadata, "tensors": tensors}))


if __name__ == "__main__":
    command, target = sys.argv[1], sys.argv[2]
    {"write": write, "read": read}[command](target)
