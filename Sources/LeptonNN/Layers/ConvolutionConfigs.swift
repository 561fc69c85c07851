import LeptonTensor

// Configurations of Conv1D and Conv2DTranspose (Keras's keys), for model files and YAML configs.
// Every setting is checked here, so a bad file gives a ConfigError instead of stopping in the
// layer's initializer.

extension ConfigReader {
    /// `count` positive integers (one integer is repeated), or `value` when the key is absent.
    /// Each is at most ``LayerLimits/maxTensorElements`` (no input is larger).
    func positiveInts(_ name: String, count: Int, default value: [Int]) throws -> [Int] {
        let v = try ints(name, count: count) ?? value
        let limit = LayerLimits.maxTensorElements
        let expected = count == 1 ? "a positive integer" : "\(count) positive integers"
        guard v.allSatisfy({ $0 > 0 }) else { throw ConfigError("\(key(name)): expected \(expected), got \(v)") }
        guard v.allSatisfy({ $0 <= limit }) else {
            throw ConfigError("\(key(name)): expected \(expected) ≤ \(limit) (LayerLimits.maxTensorElements), got \(v)")
        }
        return v
    }

    /// Checks that each dilated kernel span `dilation · (kernel − 1) + 1` fits the tensor limit
    /// (so that no later size computation overflows).
    func checkSpans(_ kernel: [Int], _ dilation: [Int]) throws {
        for (k, d) in zip(kernel, dilation) {
            guard let span = LayerLimits.product([d, k - 1]), span < LayerLimits.maxTensorElements else {
                throw ConfigError("\(key("dilation_rate")): dilation \(dilation) spreads kernel \(kernel) over more than "
                                  + "\(LayerLimits.maxTensorElements) positions (LayerLimits.maxTensorElements)")
            }
        }
    }

    /// `count` positive integers (one integer is repeated); the key is required.
    func requiredPositiveInts(_ name: String, count: Int) throws -> [Int] {
        guard raw(name) != nil else {
            throw ConfigError("\(key(name)): missing (expected \(count == 1 ? "a positive integer" : "\(count) positive integers"))")
        }
        return try positiveInts(name, count: count, default: [])
    }

    /// Filters and groups, checked together: groups must divide filters (and the input channels, when given).
    func filtersAndGroups(inputChannels: Int?) throws -> (filters: Int, groups: Int) {
        let filters = try requiredSize("filters")
        let groups = try size("groups", default: 1)
        guard filters % groups == 0 else { throw ConfigError("\(key("groups")): \(groups) does not divide filters \(filters)") }
        if let inputChannels, inputChannels % groups != 0 {
            throw ConfigError("\(key("groups")): \(groups) does not divide input_channels \(inputChannels)")
        }
        return (filters, groups)
    }

    /// An optional positive channel count.
    func inputChannels() throws -> Int? {
        try size("input_channels")
    }
}

extension Conv1D: ConfigurableLayer {
    public static let typeName = "Conv1D"
    public static let configKeys = ["filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "activation",
                                    "use_bias", "data_format", "input_channels"]
    public convenience init(config c: ConfigReader) throws {
        let channels = try c.inputChannels()
        let (filters, groups) = try c.filtersAndGroups(inputChannels: channels)
        let kernelSize = try c.requiredPositiveInts("kernel_size", count: 1)
        let dilation = try c.positiveInts("dilation_rate", count: 1, default: [1])
        try c.checkSpans(kernelSize, dilation)
        let useBias = try c.bool("use_bias", default: true)
        try c.checkWeights((channels.map { [[filters, $0 / groups] + kernelSize] } ?? []) + (useBias ? [[filters]] : []),
                           sizedBy: "filters")
        self.init(filters: filters, kernelSize: kernelSize[0],
                  strides: try c.positiveInts("strides", count: 1, default: [1])[0],
                  padding: try c.choice("padding", default: .valid), dilation: dilation[0], groups: groups,
                  activation: try c.choice("activation", default: .linear), useBias: useBias,
                  dataFormat: try c.choice("data_format", default: .channelsLast), inputChannels: channels)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = [
            "filters": .int(filters), "kernel_size": .int(kernelSize), "strides": .int(strides),
            "padding": .string(padding.rawValue), "dilation_rate": .int(dilation), "groups": .int(groups),
            "activation": .string(activation.rawValue), "use_bias": .bool(useBias), "data_format": .string(dataFormat.rawValue),
        ]
        if let kernel { c["input_channels"] = .int(kernel.shape[1] * groups) }
        return c
    }
}

extension Conv2DTranspose: ConfigurableLayer {
    public static let typeName = "Conv2DTranspose"
    public static let configKeys = ["filters", "kernel_size", "strides", "padding", "output_padding", "dilation_rate", "groups",
                                    "activation", "use_bias", "data_format", "input_channels"]
    public convenience init(config c: ConfigReader) throws {
        let channels = try c.inputChannels()
        let (filters, groups) = try c.filtersAndGroups(inputChannels: channels)
        let strides = try c.positiveInts("strides", count: 2, default: [1, 1])
        let dilation = try c.positiveInts("dilation_rate", count: 2, default: [1, 1])
        let kernelSize = try c.requiredPositiveInts("kernel_size", count: 2)
        try c.checkSpans(kernelSize, dilation)
        let useBias = try c.bool("use_bias", default: true)
        try c.checkWeights((channels.map { [[$0, filters / groups] + kernelSize] } ?? []) + (useBias ? [[filters]] : []),
                           sizedBy: "filters")
        let outputPadding = try c.ints("output_padding", count: 2)
        if let outputPadding {
            for axis in 0..<2 where outputPadding[axis] < 0 || outputPadding[axis] >= max(strides[axis], dilation[axis]) {
                throw ConfigError("\(c.path).output_padding: expected two integers ≥ 0, each below the stride or dilation "
                                  + "(\(strides) / \(dilation)), got \(outputPadding)")
            }
        }
        self.init(filters: filters, kernelSize: kernelSize, strides: strides,
                  padding: try c.choice("padding", default: .valid), outputPadding: outputPadding, dilation: dilation,
                  groups: groups, activation: try c.choice("activation", default: .linear),
                  useBias: useBias, dataFormat: try c.choice("data_format", default: .channelsLast),
                  inputChannels: channels)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = [
            "filters": .int(filters), "kernel_size": .ints(kernelSize), "strides": .ints(strides),
            "padding": .string(padding.rawValue), "dilation_rate": .ints(dilation), "groups": .int(groups),
            "activation": .string(activation.rawValue), "use_bias": .bool(useBias), "data_format": .string(dataFormat.rawValue),
        ]
        if let outputPadding { c["output_padding"] = .ints(outputPadding) }
        if let kernel { c["input_channels"] = .int(kernel.shape[0]) }
        return c
    }
}
