import LeptonNN

/// A trial handed out by ``Study/ask()``: its number and parameters. Report intermediate
/// values with ``Study/report(_:step:value:)`` and end it with ``Study/tell(_:_:)``.
public struct Trial: Sendable, Equatable {
    public let number: Int
    public let params: [String: ConfigValue]

    /// The float parameter `name` (an integer parameter is returned as a float).
    public func float(_ name: String) -> Double? { params[name]?.number }

    /// The integer parameter `name`.
    public func int(_ name: String) -> Int? {
        if case let .int(value)? = params[name] { return value }
        return nil
    }

    /// The choice `name` when it is a string.
    public func string(_ name: String) -> String? {
        if case let .string(value)? = params[name] { return value }
        return nil
    }
}

/// Thrown by an objective (``Study/optimize(trials:_:)``) to say the trial was pruned.
public struct TrialPruned: Error, Sendable {
    public init() {}
}
