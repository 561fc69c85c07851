"""Generates Lepton's hostile-file corpus (issue 19): files crafted and mutated from valid seeds,
for every reader the command line reaches, and a manifest of the `lepton` runs that read them.

    python3 python/hostile_corpus.py OUT_DIR SEEDS_DIR DATA_DIR [--count-scale 1.0]
    python3 python/hostile_corpus.py run MANIFEST LEPTON MODEL_FOLDER


SEEDS_DIR holds what only Lepton writes (made by the test that calls this): `model/` (a model
folder taking [28, 28, 1] images: model.json + model.safetensors) and `model.onnx`. DATA_DIR is
`../shared/datasets`. Writes OUT_DIR/<kind>/<n>.<ext> and OUT_DIR/manifest.tsv: one line per run,
`<file>\t<arg>\t<arg>…`, where `{model}` stands for the seed model folder. Deterministic: the
same seeds give the same corpus.
"""
import gzip
import io
import json
import os
import random
import struct
import sys
import zipfile

import numpy as np
from PIL import Image

BOUNDARY = [0, 1, -1, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 10**9, 10**12, 10**19, 10**300]
NUMBERS = ["0", "-1", "1e300", "-1e300", "1e19", "9223372036854775808", ".nan", ".inf", "-.inf", "1.5", "4294967296", "\"7\"", "null", "[]", "{}"]


def mutate(data: bytes, rng: random.Random, header: int = 0) -> bytes:
    """One random mutation: bit flips, truncation, insertion, duplication, or a boundary integer
    written over a field. `header` biases positions towards the first bytes."""
    b = bytearray(data)
    span = header if header and rng.random() < 0.7 else len(b)
    span = max(1, min(span, len(b)))
    kind = rng.randrange(6)
    if kind == 0:
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(span)
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        b = b[:rng.randrange(len(b))]
    elif kind == 2:
        i = rng.randrange(span)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif kind == 3:
        i = rng.randrange(span)
        j = min(len(b), i + rng.randint(1, 256))
        b[j:j] = b[i:j] * rng.randint(1, 20)
    elif kind == 4:
        i = rng.randrange(max(1, span - 8))
        v = rng.choice(BOUNDARY) % 2**64
        fmt = rng.choice(["<I", ">I", "<Q", ">Q"])
        packed = struct.pack(fmt, v % (2**32 if fmt[1] == "I" else 2**64))
        b[i:i + len(packed)] = packed
    else:
        i = rng.randrange(span)
        del b[i:i + rng.randint(1, 64)]
    return bytes(b)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.runs = []
        self.counts = {}

    def write(self, kind, ext, data):
        """Writes the next file of `kind` (OUT/<kind>/<n>.<ext>) and returns its path."""
        folder = os.path.join(self.out, kind)
        os.makedirs(folder, exist_ok=True)
        number = self.counts.get(kind, 0)
        self.counts[kind] = number + 1
        path = os.path.join(folder, f"{number:05d}.{ext}")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def add(self, kind, ext, data, args):
        """Writes a file and the run that reads it (`{file}` in `args` stands for its path)."""
        path = self.write(kind, ext, data)
        self.runs.append((path, [a.replace("{file}", path) for a in args]))
        return path

    def write_manifest(self):
        with open(os.path.join(self.out, "manifest.tsv"), "w") as f:
            for path, args in self.runs:
                f.write("\t".join([path] + args) + "\n")


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def npy_header(descr, shape, fortran=False, version=1, pad_to=None):
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    text = text.ljust((pad_to or 64) - 11) + "\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(text)) + text.encode()


def idx_bytes(dtype_code, dims, payload):
    return bytes([0, 0, dtype_code, len(dims)]) + b"".join(struct.pack(">I", d % 2**32) for d in dims) + payload


def build(out, seeds, data_dir, scale):
    rng = random.Random(19)
    c = Corpus(out)
    predict = ["predict", "{model}", "{file}", "--limit", "5"]
    n = lambda k: max(1, int(k * scale))

    # NPY: samples for the [28, 28, 1] model, lying headers, mutations.
    images = np.load(io.BytesIO(npy_bytes((np.arange(4 * 784) % 256).astype(np.float32).reshape(4, 28, 28, 1))))
    seeds_npy = [npy_bytes(images), npy_bytes(images.astype(np.uint8)), npy_bytes(images.astype(np.float64)),
                 npy_bytes(np.arange(10, dtype=np.int64)), npy_bytes(np.zeros((0, 28, 28, 1), np.float32))]
    shapes = ["(4, 28, 28, 1)", "(4611686018427387904, 2)", "(2147483648, 2147483648, 4)", "(-1, 784)", "(18446744073709551616,)",
              "(3037000500, 3037000500)", "()", "(1,)*40", "(4, 28, 28, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
              "(4, 'a')", "(4, 28.5)", "(0, 0)", "(99999999999999999999999999999999999,)", "(4, 28, 28, 1"]
    descrs = ["<f4", "<f8", "|u1", "<i8", "<i4", ">f4", "<c8", "|O", "<U10", "<f2", "|b1", "", "<f4'", "V8"]
    for shape in shapes:
        for descr in descrs:
            c.add("npy", "npy", npy_header(descr, shape) + seeds_npy[0][128:], predict)
    for version in (1, 2):
        for length in (0, 1, 65535, 2**31 - 1 if version == 2 else 100, 2**32 - 1 if version == 2 else 200):
            head = b"\x93NUMPY" + bytes([version, 0]) + (struct.pack("<H", length % 65536) if version == 1 else struct.pack("<I", length))
            c.add("npy", "npy", head + b"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", predict)
    c.add("npy", "npy", npy_header("<f4", "(4, 28, 28, 1)", fortran=True) + seeds_npy[0][128:], predict)
    for _ in range(n(220)):
        c.add("npy", "npy", mutate(rng.choice(seeds_npy), rng, header=128), predict)

    # NPZ archives: mutated zips, lying sizes, a deflate bomb.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.npy", seeds_npy[0])
    npz = buf.getvalue()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.npy", npy_header("<f4", "(16777216, 28, 28, 1)") + bytes(64 << 20))
    c.add("npz", "npz", bomb.getvalue(), predict)
    for _ in range(n(120)):
        c.add("npz", "npz", mutate(npz, rng, header=64), predict)

    # IDX: lying dims, dims overflow, gzip bombs, mutations of real MNIST files.
    with gzip.open(os.path.join(data_dir, "mnist", "t10k-images-idx3-ubyte.gz"), "rb") as f:
        mnist = f.read(16 + 784 * 8)
    mnist = mnist[:4] + struct.pack(">I", 8) + mnist[8:]
    for dims in ([8, 28, 28], [2**32 - 1, 28, 28], [2**31, 2**31, 4], [0, 28, 28], [8, 0, 0], [8, 65536, 65536], [2**16] * 8, []):
        for code in (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x07):
            c.add("idx", "idx3-ubyte", idx_bytes(code, dims, mnist[16:]), predict)
    c.add("idx", "gz", gzip.compress(idx_bytes(0x08, [60000, 28, 28], bytes(64 << 20)), 9), predict)
    c.add("idx", "gz", gzip.compress(idx_bytes(0x08, [4096, 4096, 4096], bytes(32 << 20)), 9), predict)
    for _ in range(n(120)):
        c.add("idx", "idx3-ubyte", mutate(mnist, rng, header=16), predict)
    for _ in range(n(60)):
        c.add("idx", "gz", mutate(gzip.compress(mnist), rng, header=32), predict)

    # Images: mutated faces PNGs, JPEGs made from them, lying dimensions.
    faces = sorted(os.path.join(data_dir, "faces", "face", f) for f in os.listdir(os.path.join(data_dir, "faces", "face")))[:10]
    pngs = [open(p, "rb").read() for p in faces]
    jpgs = []
    for p in faces[:5]:
        out_buf = io.BytesIO()
        Image.open(p).convert("RGB").resize((28, 28)).save(out_buf, "JPEG", quality=90)
        jpgs.append(out_buf.getvalue())
    for _ in range(n(230)):
        c.add("png", "png", mutate(rng.choice(pngs), rng, header=40), predict)
    for _ in range(n(150)):
        c.add("jpg", "jpg", mutate(rng.choice(jpgs), rng, header=200), predict)
    for w, h in ((2**31 - 1, 1), (65535, 65535), (1, 2**31 - 1), (0, 28), (100000, 100000)):
        png = bytearray(pngs[0])
        png[16:24] = struct.pack(">II", w, h)
        c.add("png", "png", bytes(png), predict)

    # YAML training configs, read by `lepton summary` (config → layers → shapes).
    examples = [open(os.path.join(os.path.dirname(__file__), "..", "examples", f)).read()
                for f in sorted(os.listdir(os.path.join(os.path.dirname(__file__), "..", "examples"))) if f.endswith(".yaml")]
    summary = ["summary", "{file}"]
    for text in examples:
        lines = text.split("\n")
        for _ in range(n(40)):
            mutated = list(lines)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(mutated))
                line = mutated[i]
                digits = [j for j, ch in enumerate(line) if ch.isdigit()]
                if digits and rng.random() < 0.7:
                    j = rng.choice(digits)
                    k = j
                    while k < len(line) and (line[k].isdigit() or line[k] in ".e-"):
                        k += 1
                    mutated[i] = line[:j] + rng.choice(NUMBERS) + line[k:]
                else:
                    mutated[i] = line[:rng.randrange(len(line) + 1)] + rng.choice(["{", "[", ": :", "&a", "*a", "!!python/object", "\t", "'", "- "])
            c.add("yaml", "yaml", "\n".join(mutated).encode(), summary)
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))
    c.add("yaml", "yaml", laughs.encode(), summary)
    c.add("yaml", "yaml", ("model: " + "[" * 50000 + "]" * 50000).encode(), summary)
    c.add("yaml", "yaml", examples[0].encode() + b"\x00\xff\xfe", summary)

    # Sentiment TSV and MovieLens ratings through `lepton train` (tiny models, one epoch).
    tsv = open(os.path.join(data_dir, "sentiment", "movieReviewSnippets.tsv"), "rb").read().split(b"\n")[:200]
    udata = open(os.path.join(data_dir, "movielens-100k", "u.data"), "rb").read().split(b"\n")[:500]
    train_dir = os.path.join(out, "train")
    os.makedirs(train_dir, exist_ok=True)
    training = [
        ("tsv", tsv, "sentiment", ", max_vocabulary: 500, sequence_length: 20",
         "{layers: [{type: Embedding, input_dim: 500, output_dim: 4}, {type: Flatten}, {type: Dense, units: 1, activation: sigmoid}]}",
         "binary_crossentropy"),
        ("ratings", udata, "movielens", "",
         "{input_shape: [2], layers: [{type: MatrixFactorization, users: 943, items: 1682, factors: 4}]}", "mse"),
    ]
    for kind, lines, dataset, settings, model, loss in training:
        for i in range(n(100)):
            data_path = c.write(kind, "data", mutate(b"\n".join(lines), rng, header=0))
            cfg = f"dataset: {{name: {dataset}, path: '{data_path}'{settings}}}\nmodel: {model}\nloss: {loss}\nepochs: 1\n"
            c.add(kind + "-config", "yaml", cfg.encode(), ["train", "{file}", "--output", os.path.join(train_dir, f"{kind}{i}")])

    # Model folders: mutated model.json and model.safetensors (`lepton summary`, `lepton predict`).
    model_json = open(os.path.join(seeds, "model", "model.json"), "rb").read()
    weights = open(os.path.join(seeds, "model", "model.safetensors"), "rb").read()
    for i in range(n(150)):
        folder = os.path.join(out, "model-json", f"{i:05d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "model.json"), "wb") as f:
            f.write(mutate(model_json, rng))
        with open(os.path.join(folder, "model.safetensors"), "wb") as f:
            f.write(weights)
        c.runs.append((folder, ["summary", folder]))
    for _ in range(n(150)):
        c.add("safetensors", "safetensors", mutate(weights, rng, header=400), ["inspect", "{file}"])

    # ONNX files exported from the seed model: `lepton inspect` parses, `lepton predict` runs.
    onnx = open(os.path.join(seeds, "model.onnx"), "rb").read()
    sample = os.path.join(out, "sample.npy")
    with open(sample, "wb") as f:
        f.write(seeds_npy[0])
    for k in range(n(300)):
        args = ["inspect", "{file}"] if k % 2 else ["predict", "{file}", sample]
        c.add("onnx", "onnx", mutate(onnx, rng), args)

    c.write_manifest()
    return len(c.runs)


def run(manifest, lepton, model, workers=2, timeout=40.0, rss_limit_mb=1024):
    """Runs every line of `manifest` through `lepton`: returns the failures — a signal (crash),
    a run past `timeout` seconds (hang), a peak RSS over `rss_limit_mb`, or an exit status that
    is neither 0 nor 1, or a status 1 without the one `error:` line — and the run count."""
    import concurrent.futures
    import subprocess
    import time

    def one(line):
        parts = line.rstrip("\n").split("\t")
        args = [a.replace("{model}", model) for a in parts[1:]]
        shown = "lepton " + " ".join(args)
        proc = subprocess.Popen([lepton] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                proc.stderr.close()
                return f"hang (> {timeout:.0f} s): {shown}"
            time.sleep(0.01)
        proc.returncode = 0   # reaped by wait4 above
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        rss = usage.ru_maxrss / 1024
        if os.WIFSIGNALED(status):
            return f"crash (signal {os.WTERMSIG(status)}): {shown}: {stderr.strip()[:300]}"
        code = os.WEXITSTATUS(status)
        if rss > rss_limit_mb:
            return f"peak RSS {rss:.0f} MB: {shown}"
        if code not in (0, 1):
            return f"exit status {code}: {shown}: {stderr.strip()[:300]}"
        if code == 1 and not (stderr.startswith("error: ") and stderr.count("\n") == 1):
            return f"status 1 without one 'error:' line: {shown}: {stderr.strip()[:300]}"
        return None

    lines = open(manifest).readlines()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        failures = [f for f in pool.map(one, lines) if f]
    return failures, len(lines)

if __name__ == "__main__":
    if sys.argv[1] == "run":
        import time
        start = time.monotonic()
        failures, count = run(sys.argv[2], sys.argv[3], sys.argv[4])
        for failure in failures:
            print("FAIL " + failure.replace("\n", " | "))
        print(f"runs {count} failures {len(failures)} seconds {time.monotonic() - start:.0f}")
    else:
        out, seeds, data = sys.argv[1], sys.argv[2], sys.argv[3]
        scale = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--count-scale" else 1.0
        print(build(out, seeds, data, scale))
