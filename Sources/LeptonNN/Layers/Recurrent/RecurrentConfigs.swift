import LeptonTensor

// Configurations of the recurrent layers (Keras's keys), for model files and YAML configs.

extension RecurrentLayer {
    static let recurrentKeys = ["units", "return_sequences", "go_backwards", "use_bias", "input_dim"]

    /// `units` and `input_dim` of a recurrent layer with `gates` gate blocks, checked against
    /// ``LayerLimits`` (the weights built now, and the orthogonal initialisation of the
    /// recurrent kernel, which costs `units² · gates · units`).
    static func sizes(_ c: ConfigReader, gates: Int) throws -> (units: Int, inputDimensions: Int?) {
        let units = try c.requiredSize("units"), inputs = try c.size("input_dim")
        let width = try LayerLimits.checkTensor([gates, units], "\(c.path).units: the gate width of shape")
        try LayerLimits.checkTensor([units, width], "\(c.path).units: the recurrent kernel of shape")
        try LayerLimits.checkOperations([units, width, units], "\(c.path).units: initialising the \(units) × \(width) recurrent kernel")
        if let inputs {
            let biases = gates == 3 ? 2 : 1
            try c.checkWeights([[inputs, width], [units, width]] + Array(repeating: [width], count: biases), sizedBy: "input_dim")
        }
        return (units, inputs)
    }

    var recurrentConfig: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["units": .int(units), "return_sequences": .bool(returnSequences),
                                        "go_backwards": .bool(goBackwards), "use_bias": .bool(useBias)]
        if let inputDimensions { c["input_dim"] = .int(inputDimensions) }
        return c
    }
}

extension SimpleRNN: ConfigurableLayer {
    public static let typeName = "SimpleRNN"
    public static var configKeys: [String] { recurrentKeys + ["activation"] }
    public convenience init(config c: ConfigReader) throws {
        let activation: ActivationFunction = try c.choice("activation", default: .tanh)
        guard activation == .tanh || activation == .relu else {
            throw ConfigError("\(c.path).activation: expected tanh or relu, got \(activation.rawValue)")
        }
        let (units, inputs) = try Self.sizes(c, gates: 1)
        self.init(units: units, activation: activation,
                  returnSequences: try c.bool("return_sequences", default: false), inputDimensions: inputs,
                  goBackwards: try c.bool("go_backwards", default: false), useBias: try c.bool("use_bias", default: true))
    }
    public var config: [String: ConfigValue] {
        var c = recurrentConfig
        c["activation"] = .string(activation.rawValue)
        return c
    }
}

extension LSTM: ConfigurableLayer {
    public static let typeName = "LSTM"
    public static var configKeys: [String] { recurrentKeys + ["unit_forget_bias"] }
    public convenience init(config c: ConfigReader) throws {
        let (units, inputs) = try Self.sizes(c, gates: 4)
        self.init(units: units, returnSequences: try c.bool("return_sequences", default: false),
                  inputDimensions: inputs, goBackwards: try c.bool("go_backwards", default: false),
                  useBias: try c.bool("use_bias", default: true), unitForgetBias: try c.bool("unit_forget_bias", default: true))
    }
    public var config: [String: ConfigValue] {
        var c = recurrentConfig
        c["unit_forget_bias"] = .bool(unitForgetBias)
        return c
    }
}

extension GRU: ConfigurableLayer {
    public static let typeName = "GRU"
    public static var configKeys: [String] { recurrentKeys }
    public convenience init(config c: ConfigReader) throws {
        let (units, inputs) = try Self.sizes(c, gates: 3)
        self.init(units: units, returnSequences: try c.bool("return_sequences", default: false),
                  inputDimensions: inputs, goBackwards: try c.bool("go_backwards", default: false),
                  useBias: try c.bool("use_bias", default: true))
    }
    public var config: [String: ConfigValue] { recurrentConfig }
}

extension Bidirectional: ConfigurableLayer {
    public static let typeName = "Bidirectional"
    public static let configKeys = ["layer", "merge_mode"]
    public convenience init(config c: ConfigReader) throws {
        guard let inner = c.raw("layer") else {
            throw ConfigError("\(c.path).layer: missing (expected a recurrent layer, e.g. {type: LSTM, units: 64})")
        }
        // Half the budget: the backward layer is a copy of the forward one.
        guard let layer = try LayerRegistry.make(inner, path: "\(c.path).layer", parameterBudget: c.parameterBudget / 2)
                as? RecurrentLayer else {
            throw ConfigError("\(c.path).layer: expected a recurrent layer (SimpleRNN, LSTM or GRU)")
        }
        guard !layer.goBackwards else { throw ConfigError("\(c.path).layer.go_backwards: must be false inside Bidirectional") }
        self.init(layer, mergeMode: try c.choice("merge_mode", default: .concat))
    }
    public var config: [String: ConfigValue] {
        ["layer": LayerRegistry.config(of: forwardLayer) ?? .null, "merge_mode": .string(mergeMode.rawValue)]
    }
}
