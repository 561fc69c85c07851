import Crypto
import Foundation

/// The at-rest format of a dataset version: the magic `LPBLOB1\n`, then chunks of at most
/// ``chunkSize`` plaintext bytes, each stored as a 4-byte big-endian length and an AES-256-GCM
/// box (nonce, ciphertext, tag). Every chunk authenticates the blob id, its index and whether it
/// is the last one, so a chunk moved, reordered, dropped or cut off is detected, as is any
/// flipped byte.
public enum EncryptedBlob {
    /// The first bytes of every blob file.
    public static let magic = Array("LPBLOB1\n".utf8)
    /// Plaintext bytes per chunk.
    public static let chunkSize = 1 << 20
    /// Nonce and tag around each chunk's ciphertext.
    public static let boxOverhead = 12 + 16

    /// The associated data chunk `index` of `blobID` is sealed with.
    static func associatedData(blobID: String, index: Int, isLast: Bool) -> Data {
        Data("lepton-blob|\(blobID)|\(index)|\(isLast ? 1 : 0)".utf8)
    }
}

/// Writes a blob while its plaintext streams in, hashing it (SHA-256) and encrypting chunk by
/// chunk; nothing but ciphertext reaches the disk.
final class EncryptedBlobWriter {
    private let handle: FileHandle
    private let key: SymmetricKey
    private let blobID: String
    private var pending = Data()
    private var index = 0
    private var hasher = SHA256()
    /// Plaintext bytes written so far.
    private(set) var size = 0

    /// Creates `url` (mode 0600) and writes the magic.
    init(url: URL, key: SymmetricKey, blobID: String) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: Data(EncryptedBlob.magic), attributes: [.posixPermissions: 0o600]) else {
            throw PlatformError(.internalError, "\(url.path): cannot create an upload file")
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        self.key = key
        self.blobID = blobID
    }

    /// Takes the next plaintext bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        size += bytes.count
        pending.append(contentsOf: bytes)
        while pending.count > EncryptedBlob.chunkSize {
            try seal(pending.prefix(EncryptedBlob.chunkSize), isLast: false)
            pending.removeFirst(EncryptedBlob.chunkSize)
        }
    }

    /// Seals the last chunk, flushes the file to disk and closes it.
    /// - Returns: the SHA-256 of the plaintext, hex.
    func finish() throws -> String {
        try seal(pending, isLast: true)
        pending = Data()
        try handle.synchronize()
        try handle.close()
        return KeySecret.hex(hasher.finalize())
    }

    /// Closes the file without finishing it (the caller deletes it).
    func abandon() { try? handle.close() }

    private func seal(_ plaintext: Data, isLast: Bool) throws {
        let box = try AES.GCM.seal(plaintext, using: key,
                                   authenticating: EncryptedBlob.associatedData(blobID: blobID, index: index, isLast: isLast))
        guard let combined = box.combined else { throw PlatformError(.internalError, "AES-GCM produced no combined box") }
        var length = UInt32(combined.count).bigEndian
        try handle.write(contentsOf: Data(bytes: &length, count: 4) + combined)
        index += 1
    }
}

/// Reads a blob's plaintext chunk by chunk, authenticating each.
final class EncryptedBlobReader {
    private let handle: FileHandle
    private let key: SymmetricKey
    private let blobID: String
    private let fileSize: Int
    private var offset: Int
    private var index = 0
    private var finished = false

    /// Opens the blob at `url`.
    /// - Throws: ``PlatformError`` (`integrity`) when the file is missing or lacks the magic.
    init(url: URL, key: SymmetricKey, blobID: String) throws {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw PlatformError(.integrity, "blob \(blobID) is missing from the data folder")
        }
        self.handle = handle
        self.key = key
        self.blobID = blobID
        fileSize = Int((try? handle.seekToEnd()) ?? 0)
        try handle.seek(toOffset: 0)
        guard (try handle.read(upToCount: EncryptedBlob.magic.count)).map(Array.init) == EncryptedBlob.magic else {
            try? handle.close()
            throw PlatformError(.integrity, "blob \(blobID) does not start with the blob magic (tampered or damaged)")
        }
        offset = EncryptedBlob.magic.count
    }

    deinit { try? handle.close() }

    /// The next chunk's plaintext, or nil after the last one.
    /// - Throws: ``PlatformError`` (`integrity`) when a chunk does not authenticate or the file is cut short.
    func next() throws -> Data? {
        if finished { return nil }
        guard offset + 4 <= fileSize, let lengthBytes = try handle.read(upToCount: 4), lengthBytes.count == 4 else {
            throw tampered("it ends before its last chunk")
        }
        let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        guard length >= EncryptedBlob.boxOverhead, length <= EncryptedBlob.chunkSize + EncryptedBlob.boxOverhead,
              offset + 4 + length <= fileSize, let combined = try handle.read(upToCount: length), combined.count == length else {
            throw tampered("chunk \(index) has an impossible length")
        }
        offset += 4 + length
        let isLast = offset == fileSize
        let plaintext: Data
        do {
            plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key,
                                         authenticating: EncryptedBlob.associatedData(blobID: blobID, index: index, isLast: isLast))
        } catch {
            throw tampered("chunk \(index) does not authenticate")
        }
        index += 1
        finished = isLast
        return plaintext
    }

    private func tampered(_ detail: String) -> PlatformError {
        PlatformError(.integrity, "blob \(blobID) failed its integrity check: \(detail) (tampered or damaged); it is refused")
    }
}

/// The plaintext of a verified blob, chunk by chunk (about 1 MiB each).
public final class DecryptedStream: @unchecked Sendable {
    private let reader: EncryptedBlobReader

    init(_ reader: EncryptedBlobReader) { self.reader = reader }

    /// Opens the blob at `url` after checking it whole: every chunk authenticates and the
    /// plaintext's SHA-256 is `sha256`.
    /// - Parameter what: names the blob in errors, such as `dataset ds_… version 2`.
    /// - Throws: ``PlatformError`` (`integrity`) when the file was tampered with or damaged.
    static func verified(url: URL, key: SymmetricKey, blobID: String, sha256: String, what: String) throws -> DecryptedStream {
        var hasher = SHA256()
        let check = try EncryptedBlobReader(url: url, key: key, blobID: blobID)
        while let chunk = try check.next() { hasher.update(data: chunk) }
        guard KeySecret.hex(hasher.finalize()) == sha256 else {
            throw PlatformError(.integrity, "\(what): the content's SHA-256 differs from the recorded one; it is refused")
        }
        return DecryptedStream(try EncryptedBlobReader(url: url, key: key, blobID: blobID))
    }

    /// The next chunk, or nil at the end.
    /// - Throws: ``PlatformError`` (`integrity`) when the file changed since it was verified.
    public func next() throws -> Data? { try reader.next() }
}
