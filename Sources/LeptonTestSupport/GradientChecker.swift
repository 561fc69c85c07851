import LeptonTensor

/// Checks the gradients that ``Tensor/backward(_:retainGraph:)`` computes against central
/// finite differences.
///
/// The function under test maps a list of input tensors to one output tensor. The checker
/// turns it into the scalar objective `L = Σᵢ outputᵢ · Rᵢ`, where `R` is a fixed random
/// projection drawn from `seed` (so every element of the output, and every direction of the
/// Jacobian, takes part). Then:
///
/// - the **analytic** gradient of `L` with respect to each checked input is read from
///   ``Tensor/grad`` after `output.backward(R)`;
/// - the **numeric** gradient comes from central differences `D(h) = (L(x + h) − L(x − h)) / 2h`,
///   perturbing one element at a time in place (through ``Tensor/floats``) and restoring it
///   afterwards. By default two of them are combined by Richardson extrapolation,
///   `(4·D(ε) − D(2ε)) / 3` (the five-point stencil, error O(ε⁴)), so that a step large
///   enough to keep float32 rounding noise small still gives an accurate derivative; pass
///   `difference: .central` for the plain `D(ε)`. `L` is accumulated in `Double`, and each
///   denominator uses the perturbation actually stored in float32, so only the float32
///   forward pass contributes rounding noise.
///
/// An element passes when `|analytic − numeric| ≤ absoluteTolerance + relativeTolerance ·
/// max(|analytic|, |numeric|)`. The defaults (`ε = 1e-2`, both tolerances `1e-3`) suit
/// float32 forward passes on inputs and outputs of order one, where the measured noise is
/// about `1e-4`; they catch a gradient that is 1% off wherever it is larger than about 0.1.
///
/// ```swift
/// let a = TestSupport.randn([3, 1, 4], seed: 1), b = TestSupport.randn([2, 1], seed: 2)
/// let result = GradientChecker.check([a, b]) { x in x[0] * x[1] }
/// #expect(result.passed, "\(result)")
/// ```
///
/// Inputs must be leaf tensors (not results of recorded ops). By default every `float32`
/// input is checked and other element types (for example `int32` indices) are passed
/// through unchanged; pass `checking:` to choose. The inputs' ``Tensor/requiresGrad`` and
/// ``Tensor/grad`` are restored when the check returns, so layer parameters can be checked
/// in place:
///
/// ```swift
/// let result = GradientChecker.check(parameters: layer.parameters + [x]) { layer(x).tanh() }
/// ```
///
/// Choose inputs away from points where the function is not differentiable (the kinks of
/// `relu`, `abs` or `clamp`, ties of `max`): a perturbation of ±2ε (±ε with `.central`)
/// must not cross one.
/// ``input(_:seed:low:high:awayFrom:margin:)`` and ``distinct(_:seed:spacing:)`` make such inputs.
public enum GradientChecker {
    /// Default step of the finite differences.
    public static let defaultEpsilon: Float = 1e-2
    /// Default absolute tolerance.
    public static let defaultAbsoluteTolerance: Double = 1e-3
    /// Default relative tolerance.
    public static let defaultRelativeTolerance: Double = 1e-3

    /// The finite-difference formula.
    public enum Difference: Sendable {
        /// `(L(x + ε) − L(x − ε)) / 2ε`: two forward passes per element, error O(ε²).
        case central
        /// Richardson extrapolation of two central differences, `(4·D(ε) − D(2ε)) / 3`
        /// (the five-point stencil): four forward passes per element, error O(ε⁴), so a
        /// step large enough to keep float32 rounding noise small stays accurate. Inputs
        /// must then be differentiable within ±2ε.
        case richardson
    }

    /// Compares analytic and numeric gradients of `function` at `inputs`.
    ///
    /// - Parameters:
    ///   - inputs: the arguments of `function`, each a leaf tensor. Checked inputs must be
    ///     `float32`; they are perturbed in place and restored.
    ///   - checking: indices into `inputs` whose gradients are checked (nil: every `float32` input).
    ///   - epsilon: the finite-difference step.
    ///   - absoluteTolerance: allowed absolute error.
    ///   - relativeTolerance: allowed error relative to the larger of the two gradients.
    ///   - maxElementsPerInput: when an input has more elements, a seeded random subset of
    ///     this many is checked (the numeric gradient costs two or four forward passes per element).
    ///   - difference: the finite-difference formula (by default the fourth-order one).
    ///   - seed: seeds the projection `R` (and the element subset).
    ///   - function: the function under test; it must be deterministic (re-create any random
    ///     generator inside it) and return a `float32` tensor.
    /// - Returns: the comparison, with the worst element and whether all passed.
    public static func check(_ inputs: [Tensor],
                             checking: [Int]? = nil,
                             epsilon: Float = defaultEpsilon,
                             absoluteTolerance: Double = defaultAbsoluteTolerance,
                             relativeTolerance: Double = defaultRelativeTolerance,
                             maxElementsPerInput: Int? = nil,
                             difference: Difference = .richardson,
                             seed: UInt64 = 0,
                             _ function: ([Tensor]) -> Tensor) -> GradientCheckResult {
        let checked = checking ?? inputs.indices.filter { inputs[$0].dtype == .float32 }
        for i in checked {
            precondition(inputs.indices.contains(i), "GradientChecker: input index \(i) is out of range 0..<\(inputs.count)")
            precondition(inputs[i].dtype == .float32,
                         "GradientChecker: input \(i) is \(inputs[i].dtype); only float32 inputs can be checked")
            precondition(inputs[i].isLeaf, "GradientChecker: input \(i) is the result of a recorded op; pass leaf tensors")
        }
        precondition(epsilon > 0, "GradientChecker: epsilon must be positive")

        // Save and later restore the caller's gradient state.
        let savedRequiresGrad = inputs.map(\.requiresGrad)
        let savedGrad = inputs.map(\.grad)
        defer {
            for (i, t) in inputs.enumerated() {
                t.requiresGrad = savedRequiresGrad[i]
                t.grad = savedGrad[i]
            }
        }
        for (i, t) in inputs.enumerated() {
            t.grad = nil
            t.requiresGrad = checked.contains(i)
        }

        // Analytic gradients: backward of Σ output · R, i.e. output.backward(R).
        let output = function(inputs)
        precondition(output.dtype == .float32, "GradientChecker: the function returned a \(output.dtype) tensor, expected float32")
        var rng = RandomGenerator(seed: seed &+ 0x5EED)
        let projection = (0..<output.count).map { _ in rng.nextNormal() }
        let projectionTensor = Tensor(projection, shape: output.shape, backend: output.backend)
        var analytic: [Int: [Float]] = [:]
        if output.requiresGrad {
            output.backward(projectionTensor)
        }
        for i in checked {
            let t = inputs[i]
            if let g = t.grad {
                precondition(g.shape == t.shape, "GradientChecker: gradient of input \(i) has shape \(g.shape), expected \(t.shape)")
                analytic[i] = g.scalars
            } else {
                analytic[i] = [Float](repeating: 0, count: t.count)  // no gradient flowed: zero
            }
        }
        let projected = projection.map(Double.init)

        func objective() -> Double {
            let y = Tensor.withoutGrad { function(inputs) }
            precondition(y.shape == output.shape, "GradientChecker: output shape changed from \(output.shape) to \(y.shape)")
            let values = y.floats
            var total = 0.0
            for k in 0..<y.count { total += Double(values[k]) * projected[k] }
            return total
        }

        // A deterministic function gives the same objective twice.
        let base = objective()
        let again = objective()
        var notes: [String] = []
        if base != again && !(base.isNaN && again.isNaN) {
            notes.append("the function is not deterministic (objective \(base) then \(again)); "
                         + "re-create random generators inside it")
        }
        if !base.isFinite { notes.append("the objective is not finite (\(base))") }

        var worst: GradientCheckResult.Element?
        var failures: [GradientCheckResult.Element] = []
        var failureCount = 0
        var checkedElements = 0
        var maxAbsoluteError = 0.0
        for i in checked {
            let t = inputs[i]
            let values = t.floats
            var elements = Array(0..<t.count)
            if let limit = maxElementsPerInput, t.count > limit {
                elements.shuffle(using: &rng)
                elements = Array(elements.prefix(limit)).sorted()
            }
            let a = analytic[i]!
            for e in elements {
                let original = values[e]
                // A central difference with step h, dividing by the step actually stored in float32.
                func centralDifference(_ h: Float) -> Double {
                    let up = original + h, down = original - h
                    values[e] = up
                    let lUp = objective()
                    values[e] = down
                    let lDown = objective()
                    values[e] = original
                    return (lUp - lDown) / (Double(up) - Double(down))
                }
                let numeric: Double
                switch difference {
                case .central:
                    numeric = centralDifference(epsilon)
                case .richardson:
                    // (4·D(ε) − D(2ε)) / 3 cancels the ε² term of the central difference's error.
                    numeric = (4 * centralDifference(epsilon) - centralDifference(2 * epsilon)) / 3
                }
                let analyticValue = Double(a[e])
                let error = Swift.abs(analyticValue - numeric)
                let allowed = absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(analyticValue), Swift.abs(numeric))
                let ok = error <= allowed  // false for NaN
                let element = GradientCheckResult.Element(input: i, index: e, coordinates: coordinates(e, t.shape),
                                                          analytic: analyticValue, numeric: numeric,
                                                          error: error, allowed: allowed)
                checkedElements += 1
                if error.isFinite { maxAbsoluteError = Swift.max(maxAbsoluteError, error) } else { maxAbsoluteError = .infinity }
                if worst == nil || element.ratio > worst!.ratio { worst = element }
                if !ok {
                    failureCount += 1
                    if failures.count < 8 { failures.append(element) }
                }
            }
        }
        return GradientCheckResult(passed: failureCount == 0 && notes.isEmpty, worst: worst, failures: failures,
                                   failureCount: failureCount, checkedElements: checkedElements,
                                   maxAbsoluteError: maxAbsoluteError, notes: notes,
                                   inputShapes: inputs.map(\.shape), outputShape: output.shape)
    }

    /// Checks a function of captured tensors (layer parameters, inputs): `parameters` are
    /// perturbed in place while `function` reads them.
    ///
    /// ```swift
    /// let result = GradientChecker.check(parameters: [weight, bias, x]) { x.matmul(weight) + bias }
    /// ```
    public static func check(parameters: [Tensor],
                             epsilon: Float = defaultEpsilon,
                             absoluteTolerance: Double = defaultAbsoluteTolerance,
                             relativeTolerance: Double = defaultRelativeTolerance,
                             maxElementsPerInput: Int? = nil,
                             difference: Difference = .richardson,
                             seed: UInt64 = 0,
                             _ function: () -> Tensor) -> GradientCheckResult {
        check(parameters, epsilon: epsilon, absoluteTolerance: absoluteTolerance,
              relativeTolerance: relativeTolerance, maxElementsPerInput: maxElementsPerInput,
              difference: difference, seed: seed) { _ in function() }
    }

    // MARK: Inputs for gradient checks

    /// A seeded uniform tensor in `[low, high)` (on the current device) whose elements all
    /// lie at least `margin` away from each point of `awayFrom` (for example the kink of
    /// `relu` at 0), so that a finite-difference step does not cross a kink (keep
    /// `margin` above 2ε).
    public static func input(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1,
                             awayFrom kinks: [Float] = [], margin: Float = 0.1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = Shape.count(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var v: Float
            var attempts = 0
            repeat {
                v = low + (high - low) * rng.nextFloat()
                attempts += 1
                precondition(attempts < 10_000, "GradientChecker.input: no value in [\(low), \(high)) is \(margin) away from \(kinks)")
            } while kinks.contains(where: { Swift.abs(v - $0) < margin })
            values[i] = v
        }
        return Tensor(values, shape: shape)
    }

    /// A seeded tensor whose elements are pairwise at least `spacing` apart (a shuffled,
    /// jittered grid centred on zero), for ops whose gradient depends on an ordering:
    /// max/min reductions, max pooling, `maximum`/`minimum`.
    public static func distinct(_ shape: [Int], seed: UInt64, spacing: Float = 0.1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = Shape.count(shape)
        var values = (0..<n).map { (Float($0) - Float(n - 1) / 2) * spacing * 1.5 + spacing * 0.25 * (rng.nextFloat() - 0.5) }
        values.shuffle(using: &rng)
        return Tensor(values, shape: shape)
    }

    /// A random shape of the given rank with dimensions in `sizes`, from `generator`.
    public static func randomShape(rank: Int, sizes: ClosedRange<Int> = 1...4,
                                   using generator: inout RandomGenerator) -> [Int] {
        (0..<rank).map { _ in Int.random(in: sizes, using: &generator) }
    }

    /// A random shape that broadcasts against `shape`: some leading axes dropped and some
    /// dimensions replaced by 1.
    public static func broadcastableShape(to shape: [Int], using generator: inout RandomGenerator) -> [Int] {
        let dropped = Int.random(in: 0...shape.count, using: &generator)
        return shape.dropFirst(dropped).map { Bool.random(using: &generator) ? 1 : $0 }
    }

    static func coordinates(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat
        var out = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
            out[d] = rest % shape[d]
            rest /= shape[d]
        }
        return out
    }
}

/// The outcome of ``GradientChecker/check(_:checking:epsilon:absoluteTolerance:relativeTolerance:maxElementsPerInput:seed:_:)``.
///
/// Its description names the worst element and the first failures, for test messages:
/// `#expect(result.passed, "\(result)")`.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// One compared gradient element.
    public struct Element: CustomStringConvertible, Sendable {
        /// Index of the input in the list passed to the checker.
        public var input: Int
        /// Row-major index of the element within the input.
        public var index: Int
        /// The element's multi-dimensional index.
        public var coordinates: [Int]
        /// The gradient from `backward`.
        public var analytic: Double
        /// The central-difference estimate.
        public var numeric: Double
        /// `|analytic − numeric|`.
        public var error: Double
        /// The tolerance for this element: `absolute + relative · max(|analytic|, |numeric|)`.
        public var allowed: Double
        /// `error / allowed`: above 1 fails (infinite when either gradient is NaN).
        public var ratio: Double {
            let r = error / allowed
            return r.isNaN ? .infinity : r
        }

        public var description: String {
            "input \(input) element \(coordinates): analytic \(analytic), numeric \(numeric), "
                + "error \(error) (allowed \(allowed))"
        }
    }

    /// Whether every checked element is within tolerance (and the function was deterministic).
    public var passed: Bool
    /// The element with the largest error relative to its tolerance (nil when none was checked).
    public var worst: Element?
    /// The first few failing elements.
    public var failures: [Element]
    /// How many elements failed.
    public var failureCount: Int
    /// How many elements were compared.
    public var checkedElements: Int
    /// The largest `|analytic − numeric|` over all elements.
    public var maxAbsoluteError: Double
    /// Problems found besides element mismatches (a non-deterministic function, a non-finite objective).
    public var notes: [String]
    /// Shapes of the inputs, and of the output, for the report.
    public var inputShapes: [[Int]]
    public var outputShape: [Int]

    public var description: String {
        var lines = ["gradient check \(passed ? "passed" : "FAILED"): \(checkedElements) elements of inputs "
                     + "\(inputShapes) → output \(outputShape), \(failureCount) outside tolerance, "
                     + "max abs error \(maxAbsoluteError)"]
        if let worst { lines.append("  worst: \(worst)") }
        for f in failures { lines.append("  failed: \(f)") }
        if failureCount > failures.count { lines.append("  … and \(failureCount - failures.count) more") }
        for n in notes { lines.append("  note: \(n)") }
        return lines.joined(separator: "\n")
    }
}
