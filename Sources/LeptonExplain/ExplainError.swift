/// An explanation that cannot be made as asked: a target class out of range, a bad number of
/// steps, a window larger than the image, a method the model's layers do not support.
public struct ExplainError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with what was expected.
    public let description: String

    /// Creates an error with a message.
    public init(_ description: String) { self.description = description }
}
