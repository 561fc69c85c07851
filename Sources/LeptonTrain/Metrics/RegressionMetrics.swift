import Foundation
import LeptonTensor

/// Mean of a per-element error over every batch since the reset.
public class MeanErrorMetric: Metric {
    public let name: String
    var sum: Double = 0, count = 0
    init(name: String) { self.name = name }
    public func reset() { sum = 0; count = 0 }
    public func update(prediction: Tensor, target: Tensor) {
        let p = prediction.scalars, t = target.scalars
        checkPrecondition(p.count == t.count, "\(name): prediction \(prediction.shape) and target \(target.shape) differ in size")
        for (a, b) in zip(p, t) { sum += error(Double(a) - Double(b)) }
        count += p.count
    }
    func error(_ difference: Double) -> Double { fatalError("subclass") }
    public func result() -> Float { value(sum: sum, count: Double(count)) }
    /// The metric from a sum of errors over `count` elements.
    func value(sum: Double, count: Double) -> Float { count == 0 ? 0 : Float(sum / count) }
}

/// Mean squared error (`keras.metrics.MeanSquaredError`).
public final class MeanSquaredErrorMetric: MeanErrorMetric {
    public init() { super.init(name: "mse") }
    override func error(_ d: Double) -> Double { d * d }
}

/// Mean absolute error (`keras.metrics.MeanAbsoluteError`).
public final class MeanAbsoluteErrorMetric: MeanErrorMetric {
    public init() { super.init(name: "mae") }
    override func error(_ d: Double) -> Double { Swift.abs(d) }
}

/// Root mean squared error (`keras.metrics.RootMeanSquaredError`).
public final class RootMeanSquaredErrorMetric: MeanErrorMetric {
    public init() { super.init(name: "rmse") }
    override func error(_ d: Double) -> Double { d * d }
    override func value(sum: Double, count: Double) -> Float { count == 0 ? 0 : Float((sum / count).squareRoot()) }
}
