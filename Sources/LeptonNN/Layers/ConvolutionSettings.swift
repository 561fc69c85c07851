import LeptonTensor

/// The settings `Conv1D`, `Conv2D` and `Conv2DTranspose` share, for any number of spatial axes
/// (Keras's `filters`, `kernel_size`, `strides`, `padding`, `dilation_rate`, `groups`,
/// `activation`, `use_bias`, `data_format`). Checked once, here, whether they come from Swift
/// code, a model file or a YAML config.
///
/// ```swift
/// let settings = try ConvolutionSettings(filters: 32, kernelSize: [3, 3], padding: .same)
/// let conv = Conv2D(settings: settings)
/// ```
public struct ConvolutionSettings: Sendable, Equatable {
    /// Output channels.
    public let filters: Int
    /// The kernel's extent along each spatial axis (`[KH, KW]`, or `[K]` for sequences).
    public let kernelSize: [Int]
    /// Step between output positions, per spatial axis (for a transposed convolution: the upsampling factor).
    public let strides: [Int]
    /// `.valid` (no padding) or `.same` (TensorFlow's rule).
    public let padding: PaddingMode
    /// Spacing of the kernel taps, per spatial axis.
    public let dilation: [Int]
    /// Channels split into this many independent groups; divides ``filters`` and the input channels.
    public let groups: Int
    /// Applied after the convolution.
    public let activation: ActivationFunction
    /// Whether a bias is added.
    public let useBias: Bool
    /// Where the channels sit.
    public let dataFormat: DataFormat

    /// How many spatial axes the convolution slides over.
    public var spatialRank: Int { kernelSize.count }

    /// Checked settings; `strides` and `dilation` default to 1 along every axis of `kernelSize`.
    /// - Throws: ``ConfigError`` naming the setting, the value and what was expected.
    public init(filters: Int, kernelSize: [Int], strides: [Int]? = nil, padding: PaddingMode = .valid, dilation: [Int]? = nil,
                groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                dataFormat: DataFormat = .channelsLast) throws {
        let rank = kernelSize.count
        let strides = strides ?? Array(repeating: 1, count: rank), dilation = dilation ?? Array(repeating: 1, count: rank)
        guard rank >= 1 else { throw ConfigError("kernel_size: expected at least one spatial axis, got []") }
        let limit = LayerLimits.maxTensorElements
        for (name, values) in [("kernel_size", kernelSize), ("strides", strides), ("dilation_rate", dilation)] {
            guard values.count == rank else {
                throw ConfigError("\(name): expected \(rank) value\(rank == 1 ? "" : "s") (one per spatial axis), got \(values)")
            }
            guard values.allSatisfy({ $0 > 0 && $0 <= limit }) else {
                throw ConfigError("\(name): expected positive integers ≤ \(limit), got \(values)")
            }
        }
        for (k, d) in zip(kernelSize, dilation) {
            guard let span = LayerLimits.product([d, k - 1]), span < limit else {
                throw ConfigError("dilation_rate: dilation \(dilation) spreads kernel \(kernelSize) over more than \(limit) "
                                  + "positions (LayerLimits.maxTensorElements)")
            }
        }
        guard filters > 0, filters <= limit else { throw ConfigError("filters: expected a positive integer ≤ \(limit), got \(filters)") }
        guard groups > 0, filters % groups == 0 else {
            throw ConfigError("groups: \(groups) does not divide filters \(filters) (expected a positive divisor)")
        }
        (self.filters, self.kernelSize, self.strides, self.padding, self.dilation) = (filters, kernelSize, strides, padding, dilation)
        (self.groups, self.activation, self.useBias, self.dataFormat) = (groups, activation, useBias, dataFormat)
    }

    /// Reads Keras's keys for `spatialRank` axes (a single integer is repeated along each axis).
    /// - Throws: ``ConfigError`` at the config's path.
    public init(config c: ConfigReader, spatialRank: Int) throws {
        let one = Array(repeating: 1, count: spatialRank)
        do {
            try self.init(filters: try c.requiredSize("filters"), kernelSize: try c.requiredPositiveInts("kernel_size", count: spatialRank),
                          strides: try c.positiveInts("strides", count: spatialRank, default: one),
                          padding: try c.choice("padding", default: .valid),
                          dilation: try c.positiveInts("dilation_rate", count: spatialRank, default: one),
                          groups: try c.size("groups", default: 1), activation: try c.choice("activation", default: .linear),
                          useBias: try c.bool("use_bias", default: true), dataFormat: try c.choice("data_format", default: .channelsLast))
        } catch let error as ConfigError where !error.description.hasPrefix(c.path) {
            throw ConfigError(c.path.isEmpty ? error.description : "\(c.path).\(error.description)")
        }
    }

    /// A check made by the layers' Swift initialisers: a caller's mistake stops the program with
    /// the message (configs from files go through the throwing initialisers instead).
    static func checked<T>(_ make: () throws -> T, layer: String) -> T {
        do { return try make() } catch { fatalError("\(layer): \(error)") }
    }

    /// Keras's keys; sequences (one spatial axis) write single integers, as `Conv1D` configs do.
    public var config: [String: ConfigValue] {
        func list(_ values: [Int]) -> ConfigValue { spatialRank == 1 ? .int(values[0]) : .ints(values) }
        return [
            "filters": .int(filters), "kernel_size": list(kernelSize), "strides": list(strides),
            "padding": .string(padding.rawValue), "dilation_rate": list(dilation), "groups": .int(groups),
            "activation": .string(activation.rawValue), "use_bias": .bool(useBias), "data_format": .string(dataFormat.rawValue),
        ]
    }

    /// ``config`` with `input_channels` when the weights are built.
    public func config(inputChannels: Int?) -> [String: ConfigValue] {
        var c = config
        if let inputChannels { c["input_channels"] = .int(inputChannels) }
        return c
    }

    /// The dilated kernel span `dilation · (kernel − 1) + 1` along `axis`.
    public func span(_ axis: Int) -> Int { dilation[axis] * (kernelSize[axis] - 1) + 1 }

    /// Where the channels sit in a batch of rank `2 + spatialRank`.
    public var channelAxis: Int { dataFormat == .channelsLast ? spatialRank + 1 : 1 }

    /// The axes of a batch that the kernel slides over.
    public var spatialAxes: [Int] { dataFormat == .channelsLast ? Array(1...spatialRank) : Array(2..<(2 + spatialRank)) }

    /// The layout a batch must have, for messages (`[batch, height, width, channels]`).
    public var layout: String {
        let names = spatialRank == 1 ? ["steps"] : spatialRank == 2 ? ["height", "width"] : (0..<spatialRank).map { "d\($0)" }
        let parts = dataFormat == .channelsLast ? ["batch"] + names + ["channels"] : ["batch", "channels"] + names
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// Checks `channels` input channels against ``groups``.
    /// - Throws: ``ConfigError`` when the groups do not divide them.
    public func check(inputChannels channels: Int) throws {
        guard channels > 0, channels % groups == 0 else {
            throw ConfigError("input_channels: \(channels) do not divide into \(groups) groups")
        }
    }
}

/// A layer configured by a ``ConvolutionSettings``: Conv1D, Conv2D, Conv2DTranspose.
public protocol ConvolutionLayer: Module {
    /// Filters, kernel, strides, padding, dilation, groups, activation, bias and layout.
    var settings: ConvolutionSettings { get }
}

extension ConvolutionLayer {
    /// Output channels.
    public var filters: Int { settings.filters }
    /// `.valid` (no padding) or `.same` (TensorFlow's rule).
    public var padding: PaddingMode { settings.padding }
    /// Channels split into this many independent groups.
    public var groups: Int { settings.groups }
    /// Applied after the convolution.
    public var activation: ActivationFunction { settings.activation }
    /// Whether a bias is added.
    public var useBias: Bool { settings.useBias }
    /// Where the channels sit.
    public var dataFormat: DataFormat { settings.dataFormat }
}
