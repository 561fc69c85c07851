import LeptonNN
import LeptonTensor

// Model-file configurations of the dynamic recurrent layers (the float layers' keys, plus the cell).

extension DynamicQuantizedRecurrent: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedRecurrent"
    public static let configKeys = ["cell", "units", "input_dim", "return_sequences", "go_backwards", "use_bias"]

    public convenience init(config c: ConfigReader) throws {
        guard let name = try c.string("cell") else {
            throw ConfigError("\(c.path).cell: missing (expected one of \(RecurrentCell.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let cell = RecurrentCell(rawValue: name) else {
            throw ConfigError("\(c.path).cell: \"\(name)\" is not a cell; expected one of "
                              + RecurrentCell.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let units = try c.requiredSize("units"), inputs = try c.requiredSize("input_dim")
        let useBias = try c.bool("use_bias", default: true)
        let width = try LayerLimits.checkTensor([cell.gates, units], "\(c.path).units: the gate width of shape")
        let biases = useBias ? (cell == .gru ? 2 : 1) : 0
        try c.checkWeights([[width, inputs], [width], [width], [width, units], [width], [width]]
                           + Array(repeating: [width], count: biases), sizedBy: "units")
        self.init(cell: cell, units: units, inputDimensions: inputs, returnSequences: try c.bool("return_sequences", default: false),
                  goBackwards: try c.bool("go_backwards", default: false), useBias: useBias)
    }

    public var config: [String: ConfigValue] {
        ["cell": .string(cell.rawValue), "units": .int(units), "input_dim": .int(inputDimensions),
         "return_sequences": .bool(returnSequences), "go_backwards": .bool(goBackwards), "use_bias": .bool(useBias)]
    }

    /// `[batch, time, input_dim]` → `[batch, units]`, or `[batch, time, units]` with `return_sequences`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        try input.require(rank: 3, layout: "[batch, time, features]")
        guard input.shape[2] == inputDimensions else {
            throw ConfigError("the input has \(input.shape[2]) features; expected \(inputDimensions) (input_dim)")
        }
        guard input.shape[1] >= 1 else { throw ConfigError("the input has no time steps; expected at least one") }
        let width = cell.gates * units
        try LayerLimits.checkTensor([input.shape[0], input.shape[1], width], "the input projection of shape")
        try LayerLimits.checkOperations([input.shape[0], input.shape[1], inputDimensions + units, width], "the recurrent products")
        let out = returnSequences ? [input.shape[0], input.shape[1], units] : [input.shape[0], units]
        return ShapeInference(output: input.with(shape: out))
    }
}

extension DynamicQuantizedBidirectional: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedBidirectional"
    public static let configKeys = ["layer", "merge_mode"]

    public convenience init(config c: ConfigReader) throws {
        guard let inner = c.raw("layer") else {
            throw ConfigError("\(c.path).layer: missing (expected a DynamicQuantizedRecurrent layer)")
        }
        guard let layer = try LayerRegistry.make(inner, path: "\(c.path).layer", parameterBudget: c.parameterBudget / 2)
                as? DynamicQuantizedRecurrent else {
            throw ConfigError("\(c.path).layer: expected a DynamicQuantizedRecurrent layer")
        }
        guard !layer.goBackwards else { throw ConfigError("\(c.path).layer.go_backwards: must be false inside a bidirectional layer") }
        self.init(forward: layer, mergeMode: try c.choice("merge_mode", default: .concat))
    }

    public var config: [String: ConfigValue] {
        ["layer": LayerRegistry.config(of: forwardLayer) ?? .null, "merge_mode": .string(mergeMode.rawValue)]
    }

    /// Both directions' shapes merged (`2·units` features for `concat`).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let one = try forwardLayer.inferShape(input)
        guard mergeMode == .concat else { return one }
        var shape = one.output.shape
        shape[shape.count - 1] *= 2
        return ShapeInference(output: one.output.with(shape: shape))
    }
}
