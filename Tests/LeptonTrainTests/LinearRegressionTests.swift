import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

@Suite struct LinearRegressionTests {
    /// Random `[n, p]` features and noisy targets `x · w + b + noise` for `k` targets.
    func problem(n: Int, p: Int, k: Int, seed: UInt64) -> (Tensor, Tensor) {
        var g = RandomGenerator(seed: seed)
        let x = Tensor.normal([n, p], mean: 1, std: 2, generator: &g)
        let w = Tensor.normal([p, k], generator: &g)
        let noise = Tensor.normal([n, k], std: 0.3, generator: &g)
        let y = Tensor.withoutGrad { x.matmul(w) + Tensor.full([k], 3) + noise }
        return (x, k == 1 ? y.reshape([n]) : y)
    }

    /// `numpy.linalg.lstsq` on the given problems: for each, the coefficients `[p, k]` (flattened)
    /// and the intercepts, fitting with an intercept column when asked.
    func numpyLeastSquares(_ problems: [(Tensor, Tensor, Bool)]) throws -> [([Double], [Double])] {
        let payload = problems.map { x, y, intercept -> [String: Any] in
            ["x": x.scalars.map(Double.init), "shape": x.shape, "y": y.scalars.map(Double.init),
             "k": y.rank == 1 ? 1 : y.shape[1], "intercept": intercept]
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-lstsq-\(UUID()).json")
        try JSONSerialization.data(withJSONObject: payload).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import json, sys, numpy as np
        out = []
        for c in json.load(open(sys.argv[1])):
            n, p = c['shape'][0], (c['shape'][1] if len(c['shape']) > 1 else 1)
            x = np.array(c['x'], dtype=np.float64).reshape(n, p)
            y = np.array(c['y'], dtype=np.float64).reshape(n, c['k'])
            a = np.hstack([x, np.ones((n, 1))]) if c['intercept'] else x
            sol = np.linalg.lstsq(a, y, rcond=None)[0]
            w, b = (sol[:p], sol[p]) if c['intercept'] else (sol, np.zeros(c['k']))
            out.append([w.ravel().tolist(), np.atleast_1d(b).tolist()])
        print(json.dumps(out))
        """
        let output = try runPythonScript(script, [file.path])
        let decoded = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [[[Double]]]
        return decoded.map { ($0[0], $0[1]) }
    }

    func close(_ a: [Float], _ b: [Double], _ tolerance: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func leastSquaresMatchesNumPy() throws {
        let (x1, y1) = problem(n: 200, p: 5, k: 1, seed: 1)
        let (x2, y2) = problem(n: 50, p: 3, k: 2, seed: 2)
        let (x3, y3) = problem(n: 30, p: 4, k: 1, seed: 3)
        // Collinear: the last feature is twice the first (lstsq returns the minimum-norm solution).
        let v = x3.scalars
        var rows: [Float] = []
        for i in 0..<30 {
            let first: Float = v[4 * i]
            rows += [first, v[4 * i + 1], v[4 * i + 2], 2 * first]
        }
        let collinear = Tensor(rows, shape: [30, 4])
        let expected = try numpyLeastSquares([(x1, y1, true), (x2, y2, true), (x3, y3, false), (collinear, y3, true)])

        let model = try LinearRegression().fit(x: x1, y: y1)
        #expect(model.isFitted)
        #expect(model.coefficients?.shape == [5] && model.intercept?.shape == [])
        let reference: [Double] = expected[0].0
        #expect(close(model.coefficients!.scalars, reference, 1e-4), "\(model.coefficients!.scalars) vs \(reference)")
        #expect(close(model.intercept!.scalars, expected[0].1, 1e-4))

        let multi = try LinearRegression().fit(x: x2, y: y2)
        #expect(multi.coefficients?.shape == [3, 2] && multi.intercept?.shape == [2])
        #expect(close(multi.coefficients!.scalars, expected[1].0, 1e-4))
        #expect(close(multi.intercept!.scalars, expected[1].1, 1e-4))
        #expect(try multi.predict(x2).shape == [50, 2])

        let origin = try LinearRegression(fitIntercept: false).fit(x: x3, y: y3)
        #expect(close(origin.coefficients!.scalars, expected[2].0, 1e-4))
        #expect(origin.intercept!.item() == 0)

        let degenerate = try LinearRegression().fit(x: collinear, y: y3)
        let minimumNorm: [Double] = expected[3].0
        #expect(close(degenerate.coefficients!.scalars, minimumNorm, 1e-3), "\(degenerate.coefficients!.scalars) vs \(minimumNorm)")
        #expect(close(degenerate.intercept!.scalars, expected[3].1, 1e-3))
    }

    @Test func predictAndScore() throws {
        let (x, y) = problem(n: 100, p: 3, k: 1, seed: 4)
        let model = try LinearRegression().fit(x: x, y: y)
        let prediction = try model.predict(x)
        #expect(prediction.shape == [100])
        // predict is x · w + b.
        let w = model.coefficients!.scalars, b = model.intercept!.item(), xs = x.scalars
        let manual = (0..<100).map { i in (0..<3).reduce(b) { $0 + xs[3 * i + $1] * w[$1] } }
        #expect(zip(prediction.scalars, manual).allSatisfy { abs($0 - $1) < 1e-4 })
        // R² = 1 − SS_res / SS_tot, computed here in double precision.
        let ys = y.scalars.map(Double.init), ps = prediction.scalars.map(Double.init)
        let mean = ys.reduce(0, +) / 100
        let r2 = 1 - zip(ys, ps).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let score = try model.score(x: x, y: y)
        #expect(abs(Double(score) - r2) < 1e-5 && score > 0.9 && score < 1)
        #expect(try model.score(x: x, y: y.reshape([100, 1])) == score)
        let mse = Metrics.meanSquaredError(prediction, y)
        #expect(abs(Double(mse) - zip(ys, ps).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 100) < 1e-5)
        // An exact line scores 1; a single feature may be given as a vector.
        let line = try LinearRegression().fit(x: Tensor([0, 1, 2, 3]), y: Tensor([1, 3, 5, 7]))
        #expect(abs(line.coefficients!.item() - 2) < 1e-5 && abs(line.intercept!.item() - 1) < 1e-5)
        #expect(try line.score(x: Tensor([4, 5]), y: Tensor([9, 11])) == 1)
    }

    @Test func gradientDescentApproachesTheClosedForm() throws {
        let (x, y) = problem(n: 64, p: 3, k: 1, seed: 5)
        let exact = try LinearRegression().fit(x: x, y: y)
        let descent = LinearRegression(method: .gradientDescent(learningRate: 0.05, epochs: 400))
        try descent.fit(x: x, y: y)
        #expect(descent.lossHistory.count == 400)
        #expect(descent.lossHistory.last! < descent.lossHistory.first! * 0.05)
        #expect(zip(descent.lossHistory, descent.lossHistory.dropFirst()).allSatisfy { $1 <= $0 * 1.0001 })
        #expect(close(descent.coefficients!.scalars, exact.coefficients!.scalars.map(Double.init), 0.02),
                "\(descent.coefficients!.scalars) vs \(exact.coefficients!.scalars)")
        #expect(abs(descent.intercept!.item() - exact.intercept!.item()) < 0.05)
        #expect(try descent.score(x: x, y: y) > (try exact.score(x: x, y: y)) - 0.01)
        let noIntercept = try LinearRegression(fitIntercept: false, method: .gradientDescent(learningRate: 0.05, epochs: 50)).fit(x: x, y: y)
        #expect(noIntercept.intercept!.item() == 0)
    }

    @Test func reportsClearErrors() throws {
        let model = LinearRegression()
        let notFitted = #expect(throws: TrainingError.self) { try model.predict(Tensor.zeros([2, 3])) }
        #expect(notFitted?.description.contains("not fitted") == true)
        let mismatch = #expect(throws: TrainingError.self) { try model.fit(x: Tensor.zeros([5, 2]), y: Tensor.zeros([4])) }
        #expect(mismatch?.description == "LinearRegression.fit: x has 5 samples (shape [5, 2]) but y has 4 (shape [4])")
        #expect(throws: TrainingError.self) { try model.fit(x: Tensor.zeros([0, 2]), y: Tensor.zeros([0])) }
        #expect(throws: TrainingError.self) { try model.fit(x: Tensor.zeros([2, 2, 2]), y: Tensor.zeros([2])) }
        #expect(throws: TrainingError.self) { try model.fit(x: Tensor([1, .nan]), y: Tensor([1, 2])) }
        try model.fit(x: Tensor(rows: [[1, 0], [0, 1], [1, 1]]), y: Tensor([1, 2, 3]))
        let features = #expect(throws: TrainingError.self) { try model.predict(Tensor.zeros([2, 3])) }
        #expect(features?.description.contains("x has 3 features, the model was fitted on 2") == true)
        #expect(throws: TrainingError.self) { try model.score(x: Tensor.zeros([2, 2]), y: Tensor.zeros([3])) }
    }
}
