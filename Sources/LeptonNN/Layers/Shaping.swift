import LeptonTensor

/// Flattens every axis but the first (`keras.layers.Flatten`).
public final class Flatten: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor {
        input.rank <= 1 ? input.reshape([input.count, 1]) : input.flatten(startAxis: 1)
    }
}

/// Reshapes every sample (the batch axis is kept; one target dimension may be -1)
/// (`keras.layers.Reshape`).
public final class Reshape: Module {
    /// Shape of one sample.
    public let targetShape: [Int]

    public init(_ targetShape: [Int]) {
        self.targetShape = targetShape
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.reshape([input.shape[0]] + targetShape)
    }
}

/// Randomly zeroes inputs with probability `rate` during training and rescales the rest
/// (`keras.layers.Dropout`); the identity in evaluation mode.
public final class Dropout: Module {
    /// Probability of dropping each element.
    public let rate: Float
    private var generator: RandomGenerator

    /// - Parameter seed: a fixed seed for repeatable masks; drawn from ``GlobalRandom`` when nil.
    public init(rate: Float, seed: UInt64? = nil) {
        layerRequire(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.generator = RandomGenerator(seed: seed ?? GlobalRandom.with { $0.next() })
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.dropout(rate, training: isTraining, generator: &generator)
    }
}

extension Dropout: RandomStateful {
    /// The generator the dropout masks are drawn from (saved in checkpoints).
    public var randomState: RandomGenerator {
        get { generator }
        set { generator = newValue }
    }
}
