import LeptonTensor

/// Helpers shared by Lepton's test suites (and by later packages' tests).
public enum TestSupport {
    /// Every backend the op suites run on: the reference backend and the CPU backend.
    public static let backends: [any Backend] = [ReferenceBackend.shared, CPUBackend.shared]

    /// Names of ``backends``, for parameterised tests (`@Test(arguments: TestSupport.backendNames)`).
    public static let backendNames = ["reference", "cpu"]

    /// The backend with this name.
    public static func backend(named name: String) -> any Backend {
        guard let b = backends.first(where: { $0.name == name }) else {
            fatalError("no backend named \(name); expected one of \(backendNames)")
        }
        return b
    }

    /// Largest `|a − b| / max(|b|, floor)` over the elements (`floor` keeps near-zero
    /// references from dominating); infinite when lengths differ or NaNs disagree.
    public static func maxRelativeError(_ a: [Float], _ b: [Float], floor: Float = 1) -> Float {
        guard a.count == b.count else { return .infinity }
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            if x.isNaN || y.isNaN {
                if x.isNaN != y.isNaN { return .infinity }
                continue
            }
            if x == y { continue }
            if x.isInfinite || y.isInfinite { return .infinity }
            worst = max(worst, abs(x - y) / max(abs(y), floor))
        }
        return worst
    }

    /// A seeded normal tensor, for tests.
    public static func randn(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.normal(shape, std: scale, generator: &rng)
    }

    /// A seeded uniform tensor in `[low, high)`, for tests.
    public static func uniform(_ shape: [Int], seed: UInt64, low: Float, high: Float) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, generator: &rng)
    }
}
