"""Autoscaling part of the deployment benchmark (scripts/bench_deploy.sh).

Drives a deployment that may scale to zero through the platform's router with a load step
(1 client, then N clients, then none) and samples its ready replicas every 0.25 s from
GET /api/v1/deployments/NAME. Reports the cold-start latency of the first request (sent while
no replica runs), the time from the step up to the first added replica and to the most
replicas, the time from the end of the load to zero replicas, and any failed request; writes
the timeline as CSV.

    python3 python/deploy_autoscale_bench.py --url http://127.0.0.1:PORT --token KEY --name auto \
        --requests DIR --clients 64 --low-seconds 10 --high-seconds 30 --idle-limit 120 --csv out.csv
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse


def status(url, token, name):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("GET", f"/api/v1/deployments/{name}", headers={"Authorization": f"Bearer {token}"})
    body = json.loads(connection.getresponse().read())
    connection.close()
    return body["ready_replicas"], body["target_replicas"]


def load_requests(folder):
    meta = open(f"{folder}/requests.lua").read()
    header = int(meta.split("header_length = ")[1].split(",")[0])
    length = int(meta.split("body_length = ")[1].split(",")[0])
    blob = open(f"{folder}/requests.bin", "rb").read()
    return header, [blob[i:i + length] for i in range(0, len(blob), length)]


class Client(threading.Thread):
    """Sends binary V2 requests back to back on one keep-alive connection until stopped."""

    def __init__(self, url, path, header, bodies, stop, stats):
        super().__init__(daemon=True)
        parsed = urllib.parse.urlparse(url)
        self.host, self.port, self.path = parsed.hostname, parsed.port, path
        self.header, self.bodies, self.stop, self.stats = header, bodies, stop, stats

    def run(self):
        connection, i = None, 0
        headers = {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(self.header)}
        while not self.stop.is_set():
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                connection.request("POST", self.path, body=self.bodies[i % len(self.bodies)], headers=headers)
                response = connection.getresponse()
                response.read()
                self.stats.record(response.status == 200)
            except (OSError, http.client.HTTPException):
                self.stats.record(False)
                connection = None
            i += 1


class Stats:
    def __init__(self):
        self.lock, self.ok, self.failed = threading.Lock(), 0, 0

    def record(self, ok):
        with self.lock:
            if ok:
                self.ok += 1
            else:
                self.failed += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--requests", required=True, help="folder of requests.bin / requests.lua")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--low-seconds", type=float, default=10)
    parser.add_argument("--high-seconds", type=float, default=30)
    parser.add_argument("--idle-limit", type=float, default=120)
    parser.add_argument("--csv", required=True)
    args = parser.parse_args()
    header, bodies = load_requests(args.requests)
    path = f"/deployments/{args.name}/v2/models/mnist/infer"
    timeline, done = [], threading.Event()
    start = time.monotonic()

    def sample():
        while not done.is_set():
            try:
                ready, target = status(args.url, args.token, args.name)
                timeline.append((time.monotonic() - start, ready, target))
            except OSError:
                pass
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    ready, _ = status(args.url, args.token, args.name)
    assert ready == 0, f"expected a deployment scaled to zero, found {ready} ready replicas"

    # The cold start: one request while no replica runs; the router holds it until one is ready.
    parsed = urllib.parse.urlparse(args.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    sent = time.monotonic()
    connection.request("POST", path, body=bodies[0],
                       headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(header)})
    cold = connection.getresponse()
    cold.read()
    cold_seconds = time.monotonic() - sent
    connection.close()

    stats = Stats()
    low_stop, high_stop = threading.Event(), threading.Event()
    low = [Client(args.url, path, header, bodies, low_stop, stats)]
    for c in low:
        c.start()
    time.sleep(args.low_seconds)
    step_up = time.monotonic() - start
    high = [Client(args.url, path, header, bodies, high_stop, stats) for _ in range(args.clients - 1)]
    for c in high:
        c.start()
    time.sleep(args.high_seconds)
    high_stop.set()
    low_stop.set()
    for c in low + high:
        c.join()
    load_end = time.monotonic() - start
    requests_during_load = stats.ok + stats.failed
    deadline = time.monotonic() + args.idle_limit
    while time.monotonic() < deadline:
        if timeline and timeline[-1][0] > load_end and timeline[-1][1] == 0 and timeline[-1][2] == 0:
            break
        time.sleep(0.25)
    done.set()
    sampler.join()

    with open(args.csv, "w") as f:
        f.write("seconds,ready_replicas,target_replicas\n")
        for t, r, g in timeline:
            f.write(f"{t:.2f},{r},{g}\n")
    during = [(t, r) for t, r, _ in timeline if step_up <= t <= load_end]
    before = max((r for t, r, _ in timeline if t < step_up), default=0)
    most = max((r for _, r in during), default=0)
    first_up = next((t - step_up for t, r in during if r > before), None)
    to_most = next((t - step_up for t, r in during if r == most), None)
    zero = next((t - load_end for t, r, g in timeline if t > load_end and r == 0 and g == 0), None)
    fmt = lambda v: "n/a" if v is None else f"{v:.1f} s"
    print(f"cold start (first request, no replica running): {cold_seconds * 1000:.0f} ms, status {cold.status}")
    print(f"load: 1 client for {args.low_seconds:.0f} s, then {args.clients} for {args.high_seconds:.0f} s: "
          f"{requests_during_load} requests, {stats.failed} failed, {requests_during_load / (load_end - step_up + args.low_seconds):.0f} req/s")
    print(f"replicas: {before} before the step, most {most}; first added {fmt(first_up)} after the step, most reached after {fmt(to_most)}")
    print(f"scale to zero: {fmt(zero)} after the load ended")
    print(f"timeline: {args.csv}")
    if stats.failed or cold.status != 200:
        raise SystemExit("FAILED: requests failed")


if __name__ == "__main__":
    main()
