import LeptonTensor

/// The outcome of comparing Lepton's outputs with NumPy's for one op call: shapes, dtypes and
/// the largest relative error (see ``TestSupport/maxRelativeError(_:_:floor:)``).
///
/// ```swift
/// let c = try NumPyOracle.shared.compare("add", [a, b], actual: a + b)
/// #expect(c.passes, "\(c)")
/// ```
public struct OracleComparison: CustomStringConvertible, Sendable {
    /// The oracle op name.
    public let op: String
    /// The backend of the first input (or the current backend when there are no inputs).
    public let backend: String
    /// Shapes of the inputs, for the report.
    public let inputShapes: [[Int]]
    /// Shapes of Lepton's outputs and of NumPy's.
    public let actualShapes: [[Int]], expectedShapes: [[Int]]
    /// Element types of Lepton's outputs and of NumPy's.
    public let actualDTypes: [DType], expectedDTypes: [DType]
    /// The largest `|a − b| / max(|b|, floor)` over every output (infinite on a shape mismatch).
    public let maxRelativeError: Float
    /// Where the largest error is: output number, flat index, Lepton's and NumPy's values.
    public let worst: (output: Int, index: Int, actual: Float, expected: Float)?
    /// The largest error allowed.
    public let tolerance: Float
    /// The magnitude below which errors count as absolute.
    public let floor: Float

    /// Whether shapes and dtypes agree and the error is within ``tolerance``.
    public var passes: Bool {
        actualShapes == expectedShapes && actualDTypes == expectedDTypes && maxRelativeError <= tolerance
    }

    public var description: String {
        var text = "\(op) on \(backend) with inputs \(inputShapes): "
        if actualShapes != expectedShapes { return text + "Lepton gave shapes \(actualShapes), NumPy \(expectedShapes)" }
        if actualDTypes != expectedDTypes { return text + "Lepton gave dtypes \(actualDTypes), NumPy \(expectedDTypes)" }
        text += "max relative error \(maxRelativeError) (tolerance \(tolerance), floor \(floor))"
        if let worst, maxRelativeError > 0 {
            text += " at output \(worst.output) element \(worst.index): Lepton \(worst.actual), NumPy \(worst.expected)"
        }
        return text
    }
}

extension NumPyOracle {
    /// Runs `op` in NumPy on `inputs` and compares the result with Lepton's `actual` outputs.
    ///
    /// - Parameters:
    ///   - tolerance: the largest relative error that passes.
    ///   - floor: magnitudes below this count as this (see ``TestSupport/maxRelativeError(_:_:floor:)``):
    ///     1 checks errors relative to the inputs' unit scale, a small value checks each element
    ///     relative to itself.
    public func compare(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:], actual: [Tensor],
                        tolerance: Float = 1e-5, floor: Float = 1) throws -> OracleComparison {
        let expected = try run(op, inputs, attrs: attrs)
        var worstError: Float = 0
        var worst: (output: Int, index: Int, actual: Float, expected: Float)?
        let shapesAgree = actual.map(\.shape) == expected.map(\.shape)
        if shapesAgree {
            for (k, (a, e)) in zip(actual, expected).enumerated() {
                let av = a.scalars, ev = e.scalars
                let error = TestSupport.maxRelativeError(av, ev, floor: floor)
                if error > worstError || worst == nil {
                    worstError = Swift.max(worstError, error)
                    if let i = Self.worstIndex(av, ev, floor: floor) { worst = (k, i, av[i], ev[i]) }
                }
            }
        } else {
            worstError = .infinity
        }
        return OracleComparison(op: op, backend: inputs.first?.backend.name ?? Device.current.name,
                                inputShapes: inputs.map(\.shape),
                                actualShapes: actual.map(\.shape), expectedShapes: expected.map(\.shape),
                                actualDTypes: actual.map(\.dtype), expectedDTypes: expected.map(\.dtype),
                                maxRelativeError: worstError, worst: worst, tolerance: tolerance, floor: floor)
    }

    /// ``compare(_:_:attrs:actual:tolerance:floor:)`` for an op with one output.
    public func compare(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:], actual: Tensor,
                        tolerance: Float = 1e-5, floor: Float = 1) throws -> OracleComparison {
        try compare(op, inputs, attrs: attrs, actual: [actual], tolerance: tolerance, floor: floor)
    }

    private static func worstIndex(_ a: [Float], _ b: [Float], floor: Float) -> Int? {
        var best: Int?, bestError: Float = -1
        for i in a.indices {
            let x = a[i], y = b[i]
            let e: Float = x == y || (x.isNaN && y.isNaN) ? 0
                : (x.isNaN || y.isNaN || x.isInfinite || y.isInfinite) ? .infinity
                : Swift.abs(x - y) / Swift.max(Swift.abs(y), floor)
            if e > bestError { bestError = e; best = i }
        }
        return best
    }
}
