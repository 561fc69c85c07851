"""The no-learning reference of scripts/bench_embed.sh: open-set verification of MNIST digits 7-9
by the cosine similarity of their pixels, standardised as the example's network sees them (the
training images' mean and standard deviation), scored on every pair of the test images as
`lepton embed` scores embeddings. Prints one markdown row: ROC AUC, TAR@FAR=1e-2, TAR@FAR=1e-3.
Usage: python3 python/pixel_verification.py [MNIST_FOLDER]"""
import gzip
import os
import sys

import numpy as np
from scipy.stats import rankdata


def read(folder, name, offset):
    with gzip.open(os.path.join(folder, name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("LEPTON_DATA_DIR", "../shared/datasets"), "mnist")
    train = read(folder, "train-images-idx3-ubyte.gz", 16).astype(np.float64)
    images = read(folder, "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64)
    labels = read(folder, "t10k-labels-idx1-ubyte.gz", 8)
    kept = labels >= 7
    x, y = (images[kept] - train.mean()) / train.std(), labels[kept]
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    rows, cols = np.triu_indices(len(y), 1)
    scores = (x @ x.T)[rows, cols]
    same = y[rows] == y[cols]
    positives, negatives = same.sum(), len(scores) - same.sum()
    auc = (rankdata(scores)[same].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    impostors = np.sort(scores[~same])[::-1]
    tars = [(scores[same] > impostors[int(far * negatives)]).mean() for far in (1e-2, 1e-3)]
    print(f"| pixels, no training (reference) | {auc:.3f} | {tars[0]:.3f} | {tars[1]:.3f} | 0 |")


if __name__ == "__main__":
    main()
