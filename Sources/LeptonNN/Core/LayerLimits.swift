import Foundation

/// Upper bounds on what a layer configuration may ask for, so that a hostile or mistyped model
/// file (`units: 1e9`, a 100 000 × 100 000 kernel) is refused with a ``ConfigError`` before
/// anything is allocated, instead of exhausting memory or running for hours.
///
/// The limits are process-wide settings (guarded by a lock); raise them before loading a model
/// that is larger on purpose:
///
/// ```swift
/// LayerLimits.maxTensorElements = 1 << 30
/// ```
public enum LayerLimits {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var tensorElements = 1 << 28
    nonisolated(unsafe) private static var parameters = 1 << 29
    nonisolated(unsafe) private static var operations = 1 << 34
    nonisolated(unsafe) private static var layerCount = 10_000

    /// The most elements any single weight or activation may have (default 2^28, 1 GiB of float32).
    public static var maxTensorElements: Int {
        get { lock.withLock { tensorElements } }
        set { lock.withLock { tensorElements = newValue } }
    }

    /// The most parameters (weights and buffers) a whole model may have (default 2^29).
    public static var maxParameters: Int {
        get { lock.withLock { parameters } }
        set { lock.withLock { parameters = newValue } }
    }

    /// The most multiply-adds one layer may cost on one sample, or to initialise its weights
    /// (default 2^34; VGG-16's largest convolution costs about 2^31).
    public static var maxOperations: Int {
        get { lock.withLock { operations } }
        set { lock.withLock { operations = newValue } }
    }

    /// The most layers a model (or a stack such as `TransformerEncoder`) may have (default 10 000).
    public static var maxLayers: Int {
        get { lock.withLock { layerCount } }
        set { lock.withLock { layerCount = newValue } }
    }

    /// The highest tensor rank a configuration may state (input shapes, reshape targets).
    public static let maxRank = 16

    /// The product of `values`, or nil when it overflows `Int`.
    public static func product(_ values: [Int]) -> Int? {
        var result = 1
        for v in values {
            let (p, overflow) = result.multipliedReportingOverflow(by: v)
            if overflow { return nil }
            result = p
        }
        return result
    }

    /// The sum of `values`, or nil when it overflows `Int`.
    public static func sum(_ values: [Int]) -> Int? {
        var result = 0
        for v in values {
            let (s, overflow) = result.addingReportingOverflow(v)
            if overflow { return nil }
            result = s
        }
        return result
    }

    /// The element count of a tensor of `shape`, after checking it against ``maxTensorElements``.
    /// - Throws: ``ConfigError`` starting with `what` (`"layers[2].units: the kernel"`).
    @discardableResult
    public static func checkTensor(_ shape: [Int], _ what: String) throws -> Int {
        let limit = maxTensorElements
        guard let n = product(shape), n <= limit else {
            throw ConfigError("\(what) \(shape) would have \(product(shape).map(String.init) ?? "more than \(Int.max)") "
                              + "elements; expected at most \(limit) (LayerLimits.maxTensorElements)")
        }
        return n
    }

    /// Checks the multiply-adds `factors` multiply to against ``maxOperations``.
    /// - Throws: ``ConfigError`` starting with `what`.
    public static func checkOperations(_ factors: [Int], _ what: String) throws {
        let limit = maxOperations
        guard let n = product(factors), n <= limit else {
            throw ConfigError("\(what) would cost \(product(factors).map(String.init) ?? "more than \(Int.max)") "
                              + "multiply-adds; expected at most \(limit) (LayerLimits.maxOperations)")
        }
    }
}
