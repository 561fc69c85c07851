import LeptonTensor

/// TransformerEncoder forward + backward: 6 blocks, d = 128, 4 heads, feed-forward 512,
/// dropout 0, input `[32, 64, 128]`, a fixed output gradient, in ms per pass. PyTorch side:
/// `nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0,
/// batch_first=True), 6)`, `y.backward(gy)`.
func transformerBenchmarks() -> [Benchmark] {
    [Benchmark(
        group: "transformer", name: "Transformer 6×d128 fwd+bwd b32", peerName: "PyTorch",
        metric: .milliseconds, bar: 1.0,
        makeLepton: { transformerForwardBackward(batch: 32, sequence: 64) },
        peerCommand: { "transformer 32 64 \($0)" }, windowFactor: 3, allPeers: true)]
}
