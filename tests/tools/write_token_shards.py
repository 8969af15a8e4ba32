#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes token shards the way nanoGPT and llm.c do, for tests/backend/test_real_data.cpp.

The tokens are t[i] = (a * i + b) % 256 (so a reader's output can be checked against a closed form),
written with numpy exactly as the formats' own writers do:

  nanoGPT  (data/*/prepare.py):       np.array(ids, dtype=np.uint16).tofile("train.bin")
  llm.c    (dev/data/data_common.py): header = np.zeros(256, dtype=np.int32);
           header[0] = magic; header[1] = version; header[2] = len(tokens);
           f.write(header.tobytes()); f.write(np.array(tokens, dtype).tobytes())
           magic 20240520 / version 1 / uint16 (GPT-2), magic 20240801 / version 7 / uint32 (Llama 3)

usage: write_token_shards.py FORMAT PATH COUNT A B [--set-id INDEX VALUE] [--truncate BYTES]
                             [--magic M] [--header-count N]
  FORMAT: nanogpt | llmc16 | llmc32
"""
import argparse

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("format", choices=["nanogpt", "llmc16", "llmc32"])
p.add_argument("path")
p.add_argument("count", type=int)
p.add_argument("a", type=int)
p.add_argument("b", type=int)
p.add_argument("--set-id", nargs=2, type=int, action="append", default=[])
p.add_argument("--truncate", type=int, default=0, help="drop this many bytes from the end")
p.add_argument("--magic", type=int)
p.add_argument("--header-count", type=int)
args = p.parse_args()

ids = [(args.a * i + args.b) % 256 for i in range(args.count)]
for index, value in args.set_id:
    ids[index] = value
if args.format == "nanogpt":
    data = np.array(ids, dtype=np.uint16).tobytes()
else:
    header = np.zeros(256, dtype=np.int32)
    header[0] = args.magic if args.magic is not None else (20240520 if args.format == "llmc16" else 20240801)
    header[1] = 1 if args.format == "llmc16" else 7
    header[2] = args.header_count if args.header_count is not None else len(ids)
    dtype = np.uint16 if args.format == "llmc16" else np.uint32
    data = header.tobytes() + np.array(ids, dtype=dtype).tobytes()
if args.truncate:
    data = data[: len(data) - args.truncate]
with open(args.path, "wb") as f:
    f.write(data)
