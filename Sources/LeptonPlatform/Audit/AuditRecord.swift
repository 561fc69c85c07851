import Crypto
import Foundation

/// One audited call before it is stored: who (key id, never the secret), what, on which
/// resource, with which result, from where and when.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// When the call was answered, in whole milliseconds since 1970 (exact in the hash).
    public let timeMilliseconds: Int64
    /// The caller's workspace (nil when no valid key was given).
    public let workspaceID: String?
    /// The caller's key id (nil when no valid key was given).
    public let keyID: String?
    /// What was attempted, such as `POST /api/v1/keys`.
    public let action: String
    /// The resource path it was attempted on.
    public let resource: String
    /// The outcome: the HTTP status code, or a word for offline commands.
    public let result: String
    /// The request id of the call (its `X-Request-Id`).
    public let requestID: String
    /// The caller's address.
    public let source: String

    /// Creates an entry.
    public init(time: Date = Date(), workspaceID: String?, keyID: String?, action: String, resource: String,
                result: String, requestID: String, source: String) {
        self.init(timeMilliseconds: Int64((time.timeIntervalSince1970 * 1000).rounded()), workspaceID: workspaceID, keyID: keyID,
                  action: action, resource: resource, result: result, requestID: requestID, source: source)
    }

    /// Creates an entry with its time in milliseconds since 1970 (as stored).
    public init(timeMilliseconds: Int64, workspaceID: String?, keyID: String?, action: String, resource: String,
                result: String, requestID: String, source: String) {
        self.timeMilliseconds = timeMilliseconds
        self.workspaceID = workspaceID
        self.keyID = keyID
        self.action = action
        self.resource = resource
        self.result = result
        self.requestID = requestID
        self.source = source
    }
}

/// A stored audit row: its entry, its place in the log, and the hash chain that makes the log
/// tamper-evident — each row's hash covers its fields and the previous row's hash, so editing,
/// deleting or reordering any row breaks every hash after it.
public struct AuditRecord: Codable, Sendable, Equatable {
    /// The row's position, 1 for the first.
    public let sequence: Int
    /// What was audited.
    public let entry: AuditEntry
    /// The previous row's hash (64 zeros for the first row).
    public let previousHash: String
    /// SHA-256 over `previousHash` and the fields, hex.
    public let hash: String

    /// The previous hash of the first row.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The record `entry` becomes at `sequence` after a row with hash `previousHash`.
    public init(sequence: Int, entry: AuditEntry, previousHash: String) {
        self.sequence = sequence
        self.entry = entry
        self.previousHash = previousHash
        hash = Self.chainHash(sequence: sequence, entry: entry, previousHash: previousHash)
    }

    /// Rebuilds a stored record (its hash as stored, to be checked by ``AuditChain``).
    public init(sequence: Int, entry: AuditEntry, previousHash: String, hash: String) {
        self.sequence = sequence
        self.entry = entry
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash a row must carry: SHA-256 of the fields joined by the unit separator (U+001F),
    /// which no field contains unescaped, after the previous hash.
    public static func chainHash(sequence: Int, entry: AuditEntry, previousHash: String) -> String {
        let fields = [previousHash, String(sequence), String(entry.timeMilliseconds), entry.workspaceID ?? "-", entry.keyID ?? "-",
                      entry.action, entry.resource, entry.result, entry.requestID, entry.source]
        let text = fields.map { $0.replacingOccurrences(of: "\u{1f}", with: "\\u001f") }.joined(separator: "\u{1f}")
        return KeySecret.hex(SHA256.hash(data: Data(text.utf8)))
    }
}
