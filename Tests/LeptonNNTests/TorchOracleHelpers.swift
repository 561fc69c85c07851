import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Shared helpers of the LeptonNN suites that compare with PyTorch (`python/torch_ops/`).
enum Torch {
    /// Runs `op` in the PyTorch oracle and compares with Lepton's outputs: the largest
    /// `|lepton − torch| / max(|torch|, floor)` must be within `tolerance`.
    static func expectMatch(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:], actual: [Tensor],
                            tolerance: Float, floor: Float = 1, _ what: @autoclosure () -> String = "",
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try NumPyOracle.torch.compare(op, inputs, attrs: attrs, actual: actual, tolerance: tolerance, floor: floor)
        #expect(c.passes, "\(what()) \(c)", sourceLocation: sourceLocation)
    }

    static func expectMatch(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:], actual: Tensor,
                            tolerance: Float, floor: Float = 1, _ what: @autoclosure () -> String = "",
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectMatch(op, inputs, attrs: attrs, actual: [actual], tolerance: tolerance, floor: floor, what(),
                        sourceLocation: sourceLocation)
    }
}

extension Tensor {
    /// Seeded normal values of this tensor's shape written into it (layer weights in tests).
    func fillNormal(seed: UInt64, scale: Float = 1) {
        assign(TestSupport.randn(shape, seed: seed, scale: scale))
    }
}

/// Seeded int32 ids in `0..<high`.
func randomIndices(_ shape: [Int], high: Int, seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(int32: (0..<Shape.count(shape)).map { _ in Int32(Int.random(in: 0..<high, using: &rng)) }, shape: shape)
}

/// Mean and (population) standard deviation.
func moments(_ values: [Float]) -> (mean: Double, std: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}
