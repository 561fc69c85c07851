/// The platform's audit log over a ``PlatformStore``: append a call, read a workspace's rows,
/// verify the whole chain.
public struct AuditLog: Sendable {
    let store: any PlatformStore
    /// Rows read per page when verifying.
    static let pageSize = 5000

    /// Creates the log over `store`.
    public init(store: any PlatformStore) { self.store = store }

    /// Appends `entry` as the next link of the chain.
    @discardableResult
    public func record(_ entry: AuditEntry) async throws -> AuditRecord { try await store.appendAudit(entry) }

    /// A workspace's rows after sequence `after`, at most `limit` (1…1000).
    public func records(workspaceID: String?, after: Int = 0, limit: Int = 100) async throws -> [AuditRecord] {
        guard (1...1000).contains(limit), after >= 0 else {
            throw PlatformError(.badRequest, "limit must be 1 to 1000 and after at least 0; got limit \(limit), after \(after)")
        }
        return try await store.auditRecords(workspaceID: workspaceID, after: after, limit: limit)
    }

    /// Checks the whole chain from its first row.
    /// - Returns: the number of rows that verified.
    /// - Throws: ``PlatformError`` (`integrity`) at the first broken row.
    public func verify() async throws -> Int {
        var chain = AuditChain()
        while true {
            let page = try await store.auditRecords(workspaceID: nil, after: chain.rows, limit: Self.pageSize)
            for record in page { try chain.check(record) }
            if page.count < Self.pageSize { return chain.rows }
        }
    }
}
