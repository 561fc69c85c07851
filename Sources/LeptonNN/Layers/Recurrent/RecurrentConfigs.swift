import LeptonTensor

// Configurations of the recurrent layers (Keras's keys), for model files and YAML configs.

extension RecurrentLayer {
    static let recurrentKeys = ["units", "return_sequences", "go_backwards", "use_bias", "input_dim"]

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
        self.init(units: try c.requiredInt("units", minimum: 1), activation: activation,
                  returnSequences: try c.bool("return_sequences", default: false), inputDimensions: try c.int("input_dim"),
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
        self.init(units: try c.requiredInt("units", minimum: 1), returnSequences: try c.bool("return_sequences", default: false),
                  inputDimensions: try c.int("input_dim"), goBackwards: try c.bool("go_backwards", default: false),
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
        self.init(units: try c.requiredInt("units", minimum: 1), returnSequences: try c.bool("return_sequences", default: false),
                  inputDimensions: try c.int("input_dim"), goBackwards: try c.bool("go_backwards", default: false),
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
        guard let layer = try LayerRegistry.make(inner, path: "\(c.path).layer") as? RecurrentLayer else {
            throw ConfigError("\(c.path).layer: expected a recurrent layer (SimpleRNN, LSTM or GRU)")
        }
        guard !layer.goBackwards else { throw ConfigError("\(c.path).layer.go_backwards: must be false inside Bidirectional") }
        self.init(layer, mergeMode: try c.choice("merge_mode", default: .concat))
    }
    public var config: [String: ConfigValue] {
        ["layer": LayerRegistry.config(of: forwardLayer) ?? .null, "merge_mode": .string(mergeMode.rawValue)]
    }
}
