/// Lepton refused to write at a path because of what already stands there (a device, a link,
/// a folder of someone else's files): writing would have destroyed data it did not create.
public struct OutputPathError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path as given.
    public let path: String
    /// What stands there and what was expected instead.
    public let message: String

    public init(_ message: String, path: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "\"\"" : path): \(message)" }
}
