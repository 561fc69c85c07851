import Crypto
import Foundation

/// The master keys of envelope encryption: 256-bit keys in `<data>/master-keys/<id>.key`
/// (mode 0600). A dataset's data key is stored only wrapped (AES-256-GCM, bound to the dataset id)
/// by the newest master key; rotation adds a new master key, re-wraps every data key and then
/// removes the old ones — the encrypted data itself is never rewritten.
public final class MasterKeyring: @unchecked Sendable {
    /// The folder holding the key files.
    public let folder: URL
    private let lock = NSLock()
    private var keys: [String: SymmetricKey] = [:]

    /// Opens the keyring in `folder`, creating the folder and a first key when there is none.
    /// - Throws: ``PlatformError`` when a key file cannot be read or written.
    public init(folder: URL) throws {
        self.folder = folder
        try reload()
        if keys.isEmpty { _ = try addKey() }
    }

    /// The id of the key new data keys are wrapped with: the newest (ids sort by creation time).
    public var currentID: String {
        lock.lock(); defer { lock.unlock() }
        return keys.keys.max() ?? ""
    }

    /// The ids of the keys on disk, oldest first.
    public var ids: [String] {
        lock.lock(); defer { lock.unlock() }
        return keys.keys.sorted()
    }

    /// Creates a new master key (which becomes the current one) and returns its id.
    public func addKey() throws -> String {
        // Milliseconds since 1970, zero-padded, so ids sort in creation order.
        let milliseconds = String(Int(Date().timeIntervalSince1970 * 1000))
        let id = "mk-\(String(repeating: "0", count: max(0, 15 - milliseconds.count)))\(milliseconds)-\(KeySecret.randomHex(bytes: 4))"
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let url = folder.appendingPathComponent("\(id).key")
        guard FileManager.default.createFile(atPath: url.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw PlatformError(.internalError, "\(url.path): cannot write a master key file")
        }
        lock.lock(); keys[id] = key; lock.unlock()
        return id
    }

    /// Deletes master key `id` (after every data key was re-wrapped by another).
    public func removeKey(_ id: String) throws {
        try FileManager.default.removeItem(at: folder.appendingPathComponent("\(id).key"))
        lock.lock(); keys[id] = nil; lock.unlock()
    }

    /// Wraps `dataKey` of `ownerID` (a dataset or model id) with the current master key.
    /// - Returns: the wrapped key (base64) and the id of the master key used.
    func wrap(_ dataKey: SymmetricKey, ownerID: String) throws -> (wrapped: String, masterKeyID: String) {
        let id = currentID
        guard let master = key(id) else { throw PlatformError(.internalError, "no master key in \(folder.path)") }
        let box = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: master, authenticating: Data(ownerID.utf8))
        guard let combined = box.combined else { throw PlatformError(.internalError, "AES-GCM produced no combined box") }
        return (combined.base64EncodedString(), id)
    }

    /// The data key of `id` (a dataset or model), unwrapped.
    /// - Throws: ``PlatformError`` (`integrity`) when its master key is missing or the wrapped
    ///   key was altered or belongs to another owner.
    func unwrap(id: String, wrapped: String, masterKeyID: String) throws -> SymmetricKey {
        if key(masterKeyID) == nil { try reload() }  // rotated by another process
        guard let master = key(masterKeyID) else {
            throw PlatformError(.integrity, "\(id): its master key \(masterKeyID) is missing from \(folder.path)")
        }
        guard let combined = Data(base64Encoded: wrapped),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let raw = try? AES.GCM.open(box, using: master, authenticating: Data(id.utf8)) else {
            throw PlatformError(.integrity, "\(id): its wrapped data key does not authenticate (tampered or damaged)")
        }
        return SymmetricKey(data: raw)
    }

    private func key(_ id: String) -> SymmetricKey? {
        lock.lock(); defer { lock.unlock() }
        return keys[id]
    }

    /// Reads every `*.key` file of the folder.
    private func reload() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var loaded: [String: SymmetricKey] = [:]
        for name in names where name.hasSuffix(".key") {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path), data.count == 32 else {
                throw PlatformError(.integrity, "\(url.path): a master key file must hold exactly 32 bytes")
            }
            loaded[String(name.dropLast(4))] = SymmetricKey(data: data)
        }
        lock.lock(); keys = loaded; lock.unlock()
    }
}
