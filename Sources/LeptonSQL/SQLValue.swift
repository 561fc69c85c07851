/// A value in or out of a SQL database (SQLite or PostgreSQL).
public enum SQLValue: Equatable, Sendable {
    /// SQL `NULL`.
    case null
    /// A 64-bit integer.
    case integer(Int)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)

    /// The value as an integer (a real is truncated), else nil.
    public var int: Int? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return Int(v)
        default: return nil
        }
    }

    /// The value as a double, else nil.
    public var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return nil
        }
    }

    /// The value as text, else nil.
    public var string: String? {
        if case .text(let v) = self { return v }
        return nil
    }

    /// `.real`, or `.null` for nil.
    public init(_ value: Double?) { self = value.map(SQLValue.real) ?? .null }
    /// `.integer`, or `.null` for nil.
    public init(_ value: Int?) { self = value.map(SQLValue.integer) ?? .null }
    /// `.text`, or `.null` for nil.
    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
}
