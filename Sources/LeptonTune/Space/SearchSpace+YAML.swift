import LeptonNN

extension SearchSpace {
    /// Reads a `search:` section: a mapping from key paths of the training config to ranges.
    ///
    /// ```yaml
    /// search:
    ///   optimizer.learning_rate: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}
    ///   model.layers[1].units: {type: int, low: 32, high: 256, step: 32}
    ///   batch_size: {type: choice, values: [32, 64, 128]}
    ///   optimizer.name: {type: choice, values: [adam, sgd]}
    ///   model.layers[2].rate: {type: float, low: 0.0, high: 0.5, when: {optimizer.name: [adam]}}
    /// ```
    /// `when` makes a parameter exist only for some values of a searched choice. Parameters
    /// are ordered by name, each conditional one after the choice it depends on.
    /// - Throws: ``TuneError`` naming the key and what was expected.
    public init(yaml value: ConfigValue) throws {
        guard case let .object(entries) = value, !entries.isEmpty else {
            throw TuneError("search: expected a mapping from config key paths to ranges, got \(value)")
        }
        var pending = try entries.keys.sorted().map { try Self.parameter(named: $0, entries[$0]!) }
        var ordered: [Parameter] = []
        while !pending.isEmpty {
            let ready = pending.filter { p in p.condition.map { c in ordered.contains { $0.name == c.parent } } ?? true }
            guard !ready.isEmpty else { ordered += pending; break }   // a missing parent or a cycle: init(_:) names it
            ordered += ready
            pending.removeAll { p in ready.contains { $0.name == p.name } }
        }
        try self.init(ordered)
    }

    static func parameter(named name: String, _ value: ConfigValue) throws -> Parameter {
        let reader: ConfigReader
        do { reader = try ConfigReader(value, path: "search.\(name)") } catch let error as ConfigError {
            throw TuneError("search.\(name): expected a mapping with a type (float, int or choice), got \(value) (\(error.description))")
        }
        let type = try read { try reader.string("type") }
        let condition = try reader.raw("when").map { try Self.condition(name, $0) }
        let distribution: ParameterDistribution
        switch type {
        case "float"?:
            try read { try reader.rejectUnknownKeys(["type", "low", "high", "log", "when"]) }
            guard let low = try read({ try reader.double("low") }), let high = try read({ try reader.double("high") }) else {
                throw TuneError("search.\(name): a float needs low and high")
            }
            distribution = .float(low: low, high: high, log: try read { try reader.bool("log", default: false) })
        case "int"?:
            try read { try reader.rejectUnknownKeys(["type", "low", "high", "step", "log", "when"]) }
            guard let low = try read({ try reader.int("low") }), let high = try read({ try reader.int("high") }) else {
                throw TuneError("search.\(name): an int needs integer low and high")
            }
            distribution = .int(low: low, high: high, step: try read { try reader.int("step") } ?? 1,
                                log: try read { try reader.bool("log", default: false) })
        case "choice"?:
            try read { try reader.rejectUnknownKeys(["type", "values", "when"]) }
            guard case let .array(values)? = reader.raw("values") else {
                throw TuneError("search.\(name): a choice needs values: [a list]")
            }
            distribution = .categorical(values)
        default:
            throw TuneError("search.\(name).type: expected float, int or choice, got \(type.map { "\"\($0)\"" } ?? "nothing")")
        }
        try distribution.validate(name: "search.\(name)")
        return Parameter(name: name, distribution: distribution, condition: condition)
    }

    private static func condition(_ name: String, _ value: ConfigValue) throws -> Parameter.Condition {
        guard case let .object(entries) = value, entries.count == 1, let (parent, values) = entries.first else {
            throw TuneError("search.\(name).when: expected one key path of an earlier choice with a list of its values, like {optimizer.name: [sgd]}")
        }
        if case let .array(list) = values { return Parameter.Condition(parent: parent, values: list) }
        return Parameter.Condition(parent: parent, values: [values])
    }

    private static func read<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ConfigError { throw TuneError(error.description) }
    }
}
