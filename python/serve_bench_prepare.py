"""Prepares the load benchmark of `lepton serve` (scripts/bench_serve.sh).

Step 1 (`images`): writes N MNIST test images as images.npy (float32 [N, 28, 28, 1], pixel values
0-255 as the file holds them: the model's first layer standardises them).
Step 2 (`requests`): reads the classes `lepton predict` printed for them and writes requests.bin
(N binary V2 requests, Triton's binary tensor extension, one after another, equal length, each
with its image index as the request id) and
requests.lua (header length, body length, and the expected class of each request) for wrk.
Step 3 (`null-model`): writes an ONNX model with the CNN's input and output names and shapes that
computes nothing (Reshape + Slice: the first ten pixels), to measure the cost of the HTTP path alone.
"""
import gzip
import json
import sys

import numpy as np


def images(mnist_dir, n, out):
    with gzip.open(f"{mnist_dir}/t10k-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28, 1)
    x = raw[:n].astype(np.float32)
    np.save(out, x.astype(np.float32))


def requests(images_npy, predictions, folder):
    x = np.load(images_npy)
    classes = [json.loads(line)["class"] for line in open(predictions) if line.strip()]
    assert len(classes) == len(x), f"{len(classes)} predictions for {len(x)} images"
    def header(i):  # the id (the image's index, fixed width) comes back in the answer
        return json.dumps({"id": "%06d" % i, "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32",
                                                          "parameters": {"binary_data_size": 28 * 28 * 4}}],
                           "outputs": [{"name": "output", "parameters": {"binary_data": False}}]}).encode()
    with open(f"{folder}/requests.bin", "wb") as f:
        for i, image in enumerate(x):
            f.write(header(i) + image.astype("<f4").tobytes())
    with open(f"{folder}/requests.lua", "w") as f:
        f.write("return {header_length = %d, body_length = %d, classes = {%s}}\n"
                % (len(header(0)), len(header(0)) + 28 * 28 * 4, ", ".join(str(c) for c in classes)))


def null_model(out):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    constants = [numpy_helper.from_array(np.array(v, dtype=np.int64), name)
                 for name, v in [("shape", [-1, 784]), ("starts", [0]), ("ends", [10]), ("axes", [1])]]
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["input", "shape"], ["flat"]),
         helper.make_node("Slice", ["flat", "starts", "ends", "axes"], ["output"])],
        "null", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 28, 28, 1])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 10])], constants)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out)


if __name__ == "__main__":
    if sys.argv[1] == "images":
        images(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "requests":
        requests(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "null-model":
        null_model(sys.argv[2])
    else:
        sys.exit(f"unknown step {sys.argv[1]!r} (expected images, requests or null-model)")
