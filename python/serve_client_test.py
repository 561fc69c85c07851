"""Drives a running `lepton serve` with tritonclient[http] and raw HTTP; exits non-zero on failure.

Run by Tests/LeptonServeTests/ServeIntegrationTests.swift, which builds the models, writes the
expected outputs (Lepton's direct predict) to --expected and starts the server. Checks: health,
metadata, config, JSON and binary inference (equal to the direct predict), concurrent single
requests (batching keeps each request's rows), request ids, requested outputs, versions, an INT32
model, repository index/load/unload, statistics, metrics, the OpenAPI document, auth, a per-request
timeout (server and per request), compressed bodies, classification, a full queue, every bad-input case (4xx with {"error": ...}, then a healthy request), and
graceful shutdown on SIGTERM with a request in flight.
"""
import argparse
import gzip
import http.client
import json
import os
import re
import signal
import sys
import time

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


class Server:
    def __init__(self, url, token):
        self.host, port = url.split(":")
        self.port = int(port)
        self.token = token
        self.client = httpclient.InferenceServerClient(url=url, concurrency=16, network_timeout=30)

    @property
    def headers(self):
        """A fresh header dict per call: tritonclient adds its own headers to the dict it is given."""
        return {"Authorization": f"Bearer {self.token}"}

    def raw(self, method, path, body=b"", headers=None, auth=True):
        """One HTTP request; returns (status, headers, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(self.headers) if auth else {}
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data


def close(a, b):
    return np.allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-4, atol=1e-6)


def infer(server, model, x, version="", binary=True, outputs=None, request_id="", datatype="FP32", name="input",
          timeout=None, compression=None):
    inp = httpclient.InferInput(name, list(x.shape), datatype)
    inp.set_data_from_numpy(x, binary_data=binary)
    return server.client.infer(model, [inp], model_version=version, outputs=outputs, request_id=request_id,
                               headers=server.headers, timeout=timeout, request_compression_algorithm=compression,
                               response_compression_algorithm=compression)


def healthy(server, expected, what):
    """A healthy request after a bad one: the server still answers correctly."""
    x = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)[:1]
    try:
        r = infer(server, "mnist", x)
        check(close(r.as_numpy("output"), expected["mnist"]["2"]["outputs"][:1]), f"healthy request after {what}: wrong answer")
    except Exception as e:  # noqa: BLE001
        check(False, f"healthy request after {what} failed: {e}")


def expect_error(server, what, status, fragment, method, path, body=b"", headers=None, auth=True, expected=None):
    code, _, data = server.raw(method, path, body, headers, auth)
    try:
        message = json.loads(data)["error"]
        ok_body = isinstance(message, str)
    except Exception:  # noqa: BLE001
        message, ok_body = data[:200], False
    check(code == status, f"{what}: status {code}, expected {status} ({message})")
    check(ok_body, f"{what}: body is not {{\"error\": \"...\"}}: {data[:200]!r}")
    check(fragment.lower() in str(message).lower(), f"{what}: error {message!r} does not say {fragment!r}")
    if expected is not None:
        healthy(server, expected, what)


def json_infer_body(shape, datatype, data, name="input"):
    return json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": datatype, "data": data}]})


def protocol_checks(server, expected):
    c, H = server.client, server.headers
    check(c.is_server_live(headers=H), "server live")
    check(c.is_server_ready(headers=H), "server ready")
    meta = c.get_server_metadata(headers=H)
    check(meta["name"] == "lepton" and {"binary_tensor_data", "classification"} <= set(meta["extensions"]), f"server metadata {meta}")
    m = c.get_model_metadata("mnist", headers=H)
    check(m["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 28, 28, 1]}], f"mnist inputs {m['inputs']}")
    check(m["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1, 10]}], f"mnist outputs {m['outputs']}")
    check(sorted(m["versions"]) == ["1", "2"], f"mnist versions {m['versions']}")
    check(c.get_model_metadata("mnist", "1", headers=H)["versions"] == ["1"], "version metadata")
    e = c.get_model_metadata("embed", headers=H)
    check(e["inputs"][0]["datatype"] == "INT32" and e["inputs"][0]["shape"] == [-1, 5], f"embed inputs {e['inputs']}")
    cfg = c.get_model_config("mnist", headers=H)
    check(cfg["max_batch_size"] == 8 and cfg["input"][0]["data_type"] == "TYPE_FP32", f"model config {cfg}")
    check(c.is_model_ready("mnist", headers=H) and c.is_model_ready("mnist", "1", headers=H), "mnist ready")
    check(not c.is_model_ready("broken", headers=H), "broken model is not ready")


def inference_checks(server, expected):
    for version in ["1", "2"]:
        x = np.asarray(expected["mnist"][version]["inputs"], dtype=np.float32)
        want = expected["mnist"][version]["outputs"]
        r = infer(server, "mnist", x, version=version, binary=False,
                  outputs=[httpclient.InferRequestedOutput("output", binary_data=False)], request_id=f"json-{version}")
        check(r.get_response()["id"] == f"json-{version}", "JSON infer echoes the id")
        check(r.get_response()["outputs"][0].get("data") is not None, "JSON output carries data")
        check(close(r.as_numpy("output"), want), f"JSON infer version {version} equals the direct predict")
        # Triton's classification extension: the best 3 classes of each row, "value:index", best first.
        r = infer(server, "mnist", x, version=version, outputs=[httpclient.InferRequestedOutput("output", class_count=3)])
        top = r.as_numpy("output")
        scores = np.asarray(want, dtype=np.float32)
        check(top.shape == (len(x), 3), f"classification shape {top.shape}")
        for row, classes in zip(scores, top):
            parsed = [c.decode().split(":") for c in classes]
            check([int(i) for _, i in parsed] == list(np.argsort(-row, kind="stable")[:3]),
                  f"classification indices {parsed} vs scores {row}")
            check(all(abs(float(v) - row[int(i)]) < 1e-4 for v, i in parsed), f"classification values {parsed}")
        r = infer(server, "mnist", x, version=version)  # tritonclient's default: binary input, binary outputs
        for algorithm in ["gzip", "deflate"]:  # compressed request and response bodies
            z = infer(server, "mnist", x, version=version, compression=algorithm)
            check(close(z.as_numpy("output"), want), f"{algorithm} request and response: answer equals the direct predict")
        check("binary_data_size" in r.get_response()["outputs"][0].get("parameters", {}), "binary output")
        check(close(r.as_numpy("output"), want), f"binary infer version {version} equals the direct predict")
    x2 = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)
    want2 = np.asarray(expected["mnist"]["2"]["outputs"])
    r = infer(server, "mnist", x2, outputs=[httpclient.InferRequestedOutput("output", binary_data=True)])
    check(close(r.as_numpy("output"), want2), "requested binary output")
    # Concurrent single-sample and 2-sample requests: batched together, each gets its own rows.
    results = {}
    pending = []
    for i in range(len(x2)):
        inp = httpclient.InferInput("input", [1, 28, 28, 1], "FP32")
        inp.set_data_from_numpy(x2[i:i + 1])
        pending.append((i, c_async(server, inp)))
    for i, p in pending:
        results[i] = p.get_result().as_numpy("output")
    check(all(close(results[i], want2[i:i + 1]) for i in results), "concurrent single requests get their own rows")
    pairs = []
    for i in range(0, len(x2) - 1, 2):
        inp = httpclient.InferInput("input", [2, 28, 28, 1], "FP32")
        inp.set_data_from_numpy(x2[i:i + 2])
        pairs.append((i, c_async(server, inp)))
    check(all(close(p.get_result().as_numpy("output"), want2[i:i + 2]) for i, p in pairs), "concurrent 2-row requests get their rows")
    ids = np.asarray(expected["embed"]["1"]["inputs"], dtype=np.int32)
    for binary in [False, True]:
        r = infer(server, "embed", ids, binary=binary, datatype="INT32")
        check(close(r.as_numpy("output"), expected["embed"]["1"]["outputs"]), f"INT32 model (binary={binary}) equals the direct predict")


def c_async(server, inp):
    return server.client.async_infer("mnist", [inp], headers=server.headers)


def repository_checks(server, expected):
    c, H = server.client, server.headers
    index = c.get_model_repository_index(headers=H)
    broken = [e for e in index if e["name"] == "broken"]
    check(broken and broken[0]["state"] == "UNAVAILABLE" and "model.json" in broken[0]["reason"], f"broken model reported with its reason: {broken}")
    check(any(e["name"] == "mnist" and e["state"] == "READY" for e in index), "mnist READY in the index")
    c.unload_model("mnist", headers=H)
    check(not c.is_model_ready("mnist", headers=H), "mnist not ready after unload")
    x = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)[:1]
    try:
        infer(server, "mnist", x)
        check(False, "infer on an unloaded model must fail")
    except InferenceServerException as e:
        check(e.status() in ("404", "400") and "unloaded" in e.message(), f"unloaded model error: {e.status()} {e.message()}")
    ids = np.asarray(expected["embed"]["1"]["inputs"], dtype=np.int32)
    check(close(infer(server, "embed", ids, datatype="INT32").as_numpy("output"), expected["embed"]["1"]["outputs"]),
          "other models keep serving while mnist is unloaded")
    index = c.get_model_repository_index(headers=H)
    check(any(e["name"] == "mnist" and e["state"] == "UNAVAILABLE" and e["reason"] == "unloaded" for e in index), "index shows mnist unloaded")
    c.load_model("mnist", headers=H)
    check(c.is_model_ready("mnist", headers=H), "mnist ready after load")
    check(close(infer(server, "mnist", x).as_numpy("output"), expected["mnist"]["2"]["outputs"][:1]), "infer after reload")
    try:
        c.load_model("broken", headers=H)
        check(False, "loading the broken model must fail")
    except InferenceServerException as e:
        check(e.status() == "400" and "model.json" in e.message(), f"broken load error: {e.status()} {e.message()}")
    # A load request with a config override: version 1 only.
    c.load_model("mnist", headers=H, config=json.dumps({"version_policy": {"specific": {"versions": [1]}}}))
    check(c.get_model_metadata("mnist", headers=H)["versions"] == ["1"], "config override picks version 1")
    c.load_model("mnist", headers=H)
    check(sorted(c.get_model_metadata("mnist", headers=H)["versions"]) == ["1", "2"], "reload restores both versions")


def statistics_checks(server, expected):
    c, H = server.client, server.headers
    ids = np.zeros((1, 5), dtype=np.int32)
    for _ in range(3):
        infer(server, "embed", ids, datatype="INT32")
    stats = c.get_inference_statistics("embed", headers=H)["model_stats"]
    check(len(stats) == 1 and stats[0]["name"] == "embed" and stats[0]["version"] == "1", f"embed stats {stats}")
    s = stats[0]
    check(s["inference_count"] >= 3 + 4 and s["execution_count"] >= 1, f"embed counts {s['inference_count']} {s['execution_count']}")
    st = s["inference_stats"]
    check(st["success"]["count"] >= 3 and st["queue"]["count"] >= 3 and st["compute_infer"]["ns"] > 0, f"embed inference_stats {st}")
    check(len(s["batch_stats"]) >= 1 and s["batch_stats"][0]["compute_infer"]["count"] >= 1, "batch_stats")
    allstats = c.get_inference_statistics(headers=H)["model_stats"]
    check({"embed", "mnist"} <= {m["name"] for m in allstats}, "all-model stats")
    code, headers, body = server.raw("GET", "/metrics")
    text = body.decode()
    check(code == 200 and "lepton_inference_requests_total" in text and "lepton_inference_batch_size" in text, "Prometheus metrics")
    check('model="embed"' in text, "metrics carry the model label")
    code, _, body = server.raw("GET", "/healthz", auth=False)
    check(code == 200, "healthz")
    code, _, body = server.raw("GET", "/openapi.json")
    doc = json.loads(body)
    check(code == 200 and "/v2/models/{name}/infer" in doc["paths"], "openapi.json")
    try:
        from openapi_spec_validator import validate
        validate(doc)
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001
        check(False, f"openapi.json is not a valid OpenAPI document: {e}")


def bad_input_checks(server, expected, max_body):
    infer_path = "/v2/models/mnist/infer"
    good = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)[:1]
    flat = good.reshape(-1).tolist()
    e = lambda *a, **k: expect_error(server, *a, expected=expected, **k)  # noqa: E731
    e("malformed JSON", 400, "malformed", "POST", infer_path, "{\"inputs\": [")
    e("not an object", 400, "malformed", "POST", infer_path, "[1, 2]")
    e("missing inputs key", 400, "inputs", "POST", infer_path, "{}")
    e("wrong datatype", 400, "FP64 does not match the model's FP32", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP64", flat))
    e("unknown datatype", 400, "not a V2 datatype", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FLOAT", flat))
    e("BYTES for a numeric input", 400, "BYTES does not match the model's FP32", "POST", infer_path,
      json_infer_body([1, 28, 28, 1], "BYTES", ["a"] * 784))
    e("string in FP32 data", 400, "FP32", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP32", ["x"] * 784))
    bad_timeout = json.loads(json_infer_body([1, 28, 28, 1], "FP32", flat))
    bad_timeout["parameters"] = {"timeout": -5}
    e("negative timeout parameter", 400, "parameters.timeout", "POST", infer_path, json.dumps(bad_timeout))
    e("wrong shape", 400, "does not match the model's [-1, 28, 28, 1]", "POST", infer_path, json_infer_body([1, 28, 28], "FP32", flat))
    e("wrong element count", 400, "needs 784 elements, got 700", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP32", flat[:700]))
    e("negative dimension", 400, "negative", "POST", infer_path, json_infer_body([-1, 28, 28, 1], "FP32", flat))
    e("batch above max_batch_size", 400, "exceeds the model's max_batch_size 8", "POST", infer_path,
      json_infer_body([9, 28, 28, 1], "FP32", flat * 9))
    e("unknown input name", 400, "unknown input 'image'", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP32", flat, name="image"))
    body = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32", "data": flat}], "outputs": [{"name": "logits"}]})
    e("unknown output", 400, "unknown output 'logits'", "POST", infer_path, body)
    e("unknown model", 404, "unknown model 'nosuch'", "POST", "/v2/models/nosuch/infer", json_infer_body([1, 28, 28, 1], "FP32", flat))
    e("unknown version", 404, "has no version 7", "POST", "/v2/models/mnist/versions/7/infer", json_infer_body([1, 28, 28, 1], "FP32", flat))
    e("unknown model metadata", 404, "unknown model", "GET", "/v2/models/nosuch")
    e("unknown route", 404, "no route", "GET", "/v2/nothing/here")
    e("oversize body", 413, "exceeds", "POST", infer_path, b"{" + b" " * (max_body + 10) + b"}")
    header = json.dumps({"inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32", "parameters": {"binary_data_size": 3136}}]})
    e("truncated binary payload", 400, "truncated", "POST", infer_path, header.encode() + b"\0" * 100,
      headers={"Inference-Header-Content-Length": str(len(header))})
    e("binary payload without the header length", 400, "Inference-Header-Content-Length", "POST", infer_path, header.encode() + b"\0" * 3136)
    e("header length beyond the body", 400, "Inference-Header-Content-Length", "POST", infer_path, header.encode(),
      headers={"Inference-Header-Content-Length": str(len(header) + 50)})
    e("unsupported encoding", 415, "Content-Encoding br", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP32", flat), headers={"Content-Encoding": "br"})
    e("corrupt gzip body", 400, "not valid gzip", "POST", infer_path, json_infer_body([1, 28, 28, 1], "FP32", flat).encode(),
      headers={"Content-Encoding": "gzip"})
    e("gzip body inflating past the limit", 413, "inflates past the limit", "POST", infer_path,
      gzip.compress(b" " * (max_body * 4)), headers={"Content-Encoding": "gzip"})
    e("id out of range", 400, "outside 0...19", "POST", "/v2/models/embed/infer", json_infer_body([1, 5], "INT32", [0, 1, 2, 3, 99]))
    e("INT32 value out of range", 400, "INT32", "POST", "/v2/models/embed/infer", json_infer_body([1, 5], "INT32", [0, 1, 2, 3, 2**40]))
    e("missing token", 401, "Authorization", "GET", "/v2/models/mnist", auth=False)
    e("wrong token", 403, "not valid", "GET", "/v2/models/mnist", headers={"Authorization": "Bearer wrong"})
    e("bad load body", 400, "malformed", "POST", "/v2/repository/models/mnist/load", "{nope")
    e("load of an unknown model", 404, "no model folder 'nosuch'", "POST", "/v2/repository/models/nosuch/load")
    if server.inference_token:
        user = {"Authorization": f"Bearer {server.inference_token}"}
        e("inference token on the repository API", 403, "needs an admin token", "POST", "/v2/repository/index", "{}", headers=user)
        code, _, _ = server.raw("GET", "/v2/models/mnist", headers=user)
        check(code == 200, "the inference token may call the inference API")
    code, _, _ = server.raw("GET", "/v2/health/live", auth=False)
    check(code == 200, "health probes need no token")


def limit_checks(server, expected):
    x = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)[:1]
    try:
        infer(server, "slower", x)
        check(False, "a request past the timeout must fail")
    except InferenceServerException as e:
        check(e.status() == "504" and "timeout" in e.message(), f"timeout: {e.status()} {e.message()}")
    healthy(server, expected, "a timeout")
    # The request's own timeout (Triton's parameter, microseconds) applies when shorter than the server's.
    started = time.time()
    try:
        infer(server, "slower", x, timeout=300_000)
        check(False, "a request past its own timeout must fail")
    except InferenceServerException as e:
        check(e.status() == "504" and "0.3 seconds" in e.message(), f"request timeout: {e.status()} {e.message()}")
    check(time.time() - started < 4, f"the request's 0.3 s timeout applied, not the server's 6 s ({time.time() - started:.1f} s)")
    healthy(server, expected, "a request timeout")
    # tiny-queue holds one request for 3 s; more at once get 503 (async_infer: tritonclient is gevent-based).
    statuses = []
    pending = []
    for _ in range(4):
        inp = httpclient.InferInput("input", [1, 28, 28, 1], "FP32")
        inp.set_data_from_numpy(x)
        pending.append(server.client.async_infer("tiny-queue", [inp], headers=server.headers))
    for p in pending:
        try:
            p.get_result()
            statuses.append("200")
        except InferenceServerException as e:
            statuses.append(e.status())
            if e.status() == "503":
                check("max_queue_size" in e.message(), f"queue-full message: {e.message()}")
    check("503" in statuses and "200" in statuses, f"full queue answers 503 and keeps serving: {statuses}")
    healthy(server, expected, "a full queue")


def shutdown_check(server, expected, pid):
    x = np.asarray(expected["mnist"]["2"]["inputs"], dtype=np.float32)[:1]
    inp = httpclient.InferInput("input", [1, 28, 28, 1], "FP32")
    inp.set_data_from_numpy(x)
    pending = server.client.async_infer("slow", [inp], headers=server.headers)  # waits 0.9 s for its batch
    # SIGTERM only once the request is in the server's queue (the queue-depth gauge shows it).
    queued = re.compile(r'lepton_inference_queue_depth\{[^}]*model="slow"[^}]*\} 1')
    deadline = time.time() + 10
    while time.time() < deadline and not queued.search(server.raw("GET", "/metrics")[2].decode()):
        time.sleep(0.01)
    os.kill(pid, signal.SIGTERM)
    try:
        answer = pending.get_result(timeout=30).as_numpy("output")
        check(close(answer, expected["mnist"]["2"]["outputs"][:1]), "in-flight request answered correctly after SIGTERM")
    except Exception as e:  # noqa: BLE001
        check(False, f"in-flight request after SIGTERM failed: {e}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--token", required=True, help="an admin token (valid on every route)")
    p.add_argument("--inference-token", help="an inference token, refused on the repository API")
    p.add_argument("--max-body", type=int, required=True)
    p.add_argument("--server-pid", type=int, required=True)
    args = p.parse_args()
    with open(args.expected) as f:
        expected = json.load(f)
    server = Server(args.url, args.token)
    server.inference_token = args.inference_token
    for step in [protocol_checks, inference_checks, repository_checks, statistics_checks]:
        try:
            step(server, expected)
        except Exception as e:  # noqa: BLE001
            check(False, f"{step.__name__} raised {type(e).__name__}: {e}")
    for step, extra in [(bad_input_checks, [args.max_body]), (limit_checks, []), (shutdown_check, [args.server_pid])]:
        try:
            step(server, expected, *extra)
        except Exception as e:  # noqa: BLE001
            check(False, f"{step.__name__} raised {type(e).__name__}: {e}")
    print(f"serve client: {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
