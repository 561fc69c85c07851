import LeptonNN
import LeptonTensor

/// An ``Embedding`` with `int8` rows (weight-only quantisation, as PyTorch's quantised
/// `nn.Embedding` with `float_qparams_weight_only_qconfig`): each row has its own symmetric scale,
/// and a lookup dequantises the rows it gathers. There is no arithmetic to speed up; the table,
/// usually most of a text model's file, is about 4× smaller. Made by ``DynamicQuantizer``.
///
/// ```swift
/// let table = QuantizedEmbedding(embedding)   // a float Embedding
/// let vectors = table(ids)                    // float32 [batch, time, dimensions]
/// ```
public final class QuantizedEmbedding: Module, MaskAware {
    public let vocabularySize: Int
    public let dimensions: Int
    /// Whether id 0 marks padding (the layer then makes a `[batch, time]` mask, as ``Embedding``).
    public let maskZero: Bool
    /// `int8 [vocabularySize, dimensions]`.
    public private(set) var weight: Tensor
    /// `float32 [vocabularySize]`: each row's scale.
    public private(set) var weightScale: Tensor

    /// A table of zero rows (to be loaded) or the given quantised ones.
    public init(vocabularySize: Int, dimensions: Int, maskZero: Bool = false, weights: WeightQuantization? = nil) {
        self.vocabularySize = vocabularySize
        self.dimensions = dimensions
        self.maskZero = maskZero
        weight = weights.map { Tensor(int8: $0.codes, shape: [vocabularySize, dimensions]) }
            ?? Tensor.zeros([vocabularySize, dimensions], dtype: .int8)
        weightScale = weights.map { Tensor($0.scales, shape: [vocabularySize]) } ?? Tensor.ones([vocabularySize])
        super.init()
    }

    /// The int8 form of `embedding` (its padding row, if any, is stored like the others).
    public convenience init(_ embedding: Embedding) {
        self.init(vocabularySize: embedding.vocabularySize, dimensions: embedding.dimensions, maskZero: embedding.maskZero,
                  weights: WeightQuantization(weights: embedding.weight.scalars, channels: embedding.vocabularySize,
                                              depth: embedding.dimensions))
    }

    public override func forward(_ input: Tensor) -> Tensor {
        quantizedRequire(input.dtype == .int32, "QuantizedEmbedding: expected int32 token ids, got \(input.dtype) \(input.shape)")
        let (ids, D) = (input.int32s, dimensions)
        let output = Tensor(uninitializedShape: input.shape + [D])
        let (out, codes, scales) = (output.floats, weight.int8s, weightScale.floats)
        for i in 0..<input.count {
            let id = Int(ids[i])
            quantizedRequire(id >= 0 && id < vocabularySize, "QuantizedEmbedding: id \(id) is outside 0..<\(vocabularySize)")
            let row = codes + id * D, scale = scales[id], target = out + i * D
            for d in 0..<D { target[d] = Float(row[d]) * scale }
        }
        return output
    }

    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { forward(input) }

    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? {
        guard maskZero else { return mask }
        return Tensor.withoutGrad { input.cast(to: .float32).notEqual(Tensor(Float(0))) }
    }
}

extension QuantizedEmbedding: ConfigurableLayer {
    public static let typeName = "QuantizedEmbedding"
    public static let configKeys = ["input_dim", "output_dim", "mask_zero"]

    public convenience init(config c: ConfigReader) throws {
        let vocabulary = try c.requiredSize("input_dim"), dimensions = try c.requiredSize("output_dim")
        try c.checkWeights([[vocabulary, dimensions], [vocabulary]], sizedBy: "input_dim")
        self.init(vocabularySize: vocabulary, dimensions: dimensions, maskZero: try c.bool("mask_zero", default: false))
    }

    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["input_dim": .int(vocabularySize), "output_dim": .int(dimensions)]
        if maskZero { c["mask_zero"] = .bool(true) }
        return c
    }

    /// int32 ids `[batch, …]` → `[batch, …, dimensions]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.int32)
        try input.requireIDs(below: vocabularySize, key: "input_dim")
        return ShapeInference(output: TensorSpec(shape: input.shape + [dimensions], dtype: .float32))
    }
}
