/// An error of a SQL database (SQLite or PostgreSQL): it could not be opened or reached, a
/// statement failed, or it stayed locked; the message names the database and what went wrong.
public struct SQLError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the database.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
