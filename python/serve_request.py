"""Writes a V2 JSON inference request for one MNIST test image, its pixel values 0-255 as
the file holds them (the model's first layer standardises them), and prints its label; used by
scripts/main.sh.

    python3 python/serve_request.py MNIST_DIR INDEX OUT.json
"""
import gzip
import json
import sys

import numpy as np

mnist, index, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with gzip.open(f"{mnist}/t10k-images-idx3-ubyte.gz") as f:
    image = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28, 1)[index]
with gzip.open(f"{mnist}/t10k-labels-idx1-ubyte.gz") as f:
    label = int(np.frombuffer(f.read(), dtype=np.uint8, offset=8)[index])
x = image.astype(np.float32)
request = {"id": f"test-image-{index}",
           "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32",
                       "data": [int(v) for v in x.reshape(-1)]}]}
with open(out, "w") as f:
    json.dump(request, f)
print(label)
