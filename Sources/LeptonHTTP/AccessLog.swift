import Foundation
import Hummingbird
import Logging

/// Writes the one structured log line each request gets (method, path, status, duration in
/// milliseconds, and what the server adds, such as the caller's key).
public func logAccess(_ logger: Logger, request: Request, status: Int, since start: ContinuousClock.Instant,
                      extra: Logger.Metadata = [:]) {
    let milliseconds = (ContinuousClock.now - start) / .milliseconds(1)
    var metadata: Logger.Metadata = [
        "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)",
        "duration_ms": "\(String(format: "%.3f", milliseconds))",
    ]
    metadata.merge(extra) { _, new in new }
    logger.info("request", metadata: metadata)
}
