extension SQLiteConnection {
    /// Brings the schema up to date: step `i` (its statements run in one transaction) is applied
    /// when the database's `PRAGMA user_version` is at most `i`, and the version is then `i + 1`.
    /// Steps are only ever appended, never edited, so a database of any earlier version migrates.
    /// - Parameter steps: the migrations in order; each is a list of SQL statements.
    /// - Returns: the schema version before migrating (0 for a new database).
    /// - Throws: ``SQLError`` when a statement fails (that step is rolled back), or when the
    ///   database is newer than the steps this program knows.
    @discardableResult
    public func migrate(_ steps: [[String]]) throws -> Int {
        try transaction {
            let current = try queryInTransaction("PRAGMA user_version").first?.first?.int ?? 0
            guard current <= steps.count else {
                throw SQLError("\(path): schema version \(current) is newer than this program's \(steps.count); expected a database written by this or an older version")
            }
            for index in current..<steps.count {
                for statement in steps[index] { try queryInTransaction(statement) }
            }
            try queryInTransaction("PRAGMA user_version = \(steps.count)")
            return current
        }
    }
}
