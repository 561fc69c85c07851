/// A problem with an ONNX model: a malformed or hostile file, an operator Lepton does not
/// implement, or a graph whose shapes or types do not fit. The message names the node, the
/// tensor or the field, what it held and what was expected.
public struct ONNXError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    /// - Parameters:
    ///   - message: what was wrong and what was expected.
    ///   - context: where (a file, a node `Conv_3 (Conv)`, an initializer name), prefixed when given.
    public init(_ message: String, context: String? = nil) {
        description = context.map { "\($0): \(message)" } ?? message
    }
}
