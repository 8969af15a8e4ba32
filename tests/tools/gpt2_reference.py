#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""GPT-2 byte-level BPE ids of a file, as OpenAI's encoder.py computes them, for
tests/backend/test_tokenizers.cpp to compare Anneal's C++ implementation with.

    gpt2_reference.py VOCAB_JSON MERGES_TXT TEXT_FILE   -> a JSON list of ids on stdout
    gpt2_reference.py --make-vocab DIR                   -> DIR/vocab.json, DIR/merges.txt

The second form writes a small byte-level vocabulary (GPT-2's real files are not available offline):
the 256 byte symbols, the results of the merges below, and <|endoftext|>.

encoder.py uses the third-party `regex` module for \\p{L} and \\p{N}; this reference uses the
standard `re` module with those classes spelled out from unicodedata (general categories L* and
N*), and \\s as Unicode's White_Space property (what `regex` and Rust's regex mean by \\s). Bytes
that are not valid UTF-8 are read with surrogateescape: each becomes a lone surrogate (category Cs),
so it falls into [^\\s\\p{L}\\p{N}] and encodes back to the same byte.
"""
import json
import re
import sys
import unicodedata

WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
               "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def char_class(prefix):
    """The code points of general categories prefix* as a regex class body of ranges."""
    parts, start, prev = [], None, None
    for cp in range(0x110000):
        if unicodedata.category(chr(cp)).startswith(prefix):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = None
    if start is not None:
        parts.append(re.escape(chr(start)) + "-" + re.escape(chr(prev)))
    return "".join(parts)


L = char_class("L")
N = char_class("N")
S = re.escape(WHITE_SPACE)
PATTERN = re.compile(
    rf"""'s|'t|'re|'ve|'m|'ll|'d| ?[{L}]+| ?[{N}]+| ?[^{S}{L}{N}]+|[{S}]+(?![^{S}])|[{S}]+""")


def bytes_to_unicode():  # encoder.py, verbatim in substance
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


def bpe(token, ranks):  # encoder.py's Encoder.bpe
    word = tuple(token)
    pairs = get_pairs(word)
    if not pairs:
        return [token]
    while True:
        bigram = min(pairs, key=lambda pair: ranks.get(pair, float("inf")))
        if bigram not in ranks:
            break
        first, second = bigram
        new_word = []
        i = 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new_word.extend(word[i:j])
                i = j
            except ValueError:
                new_word.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = get_pairs(word)
    return list(word)


# Merges in GPT-2's spelling (Ġ is the space byte, Ċ the newline, Ã© the two bytes of é), among
# them GPT-2's first ones; later merges build on earlier ones.
MERGES = ["Ġ t", "Ġ a", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ s", "a t", "Ġ w", "Ġ o",
          "e n", "Ġ c", "i t", "i s", "a n", "o r", "e s", "Ġ b", "e d", "Ġ f", "in g", "Ġ p", "o u",
          "Ġa n", "a l", "a r", "Ġt o", "Ġ m", "Ġo f", "Ġ in", "Ġ d", "Ġ h", "Ġan d", "l l", "Ġ 1",
          "2 0", "Ġ Ġ", "ĠĠ ĠĠ", "Ċ Ċ", "' s", "Ã ©", "Ġ l", "Ġc on", "Ġs t", "Ġt h", "Ġw or", "l d",
          "Ġwor ld", "o w", "Ġn ow", "Ġ n", "er e", "Ġth ere", "Ġthe re", "Ġ ł", "1 2", "12 3"]


def make_vocab(out):
    symbols = list(bytes_to_unicode().values())
    vocab = {s: i for i, s in enumerate(symbols)}
    merges = [m.split(" ") for m in MERGES]
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab["<|endoftext|>"] = len(vocab)
    with open(out + "/vocab.json", "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(out + "/merges.txt", "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))


def main():
    if sys.argv[1] == "--make-vocab":
        make_vocab(sys.argv[2])
        return
    vocab = json.load(open(sys.argv[1], encoding="utf-8"))
    lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
    merges = [tuple(line.split()) for line in lines[1:] if line and not line.startswith("#version")]
    if lines and lines[0] and not lines[0].startswith("#version"):
        merges.insert(0, tuple(lines[0].split()))
    ranks = dict(zip(merges, range(len(merges))))
    byte_encoder = bytes_to_unicode()
    text = open(sys.argv[3], "rb").read().decode("utf-8", "surrogateescape")
    ids = []
    for piece in PATTERN.findall(text):
        token = "".join(byte_encoder[b] for b in piece.encode("utf-8", "surrogateescape"))
        ids.extend(vocab[t] for t in bpe(token, ranks))
    print(json.dumps(ids))


main()
