import Foundation

/// Reads a job's `log.txt` from an offset, so a client can follow it while the job runs.
public struct JobLog: Sendable {
    /// The log file.
    public let url: URL

    /// The log of the job folder `folder`.
    public init(folder: URL) { url = folder.appendingPathComponent("log.txt") }

    /// The bytes from `offset` on, at most `limit` (empty when nothing new was written).
    public func read(from offset: Int, limit: Int = 1 << 20) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return Data() }
        return (try? handle.read(upToCount: limit)) ?? Data()
    }
}
