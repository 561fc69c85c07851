import Foundation

/// The bytes of an IDX file read in order, only as many as asked: from memory, from a plain
/// file (its size known up front), or inflated from a gzipped one as they are read.
final class IDXBytes {
    private enum Input {
        case memory(Data, position: Int)
        case file(FileHandle)
        case gzip(Inflater)
    }

    private var input: Input
    /// The total number of bytes, when known without reading them (not for gzip).
    let size: Int?
    private let source: String

    init(data: Data) {
        input = .memory(data, position: 0)
        size = data.count
        source = ""
    }

    /// Opens `url`; a gzipped file is held compressed and inflated as it is read.
    /// - Throws: ``DataError`` when the file cannot be read.
    init(url: URL, source: String) throws {
        self.source = source
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DataError("cannot open the file: \(error.localizedDescription)", source: source)
        }
        let magic = try Self.read(handle, 2, source: source)
        if magic == [0x1F, 0x8B] {
            defer { try? handle.close() }
            let compressed: Data
            do { compressed = try handle.readToEnd() ?? Data() } catch {
                throw DataError("cannot read the file: \(error.localizedDescription)", source: source)
            }
            input = .gzip(try Inflater(Data(magic) + compressed, windowBits: Inflater.gzip, name: "gzip", source: source))
            size = nil
        } else {
            do {
                try handle.seek(toOffset: 0)
                size = Int(try handle.seekToEnd())
                try handle.seek(toOffset: 0)
            } catch {
                throw DataError("cannot read the file: \(error.localizedDescription)", source: source)
            }
            input = .file(handle)
        }
    }

    deinit {
        if case .file(let handle) = input { try? handle.close() }
    }

    /// The next `count` bytes, or fewer at the end of the file.
    /// - Throws: ``DataError`` for a read error or a corrupt or truncated gzip stream.
    func read(_ count: Int) throws -> [UInt8] {
        switch input {
        case .memory(let data, let position):
            let end = min(data.count, position + count)
            input = .memory(data, position: end)
            return [UInt8](data[(data.startIndex + position)..<(data.startIndex + end)])
        case .file(let handle):
            return try Self.read(handle, count, source: source)
        case .gzip(let inflater):
            var out: [UInt8] = []
            try inflater.read(count, appendingTo: &out)
            return out
        }
    }

    private static func read(_ handle: FileHandle, _ count: Int, source: String) throws -> [UInt8] {
        do { return [UInt8](try handle.read(upToCount: count) ?? Data()) } catch {
            throw DataError("cannot read the file: \(error.localizedDescription)", source: source)
        }
    }
}
