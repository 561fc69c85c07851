import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import NIOCore

/// `/api/v1/datasets`: create, list, show, delete datasets; upload a version as the raw request
/// body (streamed and encrypted as it arrives); download a version (verified, then streamed).
struct DatasetRoutes {
    let platform: Platform

    struct CreateBody: Decodable { let name: String }

    func register(on table: PlatformRouteTable) {
        table.add(.get, "/api/v1/datasets", role: .viewer, "list datasets") { _, _, who in
            try jsonResponse(["datasets": try await platform.datasets.list(workspaceID: who.workspaceID).map { $0.summary() }])
        }
        table.add(.post, "/api/v1/datasets", role: .editor, "create a dataset") { request, _, who in
            let body = try await PlatformJSON.decode(CreateBody.self, from: request, expected: #"{"name": "mnist-train"}"#)
            return try jsonResponse(try await platform.datasets.create(name: body.name, workspaceID: who.workspaceID).summary(), status: .created)
        }
        table.add(.get, "/api/v1/datasets/:id", role: .viewer, "a dataset and its versions") { request, context, who in
            let id = try request.parameter("id", of: context)
            let dataset = try await platform.datasets.get(id: id, workspaceID: who.workspaceID)
            return try jsonResponse(dataset.summary(versions: try await platform.datasets.versions(id: id, workspaceID: who.workspaceID)))
        }
        table.add(.delete, "/api/v1/datasets/:id", role: .editor, "delete a dataset and its versions") { request, context, who in
            try await platform.datasets.delete(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return try jsonResponse(["deleted": try request.parameter("id", of: context)])
        }
        table.add(.post, "/api/v1/datasets/:id/versions", role: .editor, "upload a new version (the raw body)") { request, context, who in
            try await upload(request, id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
        }
        table.add(.get, "/api/v1/datasets/:id/versions/:version", role: .viewer, "download a version") { request, context, who in
            try await download(id: try request.parameter("id", of: context), version: try request.parameter("version", of: context),
                               workspaceID: who.workspaceID)
        }
    }

    /// Streams the body into an encrypted upload; commits only when the body arrived whole.
    private func upload(_ request: Request, id: String, workspaceID: String) async throws -> Response {
        try StreamedBody.checkDeclaredLength(of: request, limit: platform.datasets.maxUploadBytes, what: "an upload")
        let upload = try await platform.datasets.beginUpload(id: id, workspaceID: workspaceID)
        try await StreamedBody.feed(request, into: upload, what: "the upload")
        return try jsonResponse(try await upload.commit(), status: .created)
    }

    /// Verifies a version whole, then streams its plaintext.
    private func download(id: String, version text: String, workspaceID: String) async throws -> Response {
        guard let number = Int(text), number > 0 else {
            throw PlatformError(.badRequest, "version \(text) is not a positive integer")
        }
        let (version, stream) = try await platform.datasets.open(id: id, version: number, workspaceID: workspaceID)
        return streamResponse(stream, size: version.size, sha256: version.sha256)
    }
}
