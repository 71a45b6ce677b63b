#!/usr/bin/env python3
"""Minimal numpy-only reader/writer for the safetensors format.

Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets"}}
(optionally "__metadata__": {str: str}), padded with spaces to a multiple of 8,
then the raw little-endian, C-order tensor bytes. Offsets are relative to the
end of the header.

As a module it needs numpy only:
    from safetensors_np import save_safetensors, load_safetensors

As a command:
    safetensors_np.py export STATE_DICT.pt OUT.safetensors   (needs torch)
    safetensors_np.py show FILE.safetensors
"""

import json
import struct
import sys

import numpy as np

# numpy dtype -> safetensors dtype. BF16 has no numpy equivalent: it is read
# as float32 (exactly) and cannot be written from numpy.
_TO_ST = {
    np.dtype("float64"): "F64",
    np.dtype("float32"): "F32",
    np.dtype("float16"): "F16",
    np.dtype("int64"): "I64",
    np.dtype("int32"): "I32",
    np.dtype("int16"): "I16",
    np.dtype("int8"): "I8",
    np.dtype("uint64"): "U64",
    np.dtype("uint32"): "U32",
    np.dtype("uint16"): "U16",
    np.dtype("uint8"): "U8",
    np.dtype("bool"): "BOOL",
}
_FROM_ST = {v: k.newbyteorder("<") for k, v in _TO_ST.items()}


def save_safetensors(path, tensors, metadata=None):
    """Writes a dict {name: np.ndarray} to `path`, in the dict's order."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        if name == "__metadata__":
            raise ValueError("tensor name '__metadata__' is reserved")
        a = np.asarray(array)
        st = _TO_ST.get(a.dtype.newbyteorder("="))
        if st is None:
            raise ValueError(f"tensor '{name}': unsupported dtype {a.dtype}")
        # Not np.ascontiguousarray: it turns 0-d arrays (BatchNorm's
        # num_batches_tracked) into shape (1,).
        a = a.astype(a.dtype.newbyteorder("<"), order="C", copy=False)
        data = a.tobytes(order="C")
        header[name] = {
            "dtype": st,
            "shape": [int(d) for d in a.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def _read_header(buf, path):
    if len(buf) < 8:
        raise ValueError(f"{path}: file is {len(buf)} bytes, too short")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > len(buf) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file size")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError(f"{path}: header is not a JSON object")
    return header, 8 + n


def load_safetensors(path, with_metadata=False):
    """Reads `path` into a dict {name: np.ndarray} in file order (BF16 tensors
    become float32). With with_metadata, returns (tensors, metadata)."""
    with open(path, "rb") as f:
        buf = f.read()
    header, start = _read_header(buf, path)
    metadata = header.pop("__metadata__", None) or {}
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    out = {}
    for name, e in entries:
        begin, end = e["data_offsets"]
        shape = tuple(e["shape"])
        if begin > end or start + end > len(buf):
            raise ValueError(f"{path}: tensor '{name}': data_offsets out of range")
        raw = buf[start + begin:start + end]
        count = int(np.prod(shape, dtype=np.int64))
        if e["dtype"] == "BF16":
            if len(raw) != 2 * count:
                raise ValueError(f"{path}: tensor '{name}': size mismatch")
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            a = bits.view(np.float32)
        else:
            dt = _FROM_ST.get(e["dtype"])
            if dt is None:
                raise ValueError(
                    f"{path}: tensor '{name}': unsupported dtype {e['dtype']}")
            if len(raw) != dt.itemsize * count:
                raise ValueError(f"{path}: tensor '{name}': size mismatch")
            a = np.frombuffer(raw, dtype=dt).astype(dt.newbyteorder("="))
        out[name] = a.reshape(shape)
    return (out, metadata) if with_metadata else out


def _export(src, dst):
    import torch  # only this command needs torch

    obj = torch.load(src, map_location="cpu")
    if isinstance(obj, torch.nn.Module):
        obj = obj.state_dict()
    if not isinstance(obj, dict):
        sys.exit(f"error: {src}: expected a state_dict (a dict of tensors), "
                 f"got {type(obj).__name__}")
    arrays = {}
    for name, value in obj.items():
        if not isinstance(value, torch.Tensor):
            sys.exit(f"error: {src}: entry '{name}' has type "
                     f"{type(value).__name__}, not a tensor; save a plain "
                     f"state_dict (torch.save(model.state_dict(), ...))")
        t = value.detach().cpu()
        if t.dtype == torch.bfloat16:  # numpy has no bf16; f32 is exact
            t = t.float()
        arrays[str(name)] = t.numpy()
    save_safetensors(dst, arrays, metadata={"format": "pt"})
    print(f"wrote {len(arrays)} tensors to {dst}")


def _show(path):
    with open(path, "rb") as f:
        buf = f.read()
    header, _ = _read_header(buf, path)
    header.pop("__metadata__", None)
    for name, e in sorted(header.items(),
                          key=lambda kv: tuple(kv[1]["data_offsets"])):
        print(f"{name}\t{e['dtype']}\t{list(e['shape'])}")


def main(argv):
    usage = ("usage: safetensors_np.py export STATE_DICT.pt OUT.safetensors\n"
             "       safetensors_np.py show FILE.safetensors")
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(usage)
        return 0
    if len(argv) == 4 and argv[1] == "export":
        _export(argv[2], argv[3])
        return 0
    if len(argv) == 3 and argv[1] == "show":
        try:
            _show(argv[2])
        except (OSError, ValueError, KeyError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        return 0
    print(usage, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
