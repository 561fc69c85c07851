import Foundation
import LeptonSQL

extension SQLPlatformStore {
    public func insertModel(_ model: RegisteredModel) async throws {
        try await db.perform { [self] in
            let record = try Self.json(model)
            try db.transaction {
                guard try db.queryInTransaction("SELECT 1 FROM models WHERE workspace_id = ? AND name = ?",
                                                [.text(model.workspaceID), .text(model.name)]).isEmpty else {
                    throw PlatformError(.conflict, "a model named \"\(model.name)\" exists already in this workspace")
                }
                try db.queryInTransaction("""
                    INSERT INTO models (id, workspace_id, name, created, wrapped_key, master_key_id, record) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [.text(model.id), .text(model.workspaceID), .text(model.name), .real(model.created.timeIntervalSince1970),
                          .text(model.wrappedKey), .text(model.masterKeyID), .text(record)])
            }
        }
    }

    public func updateModel(_ model: RegisteredModel) async throws {
        try await db.perform { [self] in
            try db.execute("UPDATE models SET record = ? WHERE id = ?", [.text(try Self.json(model)), .text(model.id)])
        }
    }

    public func model(id: String, workspaceID: String) async throws -> RegisteredModel? {
        try await db.perform { [self] in
            try db.query("\(Self.modelSelect) WHERE id = ? AND workspace_id = ?", [.text(id), .text(workspaceID)]).first.flatMap(Self.modelFromRow)
        }
    }

    public func model(named name: String, workspaceID: String) async throws -> RegisteredModel? {
        try await db.perform { [self] in
            try db.query("\(Self.modelSelect) WHERE name = ? AND workspace_id = ?", [.text(name), .text(workspaceID)]).first.flatMap(Self.modelFromRow)
        }
    }

    public func models(workspaceID: String?) async throws -> [RegisteredModel] {
        try await db.perform { [self] in
            let rows = try workspaceID.map { try db.query("\(Self.modelSelect) WHERE workspace_id = ? ORDER BY created, id", [SQLValue.text($0)]) }
                ?? db.query("\(Self.modelSelect) ORDER BY created, id")
            return rows.compactMap(Self.modelFromRow)
        }
    }

    public func insertModelVersion(modelID: String, lineage: ModelLineage, files: [ModelFile], created: Date) async throws -> ModelVersion {
        try await db.perform { [self] in
            try db.transaction {
                let number = (try db.queryInTransaction("SELECT MAX(number) FROM model_versions WHERE model_id = ?",
                                                        [.text(modelID)]).first?.first?.int ?? 0) + 1
                let version = ModelVersion(modelID: modelID, number: number, lineage: lineage, files: files, created: created)
                try db.queryInTransaction("INSERT INTO model_versions (model_id, number, record) VALUES (?, ?, ?)",
                                          [.text(modelID), .integer(number), .text(try Self.json(version))])
                return version
            }
        }
    }

    public func modelVersions(modelID: String) async throws -> [ModelVersion] {
        try await db.perform { [self] in
            try db.query("SELECT record FROM model_versions WHERE model_id = ? ORDER BY number", [.text(modelID)]).compactMap {
                $0.first?.string.flatMap { try? JSONDecoder().decode(ModelVersion.self, from: Data($0.utf8)) }
            }
        }
    }

    /// The record with the key columns (the columns win: rotation updates only them).
    private static let modelSelect = "SELECT record, wrapped_key, master_key_id FROM models"

    private static func modelFromRow(_ row: [SQLValue]) -> RegisteredModel? {
        guard var model = row[0].string.flatMap({ try? JSONDecoder().decode(RegisteredModel.self, from: Data($0.utf8)) }),
              let wrapped = row[1].string, let master = row[2].string else { return nil }
        model.wrappedKey = wrapped
        model.masterKeyID = master
        return model
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

extension SQLPlatformStore {
    public func insertListing(_ listing: MarketListing) async throws {
        try await db.perform { [self] in
            try db.execute("INSERT INTO market_listings (id, workspace_id, created, record) VALUES (?, ?, ?, ?)",
                           [.text(listing.id), .text(listing.workspaceID), .real(listing.created.timeIntervalSince1970), .text(try Self.json(listing))])
        }
    }

    public func listing(id: String) async throws -> MarketListing? {
        try await db.perform { [self] in
            try db.query("SELECT record FROM market_listings WHERE id = ?", [.text(id)]).first.flatMap(Self.listingFromRow)
        }
    }

    public func listings() async throws -> [MarketListing] {
        try await db.perform { [self] in
            try db.query("SELECT record FROM market_listings ORDER BY created DESC, id").compactMap(Self.listingFromRow)
        }
    }

    private static func listingFromRow(_ row: [SQLValue]) -> MarketListing? {
        row.first?.string.flatMap { try? JSONDecoder().decode(MarketListing.self, from: Data($0.utf8)) }
    }
}
