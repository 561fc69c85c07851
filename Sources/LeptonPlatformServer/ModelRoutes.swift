import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import NIOCore

/// `/api/v1/models`: the registry — list, show (with versions and lineage), alias a version, set
/// the card, download a version's file (by number or alias; verified, then streamed).
struct ModelRoutes {
    let platform: Platform

    struct AliasBody: Decodable { let version: Int }

    func register(on table: PlatformRouteTable) {
        let models = platform.models
        table.add(.get, "/api/v1/models", role: .viewer, "list registered models") { _, _, who in
            try jsonResponse(["models": try await models.list(workspaceID: who.workspaceID).map { $0.summary() }])
        }
        table.add(.get, "/api/v1/models/:id", role: .viewer, "a model (id or name) with its versions and lineage") { request, context, who in
            let id = try request.parameter("id", of: context)
            let model = try await models.get(id, workspaceID: who.workspaceID)
            return try jsonResponse(model.summary(versions: try await models.versions(model.id, workspaceID: who.workspaceID)))
        }
        table.add(.put, "/api/v1/models/:id/aliases/:alias", role: .editor, "point an alias at a version") { request, context, who in
            let body = try await PlatformJSON.decode(AliasBody.self, from: request, expected: #"{"version": 2}"#)
            let model = try await models.setAlias(try request.parameter("alias", of: context), version: body.version,
                                                  model: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return try jsonResponse(model.summary())
        }
        table.add(.put, "/api/v1/models/:id/card", role: .editor, "replace the model card (Markdown body)") { request, context, who in
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: 256 << 10) } catch is NIOTooManyBytesError {
                throw PlatformError(.tooLarge, "a model card may have at most 256 KiB")
            }
            let model = try await models.setCard(String(decoding: buffer.readableBytesView, as: UTF8.self),
                                                 model: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return try jsonResponse(model.summary())
        }
        table.add(.get, "/api/v1/models/:id/versions/:version/files/:file", role: .viewer,
                  "download a file of a version (number or alias)") { request, context, who in
            let (file, stream) = try await models.openFile(try request.parameter("file", of: context), version: try request.parameter("version", of: context),
                                                           model: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return streamResponse(stream, size: file.size, sha256: file.sha256)
        }
    }
}
