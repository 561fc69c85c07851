import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import LeptonPlatform
import NIOCore

/// How a platform error becomes an HTTP answer: `{"error": "…"}` with its status.
enum PlatformErrorMapping {
    /// The status of a domain error kind.
    static func status(of kind: PlatformError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badRequest: return .badRequest
        case .unauthenticated: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .tooLarge: return .contentTooLarge
        case .integrity, .internalError: return .internalServerError
        }
    }

    /// The status and message for any error a handler or Hummingbird can throw.
    static func describe(_ error: any Error, request: Request) -> (HTTPResponse.Status, String) {
        if let framework = describeFrameworkError(error, request: request, bodyLimit: "(\(PlatformJSON.maxBodyBytes) bytes of JSON; uploads: --max-upload-bytes)") {
            return framework
        }
        switch error {
        case let error as PlatformError:
            return (status(of: error.kind), error.message)
        case is DecodingError:
            return (.badRequest, "malformed JSON body: \(error)")
        default:
            return (.internalServerError, "internal error: \(error)")
        }
    }
}

/// A JSON response; keys in snake_case, dates in ISO 8601.
func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    try LeptonHTTP.jsonResponse(value, encoder: PlatformJSON.encoder, status: status)
}

/// A verified, decrypted file as an `application/octet-stream` body, sent chunk by chunk, with its
/// SHA-256 in `X-Content-SHA256` so the client can check what it wrote.
func streamResponse(_ stream: DecryptedStream, size: Int, sha256: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/octet-stream"
    headers[.contentSHA256] = sha256
    return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: size) { writer in
        while let chunk = try stream.next() { try await writer.write(ByteBuffer(bytes: chunk)) }
        try await writer.finish(nil)
    })
}

/// The platform API's JSON conventions.
enum PlatformJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Largest JSON request body.
    static let maxBodyBytes = 1 << 20

    /// Decodes a JSON request body of at most ``maxBodyBytes`` as `T`.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the expected shape, or (`tooLarge`).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, expected: String) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
            throw PlatformError(.tooLarge, "a JSON request body may have at most \(maxBodyBytes) bytes")
        }
        do { return try decoder.decode(T.self, from: Data(buffer.readableBytesView)) } catch {
            throw PlatformError(.badRequest, "malformed request body; expected a JSON object \(expected)")
        }
    }
}
