/// Whether a study looks for the smallest or the largest objective value.
public enum StudyDirection: String, Sendable, Codable, CaseIterable {
    case minimize, maximize

    /// Whether `a` is better than `b` in this direction.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        self == .minimize ? a < b : a > b
    }

    /// `value` turned so that smaller is better (negated when maximizing).
    public func loss(_ value: Double) -> Double { self == .minimize ? value : -value }
}
