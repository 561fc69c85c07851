import LeptonTensor

// Configurations of the built-in layers: Keras's snake_case keys, sizes found on the first
// call included so that a saved model rebuilds with the same weight shapes.

extension Dense: ConfigurableLayer {
    public static let typeName = "Dense"
    public static let configKeys = ["units", "activation", "use_bias", "input_dim"]
    public convenience init(config c: ConfigReader) throws {
        let units = try c.requiredSize("units"), inputs = try c.size("input_dim")
        let useBias = try c.bool("use_bias", default: true)
        try c.checkWeights((inputs.map { [[$0, units]] } ?? []) + (useBias ? [[units]] : []), sizedBy: "units")
        self.init(units: units, activation: try c.choice("activation", default: .linear), useBias: useBias,
                  inputDimensions: inputs)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["units": .int(units), "activation": .string(activation.rawValue), "use_bias": .bool(useBias)]
        if let kernel { c["input_dim"] = .int(kernel.shape[0]) }
        return c
    }
}

extension Activation: ConfigurableLayer {
    public static let typeName = "Activation"
    public static let configKeys = ["activation"]
    public convenience init(config c: ConfigReader) throws {
        self.init(try c.choice("activation", default: .linear))
    }
    public var config: [String: ConfigValue] { ["activation": .string(function.rawValue)] }
}

extension Flatten: ConfigurableLayer {
    public static let typeName = "Flatten"
    public static let configKeys: [String] = []
    public convenience init(config c: ConfigReader) throws { self.init() }
    public var config: [String: ConfigValue] { [:] }
}

extension Reshape: ConfigurableLayer {
    public static let typeName = "Reshape"
    public static let configKeys = ["target_shape"]
    public convenience init(config c: ConfigReader) throws {
        guard let shape = try c.ints("target_shape") else { throw ConfigError("\(c.path).target_shape: missing (expected a list of integers)") }
        try Reshape.validate(targetShape: shape, key: "\(c.path).target_shape")
        self.init(shape)
    }
    public var config: [String: ConfigValue] { ["target_shape": .ints(targetShape)] }
}

extension Dropout: ConfigurableLayer {
    public static let typeName = "Dropout"
    public static let configKeys = ["rate", "seed"]
    public convenience init(config c: ConfigReader) throws {
        let rate = try c.float("rate", default: 0.5)
        guard rate >= 0 && rate < 1 else { throw ConfigError("\(c.path).rate: expected a number in [0, 1), got \(rate)") }
        self.init(rate: rate, seed: try c.int("seed").map { UInt64(max($0, 0)) })
    }
    public var config: [String: ConfigValue] { ["rate": .float(rate)] }
}

extension Pooling2D {
    static let poolingKeys = ["pool_size", "strides", "padding", "data_format"]
    static func settings(_ c: ConfigReader) throws -> ([Int], [Int]?, PaddingMode, DataFormat) {
        let strides: [Int]? = try c.raw("strides") == nil ? nil : c.positiveInts("strides", count: 2, default: [])
        return (try c.positiveInts("pool_size", count: 2, default: [2, 2]), strides,
                try c.choice("padding", default: .valid), try c.choice("data_format", default: .channelsLast))
    }
    public var config: [String: ConfigValue] {
        ["pool_size": .ints(poolSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "data_format": .string(dataFormat.rawValue)]
    }
}

extension MaxPooling2D: ConfigurableLayer {
    public static let typeName = "MaxPooling2D"
    public static var configKeys: [String] { poolingKeys }
    public convenience init(config c: ConfigReader) throws {
        let (size, strides, padding, format) = try Self.settings(c)
        self.init(poolSize: size, strides: strides, padding: padding, dataFormat: format)
    }
}

extension AveragePooling2D: ConfigurableLayer {
    public static let typeName = "AveragePooling2D"
    public static var configKeys: [String] { poolingKeys }
    public convenience init(config c: ConfigReader) throws {
        let (size, strides, padding, format) = try Self.settings(c)
        self.init(poolSize: size, strides: strides, padding: padding, dataFormat: format)
    }
}

extension GlobalAveragePooling2D: ConfigurableLayer {
    public static let typeName = "GlobalAveragePooling2D"
    public static let configKeys = ["data_format"]
    public convenience init(config c: ConfigReader) throws {
        self.init(dataFormat: try c.choice("data_format", default: .channelsLast))
    }
    public var config: [String: ConfigValue] { ["data_format": .string(dataFormat.rawValue)] }
}

extension BatchNormalization: ConfigurableLayer {
    public static let typeName = "BatchNormalization"
    public static let configKeys = ["axis", "momentum", "epsilon", "features"]
    public convenience init(config c: ConfigReader) throws {
        let momentum = try c.float("momentum", default: 0.99)
        guard momentum >= 0 && momentum <= 1 else {
            throw ConfigError("\(c.path).momentum: expected a number in [0, 1], got \(momentum)")
        }
        let features = try c.size("features")
        try c.checkWeights(features.map { Array(repeating: [$0], count: 4) } ?? [], sizedBy: "features")
        self.init(axis: try c.int("axis", default: -1), momentum: momentum,
                  epsilon: try c.positiveFloat("epsilon", default: 1e-3), features: features)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["axis": .int(axis), "momentum": .float(momentum), "epsilon": .float(epsilon)]
        if let gamma { c["features"] = .int(gamma.shape[0]) }
        return c
    }
}

extension LayerNormalization: ConfigurableLayer {
    public static let typeName = "LayerNormalization"
    public static let configKeys = ["epsilon", "features"]
    public convenience init(config c: ConfigReader) throws {
        let features = try c.size("features")
        try c.checkWeights(features.map { [[$0], [$0]] } ?? [], sizedBy: "features")
        self.init(epsilon: try c.positiveFloat("epsilon", default: 1e-5), features: features)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["epsilon": .float(epsilon)]
        if let gamma { c["features"] = .int(gamma.shape[0]) }
        return c
    }
}

extension Embedding: ConfigurableLayer {
    public static let typeName = "Embedding"
    public static let configKeys = ["input_dim", "output_dim", "padding_index", "mask_zero"]
    public convenience init(config c: ConfigReader) throws {
        let vocabulary = try c.requiredSize("input_dim"), dimensions = try c.requiredSize("output_dim")
        let maskZero = try c.bool("mask_zero", default: false)
        let padding = try c.int("padding_index")
        if let padding, padding < 0 || padding >= vocabulary {
            throw ConfigError("\(c.path).padding_index: expected an index in 0..<\(vocabulary), got \(padding)")
        }
        try c.checkWeights([[vocabulary, dimensions]], sizedBy: "input_dim")
        self.init(vocabularySize: vocabulary, dimensions: dimensions, paddingIndex: padding, maskZero: maskZero)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["input_dim": .int(vocabularySize), "output_dim": .int(dimensions)]
        if let paddingIndex { c["padding_index"] = .int(paddingIndex) }
        if maskZero { c["mask_zero"] = .bool(true) }
        return c
    }
}
