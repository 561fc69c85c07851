import Foundation

/// Writes regular files into a ustar archive (what `lepton model push` uploads).
public enum TarWriter {
    /// Writes `files` (name in the archive, file on disk) to `destination`.
    /// - Throws: ``PlatformError`` for a name longer than 100 bytes or a file that cannot be read.
    public static func write(_ files: [(name: String, url: URL)], to destination: URL) throws {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw PlatformError(.badRequest, "cannot create the archive \(destination.path); expected a writable folder")
        }
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        for (name, url) in files {
            _ = try TarHeader.fileName(name, index: 0)
            let input = try FileHandle(forReadingFrom: url)
            defer { try? input.close() }
            let size = Int(try input.seekToEnd())
            try input.seek(toOffset: 0)
            try output.write(contentsOf: TarHeader.block(name: name, size: size))
            var written = 0
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try output.write(contentsOf: chunk)
                written += chunk.count
            }
            guard written == size else { throw PlatformError(.conflict, "\(url.path) changed size while it was archived") }
            let padding = (TarHeader.blockSize - size % TarHeader.blockSize) % TarHeader.blockSize
            if padding > 0 { try output.write(contentsOf: Data(count: padding)) }
        }
        try output.write(contentsOf: Data(count: 2 * TarHeader.blockSize))
    }
}
