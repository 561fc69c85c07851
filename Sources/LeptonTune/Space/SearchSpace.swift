import LeptonNN

/// The hyperparameters a study searches, in order (a conditional parameter comes after the
/// parameter it depends on). Built in Swift with a ``SearchSpaceBuilder``, or read from a YAML
/// `search:` section (``TuningConfig``).
///
/// ```swift
/// let space = try SearchSpace { hp in
///     hp.float("lr", 1e-4, 1e-1, log: true)
///     hp.int("units", 32, 512, step: 32)
///     hp.choice("optimizer", ["adam", "sgd"])
///     hp.float("momentum", 0, 0.99, when: "optimizer", is: ["sgd"])
/// }
/// ```
public struct SearchSpace: Sendable, Equatable, Codable {
    public let parameters: [Parameter]

    /// A space of `parameters`, checked.
    /// - Throws: ``TuneError`` for an empty space, a repeated name, an inconsistent range or
    ///   choice list, or a condition on a parameter that is not an earlier categorical one.
    public init(_ parameters: [Parameter]) throws {
        guard !parameters.isEmpty else { throw TuneError("the search space is empty; expected at least one parameter") }
        for (i, parameter) in parameters.enumerated() {
            guard !parameter.name.isEmpty else { throw TuneError("parameter \(i): expected a name, got an empty string") }
            if parameters[..<i].contains(where: { $0.name == parameter.name }) {
                throw TuneError("\(parameter.name): the parameter is defined twice")
            }
            try parameter.distribution.validate(name: parameter.name)
            guard let condition = parameter.condition else { continue }
            guard let parent = parameters[..<i].first(where: { $0.name == condition.parent }) else {
                throw TuneError("\(parameter.name): its condition names \"\(condition.parent)\", which is not a parameter defined before it")
            }
            guard case let .categorical(choices) = parent.distribution else {
                throw TuneError("\(parameter.name): its condition's parameter \"\(condition.parent)\" must be a choice")
            }
            guard !condition.values.isEmpty else {
                throw TuneError("\(parameter.name): its condition lists no values of \"\(condition.parent)\"")
            }
            for value in condition.values where !choices.contains(value) {
                throw TuneError("\(parameter.name): its condition's value \(value) is not one of \(condition.parent)'s choices \(ConfigValue.array(choices))")
            }
        }
        self.parameters = parameters
    }

    /// A space built by `build`, checked (see ``init(_:)-(Array<Parameter>)``).
    public init(_ build: (SearchSpaceBuilder) throws -> Void) throws {
        let builder = SearchSpaceBuilder()
        try build(builder)
        try self.init(builder.parameters)
    }

    /// The parameter called `name`.
    public subscript(name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Whether `parameter` exists given the values chosen so far.
    public func isActive(_ parameter: Parameter, given values: [String: ConfigValue]) -> Bool {
        guard let condition = parameter.condition else { return true }
        guard let parentValue = values[condition.parent] else { return false }
        return condition.values.contains(parentValue)
    }

    /// Completes `partial` (values chosen so far, by name) in order: every active parameter
    /// missing from it gets `draw(parameter)`; values of inactive parameters are dropped.
    public func complete(_ partial: [String: ConfigValue], draw: (Parameter) -> ConfigValue) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        for parameter in parameters where isActive(parameter, given: values) {
            values[parameter.name] = partial[parameter.name] ?? draw(parameter)
        }
        return values
    }

    /// The point whose parameter `i` sits at position `unit[i]` of its range (see
    /// ``ParameterDistribution/value(atUnit:)``), conditions respected; `unit` holds a number
    /// per parameter, in order.
    /// A parameter without a number (`unit` too short) sits at the middle of its range.
    public func point(atUnit unit: [Double]) -> [String: ConfigValue] {
        let positions = Dictionary(zip(parameters.map(\.name), unit), uniquingKeysWith: { first, _ in first })
        return complete([:]) { $0.distribution.value(atUnit: positions[$0.name] ?? 0.5) }
    }

    /// A point drawn uniformly (log-uniformly on log scales), conditions respected.
    public func sample(using rng: inout some RandomNumberGenerator) -> [String: ConfigValue] {
        complete([:]) { $0.distribution.sample(using: &rng) }
    }
}

/// Collects the parameters of a ``SearchSpace`` in the style of KerasTuner's `hp`.
public final class SearchSpaceBuilder {
    fileprivate(set) var parameters: [Parameter] = []

    init() {}

    /// A real number in `low...high`, log-uniform with `log: true`.
    public func float(_ name: String, _ low: Double, _ high: Double, log: Bool = false,
                      when parent: String? = nil, is values: [ConfigValue] = []) {
        add(name, .float(low: low, high: high, log: log), parent, values)
    }

    /// An integer in `low...high` on the grid of `step` (or log-uniform with `log: true`).
    public func int(_ name: String, _ low: Int, _ high: Int, step: Int = 1, log: Bool = false,
                    when parent: String? = nil, is values: [ConfigValue] = []) {
        add(name, .int(low: low, high: high, step: step, log: log), parent, values)
    }

    /// One of `choices`.
    public func choice(_ name: String, _ choices: [ConfigValue], when parent: String? = nil, is values: [ConfigValue] = []) {
        add(name, .categorical(choices), parent, values)
    }

    private func add(_ name: String, _ distribution: ParameterDistribution, _ parent: String?, _ values: [ConfigValue]) {
        parameters.append(Parameter(name: name, distribution: distribution,
                                    condition: parent.map { Parameter.Condition(parent: $0, values: values) }))
    }
}
