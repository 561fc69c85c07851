/// Walks a tar archive's headers while it streams past, in chunks of any size, without keeping
/// more than one 512-byte header (and a long name) at a time: the file entries' data is skipped
/// by arithmetic, never looked at. It counts the regular files and, for an image folder
/// (`[root/]<class>/<image>.png|jpg|jpeg`, as `ImageFolder` reads one), the images per class —
/// the class being an image's parent folder.
///
/// Understands ustar and old (v7) headers, GNU long names (`L`) and pax extended headers (`x`,
/// their `path`). A first block whose checksum does not match is not a tar archive; a later one
/// ends the walk as malformed.
///
/// ```swift
/// var walker = TarWalker()
/// for chunk in chunks { walker.consume(chunk) }
/// if walker.isTar { print(walker.imagesPerClass) }   // ["cat": 120, "dog": 98]
/// ```
public struct TarWalker: Sendable {
    /// The state of the walk.
    public enum State: Sendable, Equatable {
        /// Not enough bytes yet to tell.
        case undecided
        /// Headers have checked out so far.
        case walking
        /// Two zero blocks: the archive's end.
        case ended
        /// The first block is not a tar header.
        case notTar
        /// A later header was not one (a cut or damaged archive).
        case malformed
    }

    /// Most classes counted; images of further classes count only in ``images``.
    public static let maxClasses = 10_000
    /// Longest long name or pax header kept, in bytes.
    static let maxExtendedHeader = 64 << 10

    /// The walk's state.
    public private(set) var state = State.undecided
    /// Regular files seen.
    public private(set) var files = 0
    /// Image files seen (by extension).
    public private(set) var images = 0
    /// Images per parent folder name.
    public private(set) var imagesPerClass: [String: Int] = [:]

    private var offset = 0
    private var nextHeader = 0
    private var block: [UInt8] = []
    private var zeroBlocks = 0
    /// Where a long name or pax header's data is being gathered, and how long it is.
    private var extended: (kind: UInt8, size: Int, bytes: [UInt8])?
    private var pendingName: String?

    /// A walker before the archive's first byte.
    public init() {}

    /// Whether the bytes so far are a tar archive (or its start).
    public var isTar: Bool { state == .walking || state == .ended }

    /// Takes the next bytes of the stream.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count, state == .undecided || state == .walking {
            let position = offset + index
            if var gathering = extended {
                // The data blocks of a long name or pax header.
                let take = min(bytes.count - index, gathering.size - gathering.bytes.count, Self.maxExtendedHeader - gathering.bytes.count)
                if take > 0 { gathering.bytes.append(contentsOf: bytes[index..<(index + take)]) }
                let done = gathering.bytes.count >= min(gathering.size, Self.maxExtendedHeader)
                extended = done ? nil : gathering
                if done { pendingName = Self.extendedName(kind: gathering.kind, gathering.bytes) }
                if take > 0 { index += take; continue }
            }
            if position < nextHeader {
                index += min(bytes.count - index, nextHeader - position)
                continue
            }
            let take = min(bytes.count - index, 512 - block.count)
            block.append(contentsOf: bytes[index..<(index + take)])
            index += take
            if block.count == 512 {
                header(at: offset + index - 512)
                block.removeAll(keepingCapacity: true)
            }
        }
        offset += bytes.count
    }

    private mutating func header(at start: Int) {
        if block.allSatisfy({ $0 == 0 }) {
            if state == .undecided { state = .notTar; return }
            zeroBlocks += 1
            nextHeader = start + 512
            if zeroBlocks == 2 { state = .ended }
            return
        }
        zeroBlocks = 0
        guard Self.checksumMatches(block), let size = Self.number(block[124..<136]) else {
            state = state == .undecided ? .notTar : .malformed
            return
        }
        state = .walking
        let (dataBlocks, overflow) = (size / 512 + (size % 512 == 0 ? 0 : 1)).multipliedReportingOverflow(by: 512)
        guard !overflow, dataBlocks <= Int.max - 512 - start else { state = .malformed; return }
        nextHeader = start + 512 + dataBlocks
        let kind = block[156]
        switch kind {
        case UInt8(ascii: "L"), UInt8(ascii: "x"):
            // The name of the next entry follows in this entry's data.
            extended = size > 0 ? (kind, size, []) : nil
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            let name = pendingName ?? Self.name(of: block)
            pendingName = nil
            files += 1
            count(name)
        default:
            pendingName = nil
        }
    }

    private mutating func count(_ path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let file = parts.last, let dot = file.lastIndex(of: "."),
              ["png", "jpg", "jpeg"].contains(file[file.index(after: dot)...].lowercased()) else { return }
        images += 1
        guard parts.count >= 2 else { return }
        let folder = String(parts[parts.count - 2])
        if imagesPerClass[folder] != nil || imagesPerClass.count < Self.maxClasses { imagesPerClass[folder, default: 0] += 1 }
    }

    /// The entry's path: ustar's prefix and name, or the name alone.
    private static func name(of block: [UInt8]) -> String {
        let name = text(block[0..<100])
        let isUstar = block[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? text(block[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The path in a GNU long name's data, or a pax header's `path` record.
    private static func extendedName(kind: UInt8, _ bytes: [UInt8]) -> String? {
        if kind == UInt8(ascii: "L") { return text(bytes[...]) }
        // pax: records "LENGTH key=value\n".
        for record in bytes.split(separator: 0x0A) {
            guard let space = record.firstIndex(of: 0x20) else { continue }
            let field = record[record.index(after: space)...]
            if field.starts(with: "path=".utf8) { return String(decoding: field.dropFirst(5), as: UTF8.self) }
        }
        return nil
    }

    /// Text up to the first NUL.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal number field (NUL- or space-terminated), or GNU's base-256 form (high bit set).
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        if let first = field.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in field.dropFirst() {
                guard value <= (Int.max >> 8) else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0, digits = 0
        for byte in field {
            if byte == 0 || byte == 0x20 { if digits > 0 { break } else { continue } }
            guard (0x30...0x37).contains(byte), value <= (Int.max >> 3) else { return nil }
            value = value << 3 | Int(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Whether the header's checksum field equals the sum of its bytes with that field as spaces.
    static func checksumMatches(_ block: [UInt8]) -> Bool {
        guard let stored = number(block[148..<156]) else { return false }
        var sum = 0
        for (i, byte) in block.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(byte) }
        return sum == stored
    }
}
