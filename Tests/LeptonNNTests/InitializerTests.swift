import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Statistics of every `Initializer` (Initializers/Initializer.swift) on large tensors, Keras's
/// fans, orthogonality, seeded repeatability, and the defaults each layer uses (Keras's).
@Suite struct InitializerTests {
    static let shape = [250, 400]          // fanIn 250, fanOut 400, 100 000 samples
    static let convShape = [3, 3, 40, 60]  // Keras's [KH, KW, in, out]: fans 360, 540

    static func draw(_ initializer: Initializer, _ shape: [Int] = shape, fanIn: Int? = nil, fanOut: Int? = nil) -> [Float] {
        var rng = RandomGenerator(seed: 71)
        return initializer.make(shape, fanIn: fanIn, fanOut: fanOut, generator: &rng).scalars
    }

    /// Uniform U(−a, a): bounds, mean 0, std a/√3.
    static func expectUniform(_ values: [Float], bound a: Double, _ name: String) {
        #expect(values.allSatisfy { abs(Double($0)) <= a }, "\(name): out of ±\(a)")
        #expect(Double(values.max()!) > 0.99 * a && Double(values.min()!) < -0.99 * a, "\(name): does not reach ±\(a)")
        let (mean, std) = moments(values)
        #expect(abs(mean) < 0.01 * a, "\(name): mean \(mean)")
        #expect(abs(std / (a / 3.0.squareRoot()) - 1) < 0.01, "\(name): std \(std), expected \(a / 3.0.squareRoot())")
    }

    /// Normal N(0, σ²): mean, std, and the fraction within one σ (≈ 0.6827, so not truncated).
    static func expectNormal(_ values: [Float], std sigma: Double, mean mu: Double = 0, _ name: String) {
        let (mean, std) = moments(values)
        #expect(abs(mean - mu) < 0.01 * sigma, "\(name): mean \(mean)")
        #expect(abs(std / sigma - 1) < 0.01, "\(name): std \(std), expected \(sigma)")
        let within = Double(values.filter { abs(Double($0) - mu) < sigma }.count) / Double(values.count)
        #expect(abs(within - 0.6827) < 0.01, "\(name): \(within) within one σ")
    }

    @Test func constants() {
        #expect(Self.draw(.zeros, [3, 4]).allSatisfy { $0 == 0 })
        #expect(Self.draw(.ones, [3, 4]).allSatisfy { $0 == 1 })
        #expect(Self.draw(.constant(0.25), [5]).allSatisfy { $0 == 0.25 })
    }

    @Test func uniformAndNormal() {
        let u = Self.draw(.uniform(low: -0.5, high: 1.5))
        #expect(u.allSatisfy { $0 >= -0.5 && $0 < 1.5 })
        let (mean, std) = moments(u)
        #expect(abs(mean - 0.5) < 0.01 && abs(std - 2 / 12.0.squareRoot()) < 0.01)
        Self.expectNormal(Self.draw(.normal(mean: 1, std: 0.3)), std: 0.3, mean: 1, "normal")
    }

    @Test func glorotAndHe() {
        for (shape, fi, fo) in [(Self.shape, 250.0, 400.0), (Self.convShape, 360.0, 540.0)] {
            Self.expectUniform(Self.draw(.glorotUniform, shape), bound: (6 / (fi + fo)).squareRoot(), "glorotUniform \(shape)")
            Self.expectNormal(Self.draw(.glorotNormal, shape), std: (2 / (fi + fo)).squareRoot(), "glorotNormal \(shape)")
            Self.expectUniform(Self.draw(.heUniform, shape), bound: (6 / fi).squareRoot(), "heUniform \(shape)")
            Self.expectNormal(Self.draw(.heNormal, shape), std: (2 / fi).squareRoot(), "heNormal \(shape)")
            Self.expectUniform(Self.draw(.pytorchDefault, shape), bound: 1 / fi.squareRoot(), "pytorchDefault \(shape)")
        }
        // Explicit fans (as Conv2D passes for its [F, C, KH, KW] layout) take precedence.
        Self.expectUniform(Self.draw(.glorotUniform, [100, 1000], fanIn: 30, fanOut: 70), bound: (6.0 / 100).squareRoot(),
                           "glorotUniform explicit fans")
    }

    @Test func kerasFans() {
        #expect(Initializer.fans([]) == (1, 1))
        #expect(Initializer.fans([7]) == (7, 7))
        #expect(Initializer.fans([3, 5]) == (3, 5))
        #expect(Initializer.fans([3, 3, 4, 8]) == (36, 72))
        #expect(Initializer.fans([5, 4, 8]) == (20, 40))   // Conv1D [K, in, out]
    }

    @Test(arguments: [[8, 8], [12, 5], [5, 12], [3, 3, 4, 6], [1, 20]], [Float(1), 2])
    func orthogonal(shape: [Int], gain: Float) {
        var rng = RandomGenerator(seed: 72)
        let w = Initializer.orthogonal(gain: gain).make(shape, generator: &rng)
        #expect(w.shape == shape)
        // Keras flattens to (prod(shape[:-1]), shape[-1]); the smaller side is orthonormal.
        let columns = shape.last!, rows = shape.dropLast().reduce(1, *)
        let m = w.reshape([rows, columns])
        let gram = rows >= columns ? m.transposed().matmul(m) : m.matmul(m.transposed())
        let k = min(rows, columns)
        let g = gram.scalars
        for i in 0..<k {
            for j in 0..<k {
                let expected: Float = i == j ? gain * gain : 0
                #expect(abs(g[i * k + j] - expected) < 1e-4 * gain * gain, "\(shape) gain \(gain): gram[\(i), \(j)] = \(g[i * k + j])")
            }
        }
    }

    @Test func seededRepeatability() {
        for initializer: Initializer in [.glorotUniform, .heNormal, .orthogonal(gain: 1), .uniform(low: 0, high: 1)] {
            var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5), c = RandomGenerator(seed: 6)
            let x = initializer.make([6, 7], generator: &a).scalars
            #expect(x == initializer.make([6, 7], generator: &b).scalars, "\(initializer)")
            #expect(x != initializer.make([6, 7], generator: &c).scalars, "\(initializer)")
        }
    }

    @Test func layerDefaultsAreKeras() {
        let dense = Dense(units: 3)
        #expect(dense.kernelInitializer == .glorotUniform && dense.biasInitializer == .zeros)
        let conv = Conv2D(filters: 2, kernelSize: [3, 3])
        #expect(conv.kernelInitializer == .glorotUniform && conv.biasInitializer == .zeros)
        let embedding = Embedding(vocabularySize: 3, dimensions: 2)
        #expect(embedding.weight.scalars.allSatisfy { abs($0) <= 0.05 })
    }
}
