/// Stops with `message` when a caller broke a layer's precondition (a wrong input shape, a bad
/// argument); unlike `precondition`, the message is also printed in optimised builds.
@inline(__always)
func layerRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
