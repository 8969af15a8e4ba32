#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a Megatron-LM indexed dataset (PREFIX.bin + PREFIX.idx) for tests/backend/test_real_data.cpp,
from the MMIDIDX field list (Megatron's _IndexWriter), with struct and numpy:

  .idx  b"MMIDIDX\\x00\\x00"  <Q version 1  <B dtype code  <Q sequence count  <Q document index count
        int32 sequence lengths, int64 sequence pointers (byte offsets into .bin),
        int64 document indices (0, then the sequence count after each document)
  .bin  the ids of every sequence back to back, in the dtype

Document k (0 <= k < DOCS) has 5 + 3k tokens t[j] = (31 k + 7 j + 1) % 255; odd documents are
stored as two sequences (the first 2 tokens, then the rest). The documents are also written to
PREFIX.json as a list of lists of ids, for the reader to be compared against. Ids stay below 255:
0xFF is the end-of-document token the reader puts after each document.

usage: write_megatron.py PREFIX DOCS DTYPE_CODE [--magic BYTES] [--version V] [--shift-pointer SEQ DELTA]
                         [--set-id SEQ POS VALUE] [--truncate-bin BYTES] [--doc-index K VALUE]
                         [--header-sequences N]
"""
import argparse
import json
import struct

import numpy as np

DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32,
          8: np.uint16}

p = argparse.ArgumentParser()
p.add_argument("prefix")
p.add_argument("docs", type=int)
p.add_argument("dtype", type=int)
p.add_argument("--magic", default="MMIDIDX")
p.add_argument("--version", type=int, default=1)
p.add_argument("--shift-pointer", nargs=2, type=int, action="append", default=[])
p.add_argument("--set-id", nargs=3, type=int, action="append", default=[])
p.add_argument("--truncate-bin", type=int, default=0)
p.add_argument("--doc-index", nargs=2, type=int, action="append", default=[])
p.add_argument("--header-sequences", type=int)
args = p.parse_args()

docs = [[(31 * k + 7 * j + 1) % 255 for j in range(5 + 3 * k)] for k in range(args.docs)]
sequences, doc_idx = [], [0]
for k, d in enumerate(docs):
    sequences += [d[:2], d[2:]] if k % 2 else [d]
    doc_idx.append(len(sequences))
for k, value in args.doc_index:
    doc_idx[k] = value
for seq, pos, value in args.set_id:
    sequences[seq][pos] = value

dtype = DTYPES[args.dtype] if args.dtype in DTYPES else np.uint16
itemsize = np.dtype(dtype).itemsize
lengths = np.array([len(s) for s in sequences], dtype=np.int32)
pointers = np.zeros(len(sequences), dtype=np.int64)
pointers[1:] = np.cumsum(lengths[:-1]) * itemsize
for seq, delta in args.shift_pointer:
    pointers[seq] += delta

data = b"".join(np.array(s, dtype=dtype).tobytes() for s in sequences)
if args.truncate_bin:
    data = data[: len(data) - args.truncate_bin]
with open(args.prefix + ".bin", "wb") as f:
    f.write(data)
with open(args.prefix + ".idx", "wb") as f:
    f.write(args.magic.encode().ljust(9, b"\x00")[:9])
    f.write(struct.pack("<Q", args.version))
    f.write(struct.pack("<B", args.dtype))
    f.write(struct.pack("<Q", len(sequences) if args.header_sequences is None else args.header_sequences))
    f.write(struct.pack("<Q", len(doc_idx)))
    f.write(lengths.tobytes())
    f.write(pointers.tobytes())
    f.write(np.array(doc_idx, dtype=np.int64).tobytes())
with open(args.prefix + ".json", "w") as f:
    json.dump(docs, f)
