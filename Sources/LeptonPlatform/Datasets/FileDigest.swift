import Crypto
import Foundation

/// SHA-256 of a file, read in 1 MiB pieces (clients check downloads with it).
public enum FileDigest {
    /// The SHA-256 of the file at `url`, hex.
    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return KeySecret.hex(hasher.finalize())
    }
}
