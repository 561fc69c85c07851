import Foundation

/// One 512-byte header of a POSIX (ustar) tar archive: what the registry needs of it (name, size,
/// type), read strictly — a field that does not parse, a checksum that does not match or a name
/// that would leave the folder is an error naming the entry, never a crash.
struct TarHeader: Equatable {
    /// The kinds of entry a model archive may hold.
    enum Kind: Equatable {
        /// A regular file.
        case file
        /// A folder entry (`./`), skipped.
        case directory
        /// A pax or GNU extended header, whose content is skipped.
        case extended
    }

    static let blockSize = 512
    /// The longest name accepted.
    static let maxNameBytes = 100

    var name: String
    var size: Int
    var kind: Kind

    /// Reads a header block; nil for an all-zero block (the end of the archive).
    /// - Throws: ``PlatformError`` (`badRequest`) naming the entry and what was wrong.
    static func read(_ block: UnsafeRawBufferPointer, index: Int) throws -> TarHeader? {
        precondition(block.count == blockSize)
        if block.allSatisfy({ $0 == 0 }) { return nil }
        let stored = try octal(block, 148, 8, "checksum", index: index)
        var sum = 0
        for (i, byte) in block.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(byte) }
        guard sum == stored else {
            throw PlatformError(.badRequest, "tar entry \(index): header checksum \(stored) does not match its bytes (\(sum)); expected an uncorrupted tar archive")
        }
        let size = try octal(block, 124, 12, "size", index: index)
        let raw = text(block, 0, 100)
        // POSIX ustar keeps the start of a long path in `prefix` (GNU's "ustar  " uses that field otherwise).
        let prefix = block[257..<263].elementsEqual(Array("ustar".utf8) + [0]) ? text(block, 345, 155) : ""
        let path = prefix.isEmpty ? raw : prefix + "/" + raw
        let kind: Kind
        switch block[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "x"), UInt8(ascii: "g"): kind = .extended
        default:
            throw PlatformError(.badRequest, "tar entry \(index) (\(path)): type '\(Character(Unicode.Scalar(block[156])))' is not a regular file; a model archive holds only files")
        }
        return TarHeader(name: try kind == .file ? fileName(path, index: index) : path, size: size, kind: kind)
    }

    /// `path` as a plain file name: a leading `./` is dropped; folders, `..` and absolute paths are refused.
    static func fileName(_ path: String, index: Int) throws -> String {
        var name = Substring(path)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.contains("\0"),
              name.utf8.count <= maxNameBytes else {
            throw PlatformError(.badRequest, "tar entry \(index): name \(path.debugDescription) is not a plain file name; expected the files of one model folder (model.json, model.safetensors, …) at the top of the archive")
        }
        return String(name)
    }

    /// The header block of a regular file.
    static func block(name: String, size: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, _ offset: Int) { for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte } }
        put(name, 0)
        put("0000644\0", 100)
        put("0000000\0", 108)
        put("0000000\0", 116)
        put(String(String(size, radix: 8).prefix(11)).leftPadded(to: 11) + "\0", 124)
        put("00000000000\0", 136)
        block[156] = UInt8(ascii: "0")
        put("ustar\0", 257)
        put("00", 263)
        for i in 148..<156 { block[i] = 32 }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(to: 6) + "\0 ", 148)
        return block
    }

    private static func text(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> String {
        let bytes = block[offset..<(offset + length)]
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octal(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int, _ field: String, index: Int) throws -> Int {
        let digits = text(block, offset, length).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        guard !digits.isEmpty, digits.count <= 11, let value = Int(digits, radix: 8), value >= 0 else {
            throw PlatformError(.badRequest, "tar entry \(index): the \(field) field \(digits.debugDescription) is not an octal number; expected a ustar archive")
        }
        return value
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
