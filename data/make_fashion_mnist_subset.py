#!/usr/bin/env python3
"""Writes data/fashion-mnist/: a class-balanced subset of Fashion-MNIST as gzipped IDX files.

Run once from the repository root (Python 3 standard library only):
    python3 data/make_fashion_mnist_subset.py [/usr/share/datasets/fashion-mnist]

From each split it keeps, in file order, the first PER_CLASS[split] images of every class (so the
subset is exactly balanced and every kept image keeps its original relative order), and writes
them under the standard file names with rewritten counts in the IDX headers. The gzip output has
no file name and a zero timestamp, so the same input gives byte-identical files.
"""
import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion-mnist")
PER_CLASS = {"train": 600, "t10k": 100}   # 6,000 training and 1,000 test images
CLASSES = 10


def read(name):
    with gzip.open(os.path.join(SOURCE, name), "rb") as f:
        return f.read()


def write(name, data):
    path = os.path.join(TARGET, name)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
        f.write(data)
    print(f"{path}: {len(data)} bytes, {os.path.getsize(path)} gzipped")


os.makedirs(TARGET, exist_ok=True)
for split, per_class in PER_CLASS.items():
    labels = read(f"{split}-labels-idx1-ubyte.gz")
    images = read(f"{split}-images-idx3-ubyte.gz")
    magic, n = struct.unpack(">II", labels[:8])
    assert magic == 0x801 and len(labels) == 8 + n
    magic, n_img, rows, cols = struct.unpack(">IIII", images[:16])
    assert magic == 0x803 and n_img == n and len(images) == 16 + n * rows * cols

    taken = [0] * CLASSES
    keep = []
    for i in range(n):
        c = labels[8 + i]
        if taken[c] < per_class:
            taken[c] += 1
            keep.append(i)
    assert taken == [per_class] * CLASSES, taken

    size = rows * cols
    write(f"{split}-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, len(keep)) + bytes(labels[8 + i] for i in keep))
    write(f"{split}-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, len(keep), rows, cols)
          + b"".join(images[16 + i * size:16 + (i + 1) * size] for i in keep))
    print(f"{split}: kept {len(keep)} of {n}; last kept index {keep[-1]}")
