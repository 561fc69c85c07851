import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import NIOCore

/// `/api/v1/models`: the registry — list, show (with versions and lineage), push a version (a tar
/// archive of a model folder, streamed and encrypted as it arrives), alias a version, set the
/// card, download a version's file (by number or alias; verified, then streamed) or the version as ONNX.
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
        table.add(.post, "/api/v1/models/:id/versions", role: .editor,
                  "push a new version: the body is a tar archive of a Lepton model folder's files (a new name creates the model)") { request, context, who in
            try await push(request, name: try request.parameter("id", of: context), workspaceID: who.workspaceID)
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
        table.add(.get, "/api/v1/models/:id/versions/:version/onnx", role: .viewer,
                  "download a version (number or alias) as an ONNX model, as lepton export writes it") { request, context, who in
            let onnx = try await models.onnx(version: try request.parameter("version", of: context), model: try request.parameter("id", of: context),
                                             workspaceID: who.workspaceID)
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: onnx)))
        }
    }

    /// Streams the archive into a push; records the version only when it arrived whole.
    private func push(_ request: Request, name: String, workspaceID: String) async throws -> Response {
        let limit = platform.datasets.maxUploadBytes
        try StreamedBody.checkDeclaredLength(of: request, limit: limit, what: "a model archive")
        let push = try await platform.models.beginPush(name: name, workspaceID: workspaceID, limit: limit)
        try await StreamedBody.feed(request, into: push, what: "the archive")
        let (model, version) = try await push.commit()
        return try jsonResponse(PushedVersion(model: model.summary(), version: version), status: .created)
    }

    struct PushedVersion: Encodable {
        let model: RegisteredModel.Summary
        let version: ModelVersion
    }
}
