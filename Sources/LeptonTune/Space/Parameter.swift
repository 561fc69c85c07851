import LeptonNN

/// One hyperparameter of a ``SearchSpace``: a name, the values it may take, and optionally
/// the condition under which it exists (a choice of an earlier categorical parameter).
public struct Parameter: Sendable, Equatable, Codable {
    /// The name (in a YAML `search:` section, the key path it replaces, e.g. `optimizer.learning_rate`).
    public let name: String
    public let distribution: ParameterDistribution
    /// The parameter exists only when `condition` holds (nil: always).
    public let condition: Condition?

    public init(name: String, distribution: ParameterDistribution, condition: Condition? = nil) {
        self.name = name
        self.distribution = distribution
        self.condition = condition
    }

    /// "This parameter exists only when `parent` took one of `values`."
    public struct Condition: Sendable, Equatable, Codable {
        /// The name of an earlier categorical parameter.
        public let parent: String
        /// The parent's choices for which the parameter exists.
        public let values: [ConfigValue]

        public init(parent: String, values: [ConfigValue]) {
            self.parent = parent
            self.values = values
        }
    }
}
