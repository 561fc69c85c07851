/// A problem reading or writing a model file: what is wrong, in which file.
public struct IOError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ message: String, file: String? = nil) {
        description = file.map { "\($0): \(message)" } ?? message
    }
}
