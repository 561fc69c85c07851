import LeptonTensor

/// Cosine similarities of each input to `units` learned class centres: `x̂ · Ŵ`, with `x` and every
/// column of the `[inputDimensions, units]` kernel scaled to unit length, so outputs lie in −1…1.
/// The head that ArcFace and CosFace losses train over (``LossFunction`` `arcface`, `cosface`);
/// the embedding is what enters it.
public final class CosineDense: Module {
    /// Class centres.
    public let units: Int
    /// `[inputDimensions, units]`, created on the first call when the input size was not given.
    public private(set) var kernel: Tensor?

    public init(units: Int, inputDimensions: Int? = nil) {
        layerRequire(units > 0, "CosineDense: units must be positive, got \(units)")
        self.units = units
        super.init()
        if let inputDimensions { build(inputDimensions: inputDimensions) }
    }

    /// Creates the class centres for inputs of `inputDimensions` features.
    public func build(inputDimensions: Int) {
        kernel = Initializer.glorotUniform.make([inputDimensions, units]).requiringGrad()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let features = input.shape.last ?? 0
        if kernel == nil { build(inputDimensions: features) }
        layerRequire(kernel!.shape[0] == features,
                     "CosineDense: input has \(features) features (shape \(input.shape)), expected \(kernel!.shape[0])")
        let centres = kernel! / (kernel!.square().sum(axis: 0, keepDims: true) + 1e-12).sqrt()
        return input.unitNormalized().matmul(centres)
    }
}

extension CosineDense: ConfigurableLayer {
    public static let typeName = "CosineDense"
    public static let configKeys = ["units", "input_dim"]
    public convenience init(config c: ConfigReader) throws {
        let units = try c.requiredSize("units"), inputs = try c.size("input_dim")
        try c.checkWeights(inputs.map { [[$0, units]] } ?? [], sizedBy: "units")
        self.init(units: units, inputDimensions: inputs)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["units": .int(units)]
        if let kernel { c["input_dim"] = .int(kernel.shape[0]) }
        return c
    }

    /// `[batch, features]` → `[batch, units]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(rank: 2, layout: "[batch, features]")
        let features = try input.features("[batch, features]")
        var built = 0
        if let kernel {
            guard kernel.shape[0] == features else { throw ConfigError("the input has \(features) features; expected \(kernel.shape[0]) (input_dim)") }
        } else {
            built = try LayerLimits.checkTensor([features, units], "the kernel of shape")
        }
        try LayerLimits.checkOperations([input.shape[0], features, units], "the matrix product")
        return ShapeInference(output: input.with(shape: [input.shape[0], units]), parametersBuilt: built)
    }
}
