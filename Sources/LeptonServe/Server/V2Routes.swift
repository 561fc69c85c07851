import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import LeptonData
import NIOCore

/// The V2 / Triton HTTP routes, thin handlers over the ``ModelRepository`` and ``ServedModel``.
struct V2Routes {
    let server: ModelServer

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v2") { _, _ in
            try jsonResponse(ServerMetadata(name: "lepton", version: ModelServer.version,
                                            extensions: ["classification", "binary_tensor_data", "model_repository", "model_configuration", "statistics"]),
                             encoder: ServeJSON.encoder)
        }
        router.get("/v2/health/live") { _, _ in jsonResponse(data: Data("{\"live\":true}".utf8)) }
        router.get("/v2/health/ready") { _, _ in
            guard server.isReady else { throw ServeError.unavailable("the server is loading its models") }
            return jsonResponse(data: Data("{\"ready\":true}".utf8))
        }
        router.get("/v2/models/stats") { _, _ in try statistics(nil, nil) }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in try metadata(context) }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                _ = try served(context)
                return jsonResponse(data: Data("{\"ready\":true}".utf8))
            }
            router.get(RouterPath(prefix + "/config")) { _, context in try jsonResponse(ModelConfigDocument(try served(context)), encoder: ServeJSON.encoder) }
            router.get(RouterPath(prefix + "/stats")) { _, context in
                try statistics(context.parameters.get("name"), context.parameters.get("version"))
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in try await infer(request, context) }
        }
        router.post("/v2/repository/index") { request, _ in
            let body = try await server.readJSONObject(request)
            guard let ready = body["ready"] else { return try jsonResponse(server.repository.index(), encoder: ServeJSON.encoder) }
            guard let onlyReady = ready.boolValue else { throw ServeError.badRequest("index: \"ready\" must be true or false") }
            return try jsonResponse(server.repository.index().filter { !onlyReady || $0.state == .ready }, encoder: ServeJSON.encoder)
        }
        router.post("/v2/repository/models/:name/load") { request, context in
            let body = try await server.readJSONObject(request)
            var override: JSONValue?
            if let parameters = body["parameters"]?.objectValue {
                for key in parameters.keys where key != "config" {
                    throw ServeError.badRequest("load: parameter '\(key)' is not supported (only \"config\", a JSON model configuration)")
                }
                if let text = parameters["config"] {
                    guard let string = text.stringValue, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(string.utf8)) else {
                        throw ServeError.badRequest("load: parameters.config must be a string holding a JSON model configuration")
                    }
                    override = value
                }
            }
            try await server.repository.load(try context.parameters.require("name"), override: override)
            return jsonResponse(data: Data("{}".utf8))
        }
        router.post("/v2/repository/models/:name/unload") { request, context in
            _ = try await server.readJSONObject(request)
            try await server.repository.unload(try context.parameters.require("name"))
            return jsonResponse(data: Data("{}".utf8))
        }
    }

    private func served(_ context: BasicRequestContext) throws -> ServedModel {
        try server.repository.served(try context.parameters.require("name"), version: context.parameters.get("version"))
    }

    private func metadata(_ context: BasicRequestContext) throws -> Response {
        let model = try served(context)
        var metadata = model.metadata
        if context.parameters.get("version") == nil {
            metadata.versions = server.repository.readyModels().filter { $0.name == model.name }.map { String($0.version) }
        }
        return try jsonResponse(metadata, encoder: ServeJSON.encoder)
    }

    private func statistics(_ name: String?, _ version: String?) throws -> Response {
        let models: [ServedModel]
        if let name {
            let one = try server.repository.served(name, version: version)
            models = version == nil ? server.repository.readyModels().filter { $0.name == name } : [one]
        } else {
            models = server.repository.readyModels()
        }
        return try jsonResponse(["model_stats": models.map(\.statistics.snapshot)], encoder: ServeJSON.encoder)
    }

    private func infer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let model = try served(context)
        let body = try HTTPCompression.decodeBody(try await server.readBody(request), contentEncoding: request.headers[.contentEncoding],
                                                  limit: server.options.maxInflatedBytes)
        let decoded = try InferCodec.decodeRequest(body, headerLength: request.headers[.inferenceHeaderLength],
                                                   maximumElements: server.options.maxRequestElements)
        let answer = try await model.infer(decoded, timeout: decoded.effectiveTimeout(server: server.options.requestTimeout))
        var (bytes, headerLength) = try InferCodec.encodeResponse(answer)
        var headers = HTTPFields()
        if let headerLength {
            headers[.contentType] = "application/octet-stream"
            headers[.inferenceHeaderLength] = String(headerLength)   // of the uncompressed body, as Triton
        } else {
            headers[.contentType] = "application/json"
        }
        if let format = HTTPCompression.responseFormat(acceptEncoding: request.headers[.acceptEncoding]) {
            bytes = [UInt8](Gzip.compress(Data(bytes), format: format))
            headers[.contentEncoding] = HTTPCompression.name(of: format)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// `GET /v2`: the server's name, version and protocol extensions.
struct ServerMetadata: Codable, Sendable {
    var name: String
    var version: String
    var extensions: [String]
}
