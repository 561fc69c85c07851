/// Checks an audit log's hash chain row by row (`lepton platform audit verify`), so a log of any
/// length is read in pages.
///
/// ```swift
/// var chain = AuditChain()
/// for record in page { try chain.check(record) }
/// ```
public struct AuditChain: Sendable {
    /// The last checked row's hash (the genesis hash before the first).
    public private(set) var lastHash = AuditRecord.genesisHash
    /// Rows checked so far.
    public private(set) var rows = 0

    /// A checker at the start of a log.
    public init() {}

    /// Checks the next row: numbered one more than the last, linked to the last row's hash, and
    /// its hash matching its fields.
    /// - Throws: ``PlatformError`` (`integrity`) naming the row and what is wrong with it.
    public mutating func check(_ record: AuditRecord) throws {
        let number = rows + 1
        if record.sequence != number {
            throw PlatformError(.integrity, "audit row \(number): found sequence \(record.sequence); a row was deleted or inserted")
        }
        if record.previousHash != lastHash {
            throw PlatformError(.integrity, "audit row \(number): its previous-hash does not match row \(rows)'s hash; a row was changed, deleted or reordered")
        }
        let expected = AuditRecord.chainHash(sequence: record.sequence, entry: record.entry, previousHash: record.previousHash)
        if expected != record.hash {
            throw PlatformError(.integrity, "audit row \(number): its fields do not match its hash; the row was edited")
        }
        lastHash = record.hash
        rows = number
    }
}
