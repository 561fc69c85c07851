/// A problem with data read from outside: a missing or malformed file, a bad value.
///
/// The description names the file (when there is one) and says what was wrong and what was
/// expected, e.g. `train-images-idx3-ubyte.gz: header declares 60000 images of 28×28 but the
/// file holds 1000 bytes of pixels (expected 47040000)`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or source the problem is in, if any.
    public let source: String?
    /// What was wrong and what was expected.
    public let message: String

    public init(_ message: String, source: String? = nil) {
        self.source = source
        self.message = message
    }

    public var description: String { source.map { "\($0): \(message)" } ?? message }
}
