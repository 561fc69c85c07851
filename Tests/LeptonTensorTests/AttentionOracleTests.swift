import Testing
import LeptonTensor
import LeptonTestSupport

/// The fused multi-head attention op (`Ops/Tensor+Attention.swift`) against PyTorch (float64):
/// its output and its gradients for a given output gradient, on every backend, unpacked and
/// packed, with and without masks; and its dropout against the same formula composed from
/// elementary ops with the same draws.
@Suite struct AttentionOracleTests {
    /// (batch, heads, tq, tk, dk, dv); the last is large enough for the CPU backend's threads.
    static let sizes: [(Int, Int, Int, Int, Int, Int)] = [(2, 2, 3, 5, 4, 3), (1, 1, 1, 1, 2, 2), (3, 4, 17, 17, 8, 8)]

    /// The oracle's output and gradients for `query`, `key`, `value`, the output gradient and an optional mask.
    static func expected(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ gy: Tensor, keep: Tensor?, heads: Int,
                         scale: Float) throws -> [Tensor] {
        try NumPyOracle.torch.run("attention_core", [q, k, v, gy] + (keep.map { [$0] } ?? []),
                                  attrs: ["heads": .int(heads), "scale": .float(scale)])
    }

    static func check(_ actual: [Tensor], _ expected: [Tensor], _ label: String) {
        for (name, (a, e)) in zip(["output", "dQuery", "dKey", "dValue"], zip(actual, expected)) {
            #expect(a.shape == e.shape, "\(label) \(name): shape \(a.shape), expected \(e.shape)")
            let error = TestSupport.maxRelativeError(a.scalars, e.scalars, floor: 1)
            #expect(error <= 2e-5, "\(label) \(name): error \(error)")
        }
    }

    /// Output and the three gradients of the unpacked op.
    static func run(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ gy: Tensor, heads: Int, scale: Float,
                    keep: Tensor?) -> [Tensor] {
        let (lq, lk, lv) = (q.detach().requiringGrad(), k.detach().requiringGrad(), v.detach().requiringGrad())
        let y = Tensor.attention(query: lq, key: lk, value: lv, heads: heads, scale: scale, keep: keep)
        y.backward(gy)
        return [y, lq.grad!, lk.grad!, lv.grad!]
    }

    @Test(arguments: TestSupport.backendNames)
    func unpackedMatchesPyTorch(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (b, h, tq, tk, dk, dv)) in Self.sizes.enumerated() {
                let seed = UInt64(10 * i)
                let q = TestSupport.randn([b, tq, h * dk], seed: seed), k = TestSupport.randn([b, tk, h * dk], seed: seed + 1)
                let v = TestSupport.randn([b, tk, h * dv], seed: seed + 2), gy = TestSupport.randn([b, tq, h * dv], seed: seed + 3)
                // A mask per batch item and query row, shared by the heads, with one fully masked row.
                let keepValues = TestSupport.uniform([b, 1, tq, tk], seed: seed + 4, low: 0, high: 1).less(0.7)
                var values = keepValues.scalars
                for j in 0..<tk { values[j] = 0 }
                let keep = Tensor(values, shape: [b, 1, tq, tk])
                let scale: Float = 1 / Float(dk).squareRoot()
                for mask in [nil, keep] as [Tensor?] {
                    let actual = Self.run(q, k, v, gy, heads: h, scale: scale, keep: mask)
                    Self.check(actual, try Self.expected(q, k, v, gy, keep: mask, heads: h, scale: scale),
                               "\(backend) \([b, h, tq, tk, dk, dv]) mask \(mask != nil)")
                }
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func causalMaskBroadcastFromTwoAxes(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let (b, h, t, d) = (2, 3, 6, 4)
            let q = TestSupport.randn([b, t, h * d], seed: 40), k = TestSupport.randn([b, t, h * d], seed: 41)
            let v = TestSupport.randn([b, t, h * d], seed: 42), gy = TestSupport.randn([b, t, h * d], seed: 43)
            var values = [Float](repeating: 0, count: t * t)
            for i in 0..<t { for j in 0...i { values[i * t + j] = 1 } }
            let causal = Tensor(values, shape: [t, t])
            let actual = Self.run(q, k, v, gy, heads: h, scale: 0.3, keep: causal)
            Self.check(actual, try Self.expected(q, k, v, gy, keep: causal, heads: h, scale: 0.3), "\(backend) causal")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func packedMatchesPyTorch(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let (b, h, t, dk, dv) = (3, 2, 9, 4, 5)
            let q = TestSupport.randn([b, t, h * dk], seed: 50), k = TestSupport.randn([b, t, h * dk], seed: 51)
            let v = TestSupport.randn([b, t, h * dv], seed: 52), gy = TestSupport.randn([b, t, h * dv], seed: 53)
            let packed = Tensor.concatenate([q, k, v], axis: -1).requiringGrad()
            let keep = TestSupport.uniform([b, 1, 1, t], seed: 54, low: 0, high: 1).less(0.8)
            let y = Tensor.attention(packed: packed, heads: h, keyDimensions: dk, valueDimensions: dv, keep: keep)
            y.backward(gy)
            let grads = packed.grad!.split(sizes: [h * dk, h * dk, h * dv], axis: -1)
            let expected = try Self.expected(q, k, v, gy, keep: keep, heads: h, scale: 1 / Float(dk).squareRoot())
            Self.check([y] + grads, expected, "\(backend) packed")
        }
    }

    /// Dropout multiplies each weight by 0 or `1 / (1 − p)`, drawn in `[b, h, tq, tk]` order:
    /// the same as the composed ops with a mask drawn from the same generator.
    @Test(arguments: TestSupport.backendNames)
    func dropoutMatchesComposedOps(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let (b, h, t, d) = (2, 2, 5, 3)
            let q = TestSupport.randn([b, t, h * d], seed: 60), k = TestSupport.randn([b, t, h * d], seed: 61)
            let v = TestSupport.randn([b, t, h * d], seed: 62)
            let p: Float = 0.4
            var fusedGenerator = RandomGenerator(seed: 7)
            let fused = Tensor.attention(query: q, key: k, value: v, heads: h, scale: 0.5, dropout: p,
                                         generator: &fusedGenerator)
            func heads(_ x: Tensor) -> Tensor { x.reshape([b, t, h, d]).permute([0, 2, 1, 3]) }
            let weights = (heads(q).matmul(heads(k).transposed()) * 0.5).softmax(axis: -1)
            var composedGenerator = RandomGenerator(seed: 7)
            let dropped = weights.dropout(p, generator: &composedGenerator)
            let composed = dropped.matmul(heads(v)).permute([0, 2, 1, 3]).reshape([b, t, h * d])
            let error = TestSupport.maxRelativeError(fused.scalars, composed.scalars, floor: 1)
            #expect(error <= 1e-5, "\(backend) dropout: error \(error)")
            #expect(fused.scalars != Tensor.attention(query: q, key: k, value: v, heads: h, scale: 0.5).scalars)
        }
    }

    @Test func wrongShapesStop() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.attention(query: Tensor.zeros([2, 3, 8]), key: Tensor.zeros([2, 4, 6]), value: Tensor.zeros([2, 4, 8]),
                                 heads: 2)
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("attention: query [2, 3, 8], key [2, 4, 6] and value [2, 4, 8] do not fit"), "\(message)")
        }
    }
}
