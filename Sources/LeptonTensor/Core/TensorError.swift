/// An error a caller can cause: a wrong shape, a wrong element type, a bad argument.
///
/// The message names the operation and what was given and expected, for example
/// `matmul: inner dimensions differ: [2, 3] and [4, 5] (expected a.shape[-1] == b.shape[-2])`.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The operation that refused its input (`"add"`, `"conv2d"`, …).
    public let op: String
    /// What was wrong and what was expected.
    public let message: String

    /// Creates an error for `op` with a message.
    public init(_ op: String, _ message: String) {
        self.op = op
        self.message = message
    }

    public var description: String { "\(op): \(message)" }
}

/// Stops with a message naming the op when a caller broke a precondition.
///
/// Tensor ops are called from inner loops, so shape errors in code are
/// programming errors and stop the program like an array index out of range;
/// use the throwing `check…` helpers for anything read from outside.
@inline(__always)
func require(_ condition: @autoclosure () -> Bool, _ op: @autoclosure () -> String,
             _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        fatalError(TensorError(op(), message()).description, file: file, line: line)
    }
}

/// Stops with `message` when a caller broke a documented precondition (a wrong shape, a bad
/// argument). Unlike `precondition`, the message is printed in optimised builds too.
@inline(__always)
public func checkPrecondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                              file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
