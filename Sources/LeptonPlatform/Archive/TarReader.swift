/// Reads a tar archive as it arrives, in chunks of any size, and hands each regular file's bytes
/// to the caller: `beginFile(name)`, then `fileBytes` until the file's size, then the next
/// header. Folder entries and pax/GNU extended headers are skipped; anything else, a corrupt
/// header, or an archive that stops inside an entry is an error.
///
/// ```swift
/// var reader = TarReader(maxFiles: 64)
/// try reader.consume(chunk) { event in … }   // per chunk of the body
/// try reader.finish()                         // the whole archive arrived
/// ```
struct TarReader {
    /// What the reader found in the bytes given so far.
    enum Event {
        /// A regular file starts.
        case beginFile(name: String, size: Int)
        /// The next bytes of the current file.
        case fileBytes(UnsafeRawBufferPointer)
        /// The current file is complete.
        case endFile
    }

    private enum State {
        case header
        case content(remaining: Int, padding: Int, isFile: Bool)
        case padding(remaining: Int)
        case ended
    }

    private var state = State.header
    private var header: [UInt8] = []
    private var entries = 0
    private var names = Set<String>()
    let maxFiles: Int

    init(maxFiles: Int) { self.maxFiles = maxFiles }

    /// Whether the end-of-archive block was read.
    var isEnded: Bool { if case .ended = state { return true } else { return false } }

    /// Consumes the next bytes of the archive.
    /// - Throws: ``PlatformError`` (`badRequest`) for a bad header, a duplicate or unsafe name, a
    ///   type other than file or folder, or more than `maxFiles` files.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            switch state {
            case .ended:
                return   // trailing zero blocks and padding after the end
            case .header:
                let take = min(TarHeader.blockSize - header.count, bytes.count - offset)
                header.append(contentsOf: bytes[offset..<(offset + take)])
                offset += take
                guard header.count == TarHeader.blockSize else { continue }
                let parsed = try header.withUnsafeBytes { try TarHeader.read($0, index: entries) }
                header.removeAll(keepingCapacity: true)
                guard let entry = parsed else { state = .ended; continue }
                entries += 1
                let padding = (TarHeader.blockSize - entry.size % TarHeader.blockSize) % TarHeader.blockSize
                let isFile = entry.kind == .file
                if isFile {
                    guard names.count < maxFiles else {
                        throw PlatformError(.badRequest, "the archive holds more than \(maxFiles) files; a model folder has a few")
                    }
                    guard names.insert(entry.name).inserted else {
                        throw PlatformError(.badRequest, "the archive holds \(entry.name) twice")
                    }
                    try handle(.beginFile(name: entry.name, size: entry.size))
                }
                state = .content(remaining: entry.size, padding: padding, isFile: isFile)
                if entry.size == 0 { try finishContent(padding: padding, isFile: isFile, handle) }
            case .content(let remaining, let padding, let isFile):
                let take = min(remaining, bytes.count - offset)
                if isFile { try handle(.fileBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))) }
                offset += take
                if remaining - take == 0 {
                    try finishContent(padding: padding, isFile: isFile, handle)
                } else {
                    state = .content(remaining: remaining - take, padding: padding, isFile: isFile)
                }
            case .padding(let remaining):
                let take = min(remaining, bytes.count - offset)
                offset += take
                state = remaining - take == 0 ? .header : .padding(remaining: remaining - take)
            }
        }
    }

    private mutating func finishContent(padding: Int, isFile: Bool, _ handle: (Event) throws -> Void) throws {
        if isFile { try handle(.endFile) }
        state = padding == 0 ? .header : .padding(remaining: padding)
    }

    /// Checks that the archive did not stop inside an entry.
    /// - Throws: ``PlatformError`` (`badRequest`) for a truncated archive.
    func finish() throws {
        switch state {
        case .ended: return
        case .header where header.isEmpty && entries > 0: return   // no end blocks: accepted, as GNU tar does
        default:
            throw PlatformError(.badRequest, "the archive ends inside an entry (after \(entries) entries); expected a whole tar archive")
        }
    }
}
