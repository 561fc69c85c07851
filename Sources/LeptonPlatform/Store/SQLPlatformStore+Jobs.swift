import Foundation
import LeptonSQL

extension SQLPlatformStore {
    public func insertJob(_ job: Job) async throws {
        try await db.perform { [self] in
            try db.execute("INSERT INTO jobs (id, workspace_id, state, priority, created, record) VALUES (?, ?, ?, ?, ?, ?)",
                           [.text(job.id), .text(job.workspaceID), .text(job.state.rawValue), .integer(job.priority),
                            .real(job.created.timeIntervalSince1970), .text(try Self.record(job))])
        }
    }

    public func updateJob(_ job: Job, expecting expected: JobState) async throws -> Bool {
        try await db.perform { [self] in
            try db.transaction {
                let changed = try db.queryInTransaction("UPDATE jobs SET state = ?, record = ? WHERE id = ? AND state = ? RETURNING id",
                                                        [.text(job.state.rawValue), .text(try Self.record(job)), .text(job.id), .text(expected.rawValue)])
                return !changed.isEmpty
            }
        }
    }

    private static func record(_ job: Job) throws -> String {
        String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
    }

    public func job(id: String, workspaceID: String?) async throws -> Job? {
        try await db.perform { [self] in
            let filter = workspaceID == nil ? "" : " AND workspace_id = ?"
            return try db.query("SELECT record FROM jobs WHERE id = ?\(filter)", [SQLValue.text(id)] + (workspaceID.map { [SQLValue.text($0)] } ?? []))
                .first.flatMap(Self.jobFromRow)
        }
    }

    public func jobs(workspaceID: String, limit: Int) async throws -> [Job] {
        try await db.perform { [self] in
            try db.query("SELECT record FROM jobs WHERE workspace_id = ? ORDER BY created DESC, id LIMIT ?", [.text(workspaceID), .integer(limit)])
                .compactMap(Self.jobFromRow)
        }
    }

    public func jobs(in states: [JobState]) async throws -> [Job] {
        try await db.perform { [self] in
            guard !states.isEmpty else { return [] }
            let marks = Array(repeating: "?", count: states.count).joined(separator: ", ")
            return try db.query("SELECT record FROM jobs WHERE state IN (\(marks)) ORDER BY priority DESC, created, id",
                                states.map { SQLValue.text($0.rawValue) }).compactMap(Self.jobFromRow)
        }
    }

    private static func jobFromRow(_ row: [SQLValue]) -> Job? {
        row.first?.string.flatMap { try? JSONDecoder().decode(Job.self, from: Data($0.utf8)) }
    }
}
