import Foundation
import Hummingbird
import LeptonPlatform

/// `/api/v1/keys` (admin): create a key (its token is in this answer only), list, revoke.
struct KeyRoutes {
    let platform: Platform

    /// `POST /api/v1/keys` body.
    struct CreateBody: Decodable {
        let role: String
        let name: String?
        let expiresInSeconds: Double?
    }

    /// The answer to a create: the key and its token, shown once.
    struct Created: Encodable {
        let key: APIKey.Summary
        let token: String
    }

    func register(on table: PlatformRouteTable) {
        table.add(.get, "/api/v1/keys", role: .admin, "list the workspace's keys") { _, _, who in
            try jsonResponse(["keys": try await platform.keys.list(workspaceID: who.workspaceID).map(\.summary)])
        }
        table.add(.post, "/api/v1/keys", role: .admin, "create a key; its token is shown in this answer only") { request, _, who in
            let body = try await PlatformJSON.decode(CreateBody.self, from: request,
                                                     expected: #"{"role": "viewer|editor|admin", "name": "…", "expires_in_seconds": 86400}"#)
            let issued = try await platform.keys.create(workspaceID: who.workspaceID, role: try Role.parse(body.role),
                                                        name: body.name ?? "\(body.role) key", expiresIn: body.expiresInSeconds)
            return try jsonResponse(Created(key: issued.key.summary, token: issued.token), status: .created)
        }
        table.add(.delete, "/api/v1/keys/:id", role: .admin, "revoke a key") { request, context, who in
            let key = try await platform.keys.revoke(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return try jsonResponse(key.summary)
        }
    }
}

/// `/api/v1/audit` (admin): the workspace's audit rows, oldest first, paged by sequence.
struct AuditRoutes {
    let platform: Platform

    func register(on table: PlatformRouteTable) {
        table.add(.get, "/api/v1/audit", role: .admin, "the workspace's audit rows (?after=SEQUENCE&limit=N)") { request, _, who in
            let records = try await platform.audit.records(workspaceID: who.workspaceID, after: try request.integerQuery("after", default: 0),
                                                           limit: try request.integerQuery("limit", default: 100))
            return try jsonResponse(["records": records])
        }
    }
}
