import LeptonTensor

/// The range of a layer's input during quantisation-aware training (PyTorch's
/// `MovingAverageMinMaxObserver`): the first batch sets the minimum and maximum, each later batch
/// moves them by `averagingConstant` toward its own, `range += c · (batch − range)`. Once
/// ``freeze()`` is called the range no longer moves (PyTorch's `disable_observer`).
///
/// ```swift
/// let observer = MovingAverageObserver()
/// observer.observe(batch)
/// let q = observer.quantization!   // uint8, scale and zero point of the averaged range
/// ```
public final class MovingAverageObserver: @unchecked Sendable {
    /// How far each batch moves the range (PyTorch's default 0.01).
    public let averagingConstant: Float
    /// The averaged minimum, or nil before the first batch.
    public private(set) var minimum: Float?
    /// The averaged maximum, or nil before the first batch.
    public private(set) var maximum: Float?
    /// Whether the range is fixed.
    public private(set) var isFrozen = false

    /// - Parameter averagingConstant: in (0, 1].
    public init(averagingConstant: Float = 0.01) {
        precondition(averagingConstant > 0 && averagingConstant <= 1,
                     "MovingAverageObserver: averaging constant \(averagingConstant), expected (0, 1]")
        self.averagingConstant = averagingConstant
    }

    /// Moves the range toward `x`'s finite minimum and maximum (nothing once frozen, or for a
    /// batch without a finite value).
    public func observe(_ x: Tensor) {
        guard !isFrozen else { return }
        let p = x.floats
        var low = Float.infinity, high = -Float.infinity
        for i in 0..<x.count where p[i].isFinite {
            low = Swift.min(low, p[i])
            high = Swift.max(high, p[i])
        }
        guard low <= high else { return }
        if let minimum, let maximum {
            self.minimum = minimum + averagingConstant * (low - minimum)
            self.maximum = maximum + averagingConstant * (high - maximum)
        } else {
            minimum = low
            maximum = high
        }
    }

    /// Stops the range from moving.
    public func freeze() { isFrozen = true }

    /// The `uint8` quantisation of the range (widened to hold 0), or nil before any batch.
    public var quantization: ActivationQuantization? {
        guard let minimum, let maximum else { return nil }
        return ActivationQuantization(minimum: minimum, maximum: maximum)
    }
}
