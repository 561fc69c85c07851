import LeptonTensor

// Configurations of Conv1D, Conv2D and Conv2DTranspose (Keras's keys), for model files and YAML
// configs: the shared settings are read and checked by ConvolutionSettings, so a bad file gives a
// ConfigError instead of stopping in the layer's initializer.

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

    /// `count` positive integers (one integer is repeated); the key is required.
    func requiredPositiveInts(_ name: String, count: Int) throws -> [Int] {
        guard raw(name) != nil else {
            throw ConfigError("\(key(name)): missing (expected \(count == 1 ? "a positive integer" : "\(count) positive integers"))")
        }
        return try positiveInts(name, count: count, default: [])
    }

    /// The optional `input_channels` of a convolution with `settings`, checked against its groups.
    func inputChannels(for settings: ConvolutionSettings) throws -> Int? {
        guard let channels = try size("input_channels") else { return nil }
        guard channels % settings.groups == 0 else {
            throw ConfigError("\(key("groups")): \(settings.groups) does not divide input_channels \(channels)")
        }
        return channels
    }

    /// Checks the weights a convolution with `settings` builds for `channels` input channels
    /// (`transposed`: PyTorch's `[C, filters / groups, …]` layout) against the parameter budget.
    func checkConvolutionWeights(_ settings: ConvolutionSettings, inputChannels channels: Int?, transposed: Bool = false) throws {
        let (f, g) = (settings.filters, settings.groups)
        let kernel = channels.map { [(transposed ? [$0, f / g] : [f, $0 / g]) + settings.kernelSize] } ?? []
        try checkWeights(kernel + (settings.useBias ? [[f]] : []), sizedBy: "filters")
    }
}

extension ConvolutionSettings {
    /// The keys every convolution layer's config has.
    static let configKeys = ["filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "activation",
                             "use_bias", "data_format", "input_channels"]
}

extension Conv2D: ConfigurableLayer {
    public static let typeName = "Conv2D"
    public static let configKeys = ConvolutionSettings.configKeys
    public convenience init(config c: ConfigReader) throws {
        let settings = try ConvolutionSettings(config: c, spatialRank: 2)
        let channels = try c.inputChannels(for: settings)
        try c.checkConvolutionWeights(settings, inputChannels: channels)
        self.init(settings: settings, inputChannels: channels)
    }
    public var config: [String: ConfigValue] {
        var c = settings.config
        if let kernel { c["input_channels"] = .int(kernel.shape[1] * groups) }
        return c
    }
}

extension Conv1D: ConfigurableLayer {
    public static let typeName = "Conv1D"
    public static let configKeys = ConvolutionSettings.configKeys
    public convenience init(config c: ConfigReader) throws {
        let settings = try ConvolutionSettings(config: c, spatialRank: 1)
        let channels = try c.inputChannels(for: settings)
        try c.checkConvolutionWeights(settings, inputChannels: channels)
        self.init(settings: settings, inputChannels: channels)
    }
    public var config: [String: ConfigValue] {
        var c = settings.config
        if let kernel { c["input_channels"] = .int(kernel.shape[1] * groups) }
        return c
    }
}

extension Conv2DTranspose: ConfigurableLayer {
    public static let typeName = "Conv2DTranspose"
    public static let configKeys = ConvolutionSettings.configKeys + ["output_padding"]
    public convenience init(config c: ConfigReader) throws {
        let settings = try ConvolutionSettings(config: c, spatialRank: 2)
        let channels = try c.inputChannels(for: settings)
        try c.checkConvolutionWeights(settings, inputChannels: channels, transposed: true)
        let outputPadding = try c.ints("output_padding", count: 2)
        if let outputPadding {
            do { try Self.check(outputPadding: outputPadding, settings: settings) } catch let error as ConfigError {
                throw ConfigError("\(c.path).\(error.description)")
            }
        }
        self.init(settings: settings, outputPadding: outputPadding, inputChannels: channels)
    }
    public var config: [String: ConfigValue] {
        var c = settings.config
        if let outputPadding { c["output_padding"] = .ints(outputPadding) }
        if let kernel { c["input_channels"] = .int(kernel.shape[0]) }
        return c
    }
}
