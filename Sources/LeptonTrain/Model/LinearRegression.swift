import LeptonTensor

/// Ordinary least-squares linear regression (`sklearn.linear_model.LinearRegression`).
///
/// Fits `y ≈ x · coefficients + intercept` either exactly, by a Householder QR factorisation
/// computed in `Double` (the default), or by full-batch gradient descent on the mean squared
/// error using Lepton's autodiff.
///
/// ```swift
/// let model = LinearRegression()
/// try model.fit(x: x, y: y)                       // x: [n, features], y: [n] or [n, targets]
/// let prediction = try model.predict(xTest)
/// let r2 = try model.score(x: xTest, y: yTest)    // coefficient of determination
/// let mse = Metrics.meanSquaredError(prediction, yTest)
/// ```
///
/// Shapes: with `y` of shape `[n]`, ``coefficients`` is `[features]` and ``intercept`` a scalar
/// (rank 0); with `y` of shape `[n, targets]`, ``coefficients`` is `[features, targets]` (the
/// layout of a `Dense` kernel, the transpose of scikit-learn's `coef_`) and ``intercept``
/// `[targets]`. An `x` of rank 1 is read as a single feature.
///
/// When the features are collinear (rank deficient), the least-squares fit falls back to the
/// normal equations with a tiny ridge term, which approaches the minimum-norm solution that
/// `numpy.linalg.lstsq` returns.
public final class LinearRegression {
    /// How ``fit(x:y:)`` finds the coefficients.
    public enum Method: Sendable, Equatable {
        /// The exact least-squares solution (QR in double precision).
        case leastSquares
        /// Full-batch gradient descent on the mean squared error, from zero weights.
        case gradientDescent(learningRate: Float, epochs: Int)
    }

    /// Whether an intercept is fitted (otherwise the line goes through the origin).
    public let fitIntercept: Bool
    public let method: Method
    /// The fitted weights (nil before ``fit(x:y:)``).
    public private(set) var coefficients: Tensor?
    /// The fitted intercept (zeros when `fitIntercept` is false; nil before ``fit(x:y:)``).
    public private(set) var intercept: Tensor?
    /// Mean squared error after each gradient-descent epoch (empty for least squares).
    public private(set) var lossHistory: [Float] = []

    public init(fitIntercept: Bool = true, method: Method = .leastSquares) {
        if case let .gradientDescent(learningRate, epochs) = method {
            checkPrecondition(learningRate > 0 && epochs > 0,
                              "LinearRegression: gradient descent needs a positive learning rate and epochs, got \(learningRate), \(epochs)")
        }
        self.fitIntercept = fitIntercept
        self.method = method
    }

    /// Whether ``fit(x:y:)`` has run.
    public var isFitted: Bool { coefficients != nil }

    /// Fits the model to `x` `[n, features]` and `y` `[n]` or `[n, targets]`.
    /// - Throws: ``TrainingError`` for different sample counts, no samples, wrong ranks or
    ///   non-finite values.
    @discardableResult
    public func fit(x: Tensor, y: Tensor) throws -> LinearRegression {
        let (features, n, p) = try Self.matrix(x, "x")
        guard y.rank == 1 || y.rank == 2 else {
            throw TrainingError("LinearRegression.fit: y must be [samples] or [samples, targets], got shape \(y.shape)")
        }
        guard y.shape[0] == n else {
            throw TrainingError("LinearRegression.fit: x has \(n) samples (shape \(x.shape)) but y has \(y.shape[0]) (shape \(y.shape))")
        }
        guard n > 0 else { throw TrainingError("LinearRegression.fit: no samples") }
        let k = y.rank == 1 ? 1 : y.shape[1]
        guard k > 0 else { throw TrainingError("LinearRegression.fit: y has no targets (shape \(y.shape))") }
        let targets = y.scalars.map(Double.init)
        guard targets.allSatisfy(\.isFinite) else { throw TrainingError("LinearRegression.fit: y holds NaN or infinite values") }

        let weights: [Double], bias: [Double]
        switch method {
        case .leastSquares:
            (weights, bias) = leastSquares(features, targets, n: n, p: p, k: k)
        case let .gradientDescent(learningRate, epochs):
            (weights, bias) = gradientDescent(x: features, y: targets, n: n, p: p, k: k,
                                              learningRate: learningRate, epochs: epochs)
        }
        let coefficientShape = y.rank == 1 ? [p] : [p, k]
        coefficients = Tensor(weights.map(Float.init), shape: coefficientShape)
        intercept = Tensor(bias.map(Float.init), shape: y.rank == 1 ? [] : [k])
        return self
    }

    /// `x · coefficients + intercept`: `[n]` or `[n, targets]` as `y` was.
    /// - Throws: ``TrainingError`` before ``fit(x:y:)`` or for a different number of features.
    public func predict(_ x: Tensor) throws -> Tensor {
        guard let coefficients, let intercept else {
            throw TrainingError("LinearRegression.predict: the model is not fitted; call fit(x:y:) first")
        }
        let (_, n, p) = try Self.matrix(x, "x", requireFinite: false)
        guard p == coefficients.shape[0] else {
            throw TrainingError("LinearRegression.predict: x has \(p) features, the model was fitted on \(coefficients.shape[0])")
        }
        return Tensor.withoutGrad {
            let input = x.cast(to: .float32).reshape([n, p])
            let w = coefficients.rank == 1 ? coefficients.reshape([p, 1]) : coefficients
            let out = input.matmul(w) + intercept
            return coefficients.rank == 1 ? out.reshape([n]) : out
        }
    }

    /// The coefficient of determination R² of the predictions for `x` against `y` (1 is a
    /// perfect fit; averaged uniformly over targets, as scikit-learn's `score`).
    /// - Throws: ``TrainingError`` as ``predict(_:)``, or when `y` does not match the predictions.
    public func score(x: Tensor, y: Tensor) throws -> Float {
        let prediction = try predict(x)
        guard prediction.count == y.count, y.shape.first == prediction.shape.first else {
            throw TrainingError("LinearRegression.score: y has shape \(y.shape), the predictions \(prediction.shape)")
        }
        return Metrics.r2Score(prediction, y.reshape(prediction.shape))
    }

    // MARK: Implementation

    /// The features of `x` as row-major doubles, with the sample and feature counts.
    static func matrix(_ x: Tensor, _ name: String, requireFinite: Bool = true) throws -> ([Double], Int, Int) {
        guard x.rank == 1 || x.rank == 2 else {
            throw TrainingError("LinearRegression: \(name) must be [samples, features] (or [samples] for one feature), got shape \(x.shape)")
        }
        let n = x.shape[0], p = x.rank == 1 ? 1 : x.shape[1]
        guard p > 0 else { throw TrainingError("LinearRegression: \(name) has no features (shape \(x.shape))") }
        let values = x.scalars.map(Double.init)
        if requireFinite, !values.allSatisfy(\.isFinite) {
            throw TrainingError("LinearRegression: \(name) holds NaN or infinite values")
        }
        return (values, n, p)
    }

    /// Column means of an `[n, m]` matrix.
    static func columnMeans(_ a: [Double], n: Int, m: Int) -> [Double] {
        var means = [Double](repeating: 0, count: m)
        for i in 0..<n { for j in 0..<m { means[j] += a[i * m + j] } }
        return means.map { $0 / Double(n) }
    }

    /// Least squares on centred data (when fitting an intercept) by Householder QR.
    private func leastSquares(_ x: [Double], _ y: [Double], n: Int, p: Int, k: Int) -> ([Double], [Double]) {
        var a = x, b = y
        var xMean = [Double](repeating: 0, count: p), yMean = [Double](repeating: 0, count: k)
        if fitIntercept {
            xMean = Self.columnMeans(x, n: n, m: p)
            yMean = Self.columnMeans(y, n: n, m: k)
            for i in 0..<n {
                for j in 0..<p { a[i * p + j] -= xMean[j] }
                for t in 0..<k { b[i * k + t] -= yMean[t] }
            }
        }
        let w = Self.solveQR(a, b, n: n, p: p, k: k) ?? Self.solveRidge(a, b, n: n, p: p, k: k)
        var bias = [Double](repeating: 0, count: k)
        if fitIntercept {
            for t in 0..<k { bias[t] = yMean[t] - (0..<p).reduce(0) { $0 + xMean[$1] * w[$1 * k + t] } }
        }
        return (w, bias)
    }

    /// Solves `min ‖A W − B‖` for `A` `[n, p]` with full column rank; nil when `n < p` or
    /// `A` is (numerically) rank deficient.
    static func solveQR(_ aIn: [Double], _ bIn: [Double], n: Int, p: Int, k: Int) -> [Double]? {
        guard n >= p else { return nil }
        var a = aIn, b = bIn
        var diagonal = [Double](repeating: 0, count: p)
        var scale = 0.0
        for j in 0..<p { for i in 0..<n { scale = max(scale, abs(a[i * p + j])) } }
        guard scale > 0 else { return nil }
        for j in 0..<p {
            // Householder vector for column j below the diagonal.
            var norm = 0.0
            for i in j..<n { norm += a[i * p + j] * a[i * p + j] }
            norm = norm.squareRoot()
            guard norm > 1e-12 * scale * Double(n).squareRoot() else { return nil }
            let alpha = a[j * p + j] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: n - j)
            for i in j..<n { v[i - j] = a[i * p + j] }
            v[0] -= alpha
            let vv = v.reduce(0) { $0 + $1 * $1 }
            guard vv > 0 else { diagonal[j] = alpha; continue }
            // Apply H = I − 2 v vᵀ / vᵀv to the remaining columns of A and to B.
            for c in j..<p {
                var dot = 0.0
                for i in j..<n { dot += v[i - j] * a[i * p + c] }
                let f = 2 * dot / vv
                for i in j..<n { a[i * p + c] -= f * v[i - j] }
            }
            for c in 0..<k {
                var dot = 0.0
                for i in j..<n { dot += v[i - j] * b[i * k + c] }
                let f = 2 * dot / vv
                for i in j..<n { b[i * k + c] -= f * v[i - j] }
            }
            diagonal[j] = a[j * p + j]
        }
        let largest = diagonal.map(abs).max() ?? 0
        guard diagonal.allSatisfy({ abs($0) > 1e-10 * largest }) else { return nil }
        // Back substitution R W = Qᵀ B (first p rows).
        var w = [Double](repeating: 0, count: p * k)
        for c in 0..<k {
            for j in stride(from: p - 1, through: 0, by: -1) {
                var s = b[j * k + c]
                for m in (j + 1)..<max(j + 1, p) { s -= a[j * p + m] * w[m * k + c] }
                w[j * k + c] = s / a[j * p + j]
            }
        }
        return w
    }

    /// `(AᵀA + λI) W = AᵀB` by Cholesky, with λ tiny relative to the trace (collinear features).
    static func solveRidge(_ a: [Double], _ b: [Double], n: Int, p: Int, k: Int) -> [Double] {
        var g = [Double](repeating: 0, count: p * p), r = [Double](repeating: 0, count: p * k)
        for i in 0..<n {
            for j in 0..<p {
                let aij = a[i * p + j]
                for m in 0..<p { g[j * p + m] += aij * a[i * p + m] }
                for c in 0..<k { r[j * k + c] += aij * b[i * k + c] }
            }
        }
        let trace = (0..<p).reduce(0) { $0 + g[$1 * p + $1] }
        let ridge = max(trace / Double(p), 1e-300) * 1e-10
        for j in 0..<p { g[j * p + j] += ridge }
        // Cholesky G = L Lᵀ (in place, lower triangle).
        var l = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            var d = g[j * p + j]
            for m in 0..<j { d -= l[j * p + m] * l[j * p + m] }
            let diag = max(d, ridge).squareRoot()
            l[j * p + j] = diag
            for i in (j + 1)..<max(j + 1, p) {
                var s = g[i * p + j]
                for m in 0..<j { s -= l[i * p + m] * l[j * p + m] }
                l[i * p + j] = s / diag
            }
        }
        var w = [Double](repeating: 0, count: p * k)
        for c in 0..<k {
            var z = [Double](repeating: 0, count: p)
            for i in 0..<p {
                var s = r[i * k + c]
                for m in 0..<i { s -= l[i * p + m] * z[m] }
                z[i] = s / l[i * p + i]
            }
            for i in stride(from: p - 1, through: 0, by: -1) {
                var s = z[i]
                for m in (i + 1)..<max(i + 1, p) { s -= l[m * p + i] * w[m * k + c] }
                w[i * k + c] = s / l[i * p + i]
            }
        }
        return w
    }

    /// Full-batch gradient descent on the mean squared error with gradients from autodiff.
    private func gradientDescent(x: [Double], y: [Double], n: Int, p: Int, k: Int,
                                 learningRate: Float, epochs: Int) -> ([Double], [Double]) {
        let input = Tensor(x.map(Float.init), shape: [n, p])
        let target = Tensor(y.map(Float.init), shape: [n, k])
        let w = Tensor.zeros([p, k]).requiringGrad()
        let b = Tensor.zeros([k]).requiringGrad(fitIntercept)
        lossHistory = []
        lossHistory.reserveCapacity(epochs)
        for _ in 0..<epochs {
            w.grad = nil
            b.grad = nil
            let residual = input.matmul(w) + b - target
            let loss = residual.square().mean()
            loss.backward()
            lossHistory.append(loss.item())
            Tensor.withoutGrad {
                if let g = w.grad { w.assign(w - g * learningRate) }
                if fitIntercept, let g = b.grad { b.assign(b - g * learningRate) }
            }
        }
        return (w.scalars.map(Double.init), b.scalars.map(Double.init))
    }
}

extension Metrics {
    /// The mean of `(prediction − target)²` over all elements, as a `Float` (scikit-learn's
    /// `mean_squared_error`). The two need the same number of elements (shapes may differ, e.g.
    /// `[n]` and `[n, 1]`).
    ///
    /// This is an evaluation helper computed in double precision, outside the graph; for a
    /// differentiable loss use LeptonNN's `meanSquaredError(_:_:reduction:)`, which returns a
    /// `Tensor`. (It lives in ``Metrics`` so that the two never clash when both modules are imported.)
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Float {
        let p = prediction.scalars, t = target.scalars
        checkPrecondition(p.count == t.count,
                          "Metrics.meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ in size")
        guard !p.isEmpty else { return 0 }
        let sum = zip(p, t).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        return Float(sum / Double(p.count))
    }

    /// The coefficient of determination R² = 1 − SS_res / SS_tot (scikit-learn's `r2_score`):
    /// per column of a `[n, targets]` pair, then averaged; a constant target gives 1 when
    /// predicted exactly and 0 otherwise.
    public static func r2Score(_ prediction: Tensor, _ target: Tensor) -> Float {
        let p = prediction.scalars, t = target.scalars
        checkPrecondition(p.count == t.count && !t.isEmpty,
                          "Metrics.r2Score: prediction \(prediction.shape) and target \(target.shape) differ in size or are empty")
        let k = target.rank == 2 ? target.shape[1] : 1
        let n = t.count / max(k, 1)
        var total = 0.0
        for c in 0..<k {
            var mean = 0.0
            for i in 0..<n { mean += Double(t[i * k + c]) }
            mean /= Double(n)
            var residual = 0.0, spread = 0.0
            for i in 0..<n {
                let d = Double(t[i * k + c]) - Double(p[i * k + c]), e = Double(t[i * k + c]) - mean
                residual += d * d
                spread += e * e
            }
            total += spread == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / spread
        }
        return Float(total / Double(k))
    }
}
