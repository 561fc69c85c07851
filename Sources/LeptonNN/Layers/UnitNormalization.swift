import LeptonTensor

/// Scales each sample's last axis to unit Euclidean length (`keras.layers.UnitNormalization`,
/// `torch.nn.functional.normalize`): the head of an embedding model, so that the dot product of
/// two embeddings is their cosine similarity.
public final class UnitNormalization: Module {
    /// Added under the square root, so an all-zero vector stays finite.
    public let epsilon: Float

    public init(epsilon: Float = 1e-12) {
        self.epsilon = epsilon
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.unitNormalized(epsilon: epsilon)
    }
}

extension Tensor {
    /// This tensor with its last axis scaled to unit Euclidean length.
    public func unitNormalized(epsilon: Float = 1e-12) -> Tensor {
        self / (square().sum(axis: -1, keepDims: true) + epsilon).sqrt()
    }
}

extension UnitNormalization: ConfigurableLayer {
    public static let typeName = "UnitNormalization"
    public static let configKeys = ["epsilon"]
    public convenience init(config c: ConfigReader) throws {
        let epsilon = try c.float("epsilon", default: 1e-12)
        guard epsilon > 0, epsilon.isFinite else {
            throw ConfigError("\(c.path).epsilon: expected a small positive number, got \(epsilon)")
        }
        self.init(epsilon: epsilon)
    }
    public var config: [String: ConfigValue] { ["epsilon": .double(Double(epsilon))] }

    /// The input's shape: `[batch, …, features]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        _ = try input.features("[batch, ..., features]")
        return ShapeInference(output: input)
    }
}
