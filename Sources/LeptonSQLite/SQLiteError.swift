/// An error of the SQLite layer: the file could not be opened, a statement failed, or the
/// database stayed locked; the message names the file and what went wrong.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the database path.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
