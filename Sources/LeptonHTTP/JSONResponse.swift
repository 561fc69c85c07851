import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response with a JSON body.
public func jsonResponse(data: Data, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// A response with an `Encodable` value as its JSON body, written by `encoder` (each server has
/// its own conventions: the model server keeps Triton's keys, the platform writes snake_case).
public func jsonResponse<T: Encodable>(_ value: T, encoder: JSONEncoder, status: HTTPResponse.Status = .ok) throws -> Response {
    jsonResponse(data: try encoder.encode(value), status: status)
}
