"""Chaos benchmark of `lepton serve` (scripts/chaos.sh): CLIENTS concurrent clients send good
inference requests mixed with a fraction of hostile ones for SECONDS, and the run checks that

  * every good request is answered 200 with the class `lepton predict` gives for that image and
    probabilities within 1e-4 of its (JSON and binary tensors, FP32 and UINT8, some gzipped);
  * every bad request gets a 4xx: malformed JSON, lying shapes and datatypes, a body larger than
    the server's limit, truncated binary tensors, a gzip bomb;
  * slow senders (a good request dribbled over a few seconds) get 200 (correct) or 408;
  * clients that disconnect mid-body leave the server serving;
  * the server never dies, and its RSS grows less than 5 % from the end of the warm-up to the
    end of the run.

Usage: chaos.py PORT SERVER_PID IMAGES.npy PREDICTIONS.jsonl [--seconds S] [--clients C]
       [--bad-fraction F] [--warmup S] [--max-body-bytes N] [--max-inflated-bytes N]
Prints one line per 30 s and a summary; exits 1 when any check failed.
"""
import argparse
import asyncio
import gzip
import json
import random
import statistics
import struct
import sys
import time
from collections import Counter

import numpy as np

MODEL = "mnist"
PATH = f"/v2/models/{MODEL}/infer"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("pid", type=int)
    p.add_argument("images")
    p.add_argument("predictions")
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--bad-fraction", type=float, default=0.1)
    p.add_argument("--warmup", type=float, default=60)
    p.add_argument("--max-body-bytes", type=int, default=8 << 20)
    p.add_argument("--max-inflated-bytes", type=int, default=8 << 20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--kinds", default=",".join(BAD_KINDS + RUDE_KINDS),
                   help="comma-separated hostile kinds to send (default: all)")
    return p.parse_args()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Requests:
    """Good and bad request bodies over the first N test images."""

    def __init__(self, images, predictions, args):
        self.x = np.load(images).astype(np.float32)
        lines = [json.loads(l) for l in open(predictions) if l.strip()]
        self.classes = [l["class"] for l in lines]
        self.probabilities = [np.array(l.get("outputs", []), dtype=np.float32) for l in lines]
        self.args = args
        self.bomb = gzip.compress(b" " * (args.max_inflated_bytes * 2), compresslevel=9)

    def good(self, rng):
        """(headers, body, image index, binary output?)"""
        i = rng.randrange(len(self.x))
        image = self.x[i]
        kind = rng.randrange(4)
        headers = {"Content-Type": "application/json"}
        if kind == 0:  # JSON, FP32
            body = json.dumps({"id": str(i), "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32",
                                                         "data": image.reshape(-1).tolist()}]}).encode()
        elif kind == 1:  # JSON, UINT8, gzipped
            body = json.dumps({"id": str(i), "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "UINT8",
                                                         "data": image.reshape(-1).astype(np.uint8).tolist()}]}).encode()
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        else:  # binary tensor, FP32 or UINT8
            uint8 = kind == 3
            payload = image.astype(np.uint8).tobytes() if uint8 else image.astype("<f4").tobytes()
            header = json.dumps({"id": str(i), "inputs": [{"name": "input", "shape": [1, 28, 28, 1],
                                                           "datatype": "UINT8" if uint8 else "FP32",
                                                           "parameters": {"binary_data_size": len(payload)}}]}).encode()
            headers["Inference-Header-Content-Length"] = str(len(header))
            headers["Content-Type"] = "application/octet-stream"
            body = header + payload
        return headers, body, i

    def bad(self, rng, kind):
        """(headers, body, claimed Content-Length or None)"""
        image = self.x[rng.randrange(len(self.x))].reshape(-1)
        h = {"Content-Type": "application/json"}
        if kind == "malformed-json":
            good = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32", "data": image[:50].tolist()}]})
            cut = rng.randrange(1, len(good) - 1)
            return h, (good[:cut] + rng.choice(["", "}", "]]", ",,", "\x00", "{\"a\":"])).encode(), None
        if kind == "lying-shape":
            shape = rng.choice([[1, 28, 28, 1], [2, 28, 28, 1], [1, 28, 28, 3]])
            n = rng.choice([k for k in (10, 783, 785, 1568) if k != int(np.prod(shape))])
            body = json.dumps({"inputs": [{"name": "input", "shape": shape, "datatype": "FP32", "data": [0.0] * n}]})
            return h, body.encode(), None
        if kind == "lying-dtype":
            if rng.random() < 0.5:
                body = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": rng.choice(["FLOAT", "FP128", "", "BYTES"]),
                                               "data": image.tolist()}]}).encode()
                return h, body, None
            payload = image.astype("<f4").tobytes()
            header = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "INT64",
                                             "parameters": {"binary_data_size": len(payload)}}]}).encode()
            return {"Inference-Header-Content-Length": str(len(header))}, header + payload, None
        if kind == "oversized":
            claimed = self.args.max_body_bytes * 4
            return h, b"{\"inputs\": [" + b"0," * (1 << 18), claimed
        if kind == "truncated-binary":
            payload = image.astype("<f4").tobytes()
            header = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32",
                                             "parameters": {"binary_data_size": len(payload)}}]}).encode()
            keep = rng.randrange(0, len(payload))
            return {"Inference-Header-Content-Length": str(len(header))}, header + payload[:keep], None
        if kind == "gzip-bomb":
            return {"Content-Type": "application/json", "Content-Encoding": "gzip"}, self.bomb, None
        raise ValueError(kind)


BAD_KINDS = ["malformed-json", "lying-shape", "lying-dtype", "oversized", "truncated-binary", "gzip-bomb"]
RUDE_KINDS = ["slow-sender", "disconnect"]


async def read_response(reader):
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before a status line")
    status = int(status_line.split()[1])
    length, chunked = None, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    else:
        body = await reader.readexactly(length or 0)
    return status, body


def request_bytes(headers, body, claimed=None):
    lines = [f"POST {PATH} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {claimed if claimed is not None else len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Stats:
    def __init__(self):
        self.counts = Counter()
        self.failures = Counter()
        self.examples = {}
        self.latencies = []

    def fail(self, what, detail):
        self.failures[what] += 1
        self.examples.setdefault(what, detail)


def check_good(stats, requests, index, status, body):
    """Whether a good request's answer is right (a failure is recorded when it is not)."""
    if status != 200:
        stats.fail("good: non-200", f"status {status}: {body[:200]!r}")
        return False
    answer = json.loads(body)
    outputs = answer.get("outputs", [])
    if answer.get("id") != str(index) or not outputs:
        stats.fail("good: wrong id or no output", repr(body[:200]))
        return False
    p = np.array(outputs[0]["data"], dtype=np.float32)
    if int(p.argmax()) != requests.classes[index]:
        stats.fail("good: wrong class", f"image {index}: {int(p.argmax())} != {requests.classes[index]}")
        return False
    ref = requests.probabilities[index]
    if ref.size and np.abs(p - ref).max() > 1e-4:
        stats.fail("good: probabilities differ", f"image {index}: max diff {np.abs(p - ref).max()}")
        return False
    return True


async def client(n, args, requests, stats, deadline):
    rng = random.Random(args.seed * 1000 + n)
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if rng.random() < args.bad_fraction:
                kind = rng.choice(args.kinds)
                await one_rude_or_bad(kind, rng, args, requests, stats)
                continue
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
            headers, body, index = requests.good(rng)
            start = time.monotonic()
            writer.write(request_bytes(headers, body) + body)
            await writer.drain()
            status, answer = await asyncio.wait_for(read_response(reader), 30)
            stats.latencies.append(time.monotonic() - start)
            stats.counts["good"] += 1
            if check_good(stats, requests, index, status, answer):
                stats.counts["good ok"] += 1
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, OSError) as e:
            stats.fail("good: connection error", f"{type(e).__name__}: {e}")
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


async def one_rude_or_bad(kind, rng, args, requests, stats):
    stats.counts[kind] += 1
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
    try:
        if kind == "disconnect":
            headers, body, _ = requests.good(rng)
            writer.write(request_bytes(headers, body) + body[: rng.randrange(len(body))])
            await writer.drain()
            await asyncio.sleep(rng.random() * 0.2)
            stats.counts["disconnect ok"] += 1
            return
        if kind == "slow-sender":
            headers, body, index = requests.good(rng)
            data = request_bytes(headers, body) + body
            pieces = 10
            for k in range(pieces):
                writer.write(data[k * len(data) // pieces:(k + 1) * len(data) // pieces])
                await writer.drain()
                await asyncio.sleep(0.3)
            status, answer = await asyncio.wait_for(read_response(reader), 30)
            if status == 408 or check_good(stats, requests, index, status, answer):
                stats.counts["slow-sender ok"] += 1
            return
        headers, body, claimed = requests.bad(rng, kind)
        writer.write(request_bytes(headers, body, claimed) + body)
        try:
            await writer.drain()
        except (ConnectionError, OSError):
            pass  # the server may answer and close before an oversized body is sent
        status, answer = await asyncio.wait_for(read_response(reader), 30)
        if 400 <= status < 500:
            stats.counts[f"{kind} ok"] += 1
        else:
            stats.fail(f"bad {kind}: status {status}", repr(answer[:200]))
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, OSError) as e:
        stats.fail(f"{kind}: connection error", f"{type(e).__name__}: {e}")
    finally:
        writer.close()


async def monitor(args, stats, start, deadline, samples):
    last_print = start
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        try:
            samples.append((time.monotonic() - start, rss_kib(args.pid)))
        except FileNotFoundError:
            stats.fail("server died", f"pid {args.pid} gone at {time.monotonic() - start:.0f} s")
            return
        if time.monotonic() - last_print >= 30:
            last_print = time.monotonic()
            print(f"  {time.monotonic() - start:5.0f} s: {stats.counts['good']} good requests, "
                  f"{sum(stats.failures.values())} failures, RSS {samples[-1][1] / 1024:.0f} MiB", flush=True)


async def main():
    args = parse_args()
    args.kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in args.kinds if k not in BAD_KINDS + RUDE_KINDS]
    if unknown or not args.kinds:
        print(f"error: --kinds: unknown {unknown or 'empty list'}; expected some of {','.join(BAD_KINDS + RUDE_KINDS)}",
              file=sys.stderr)
        return 2
    requests = Requests(args.images, args.predictions, args)
    stats = Stats()
    samples = []
    start = time.monotonic()
    deadline = start + args.seconds
    tasks = [asyncio.create_task(client(n, args, requests, stats, deadline)) for n in range(args.clients)]
    tasks.append(asyncio.create_task(monitor(args, stats, start, deadline, samples)))
    await asyncio.gather(*tasks)
    # The server must still answer.
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
        writer.write(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _ = await asyncio.wait_for(read_response(reader), 10)
        writer.close()
        if status != 200:
            stats.fail("server not ready after the run", f"status {status}")
    except Exception as e:  # noqa: BLE001 — any failure to answer is the finding
        stats.fail("server not answering after the run", repr(e))

    elapsed = time.monotonic() - start
    # RSS swings with the request bodies in flight (up to --max-body-bytes each), so each end
    # of the run is its median over 30 s: a leak raises it, a burst of large bodies does not.
    after = [(t, kib) for t, kib in samples if t >= args.warmup]
    window = 30
    first = [kib for t, kib in after if t < args.warmup + window]
    last = [kib for t, kib in after if t >= after[-1][0] - window] if after else []
    baseline = statistics.median(first) if first else 0
    final = statistics.median(last) if last else 0
    growth = (final - baseline) / baseline * 100 if baseline else 0.0
    lat = sorted(stats.latencies) or [0]
    bad_sent = sum(stats.counts[k] for k in BAD_KINDS + RUDE_KINDS)
    print(f"chaos: {elapsed:.0f} s, {args.clients} clients, {stats.counts['good']} good requests "
          f"({stats.counts['good ok']} correct, {stats.counts['good'] / elapsed:.0f}/s, "
          f"p50 {lat[len(lat) // 2] * 1000:.1f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.1f} ms), {bad_sent} hostile")
    for k in BAD_KINDS + RUDE_KINDS:
        print(f"  {k}: {stats.counts[k]} sent, {stats.counts[k + ' ok']} answered as expected")
    print(f"  RSS (median over 30 s): {baseline / 1024:.1f} MiB after {args.warmup:.0f} s warm-up, {final / 1024:.1f} MiB at the end "
          f"({growth:+.2f} %), peak {max((k for _, k in samples), default=0) / 1024:.1f} MiB")
    if growth >= 5:
        stats.fail("RSS growth", f"{growth:.2f} % >= 5 %")
    for what, n in stats.failures.items():
        print(f"  FAIL {what}: {n} (e.g. {stats.examples[what]})")
    print("chaos: PASS" if not stats.failures else "chaos: FAIL")
    return 0 if not stats.failures else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
