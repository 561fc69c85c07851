import Foundation
import LeptonData
import LeptonServe

/// Targets for what `lepton serve` reads from the network: V2 inference bodies (JSON, and
/// JSON + binary tensors) and compressed bodies.
enum ServeTargets {
    /// The element limit the fuzzed server runs with (its default is larger; a small one makes
    /// the limit's own checks reachable).
    static let maximumElements = 1 << 20

    static let v2JSON = FuzzTarget(
        "v2-json", "V2 inference requests in JSON (InferCodec.decodeRequest, then the response encoder)",
        seeds: { _ in
            [
                #"{"inputs":[{"name":"input","shape":[1,3],"datatype":"FP32","data":[1,2.5,-3e2]}]}"#,
                #"{"id":"7","inputs":[{"name":"ids","shape":[2,2],"datatype":"INT32","data":[[1,2],[3,4]]}],"outputs":[{"name":"output","parameters":{"classification":2}}]}"#,
                #"{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["a fine film"]}],"parameters":{"timeout":1000000}}"#,
                #"{"inputs":[{"name":"x","shape":[2],"datatype":"UINT8","data":[0,255]},{"name":"b","shape":[1],"datatype":"BOOL","data":[true]}]}"#,
            ].map { Data($0.utf8) }
        },
        body: { data, _ in try roundTrip([UInt8](data), headerLength: nil) })

    static let v2Binary = FuzzTarget(
        "v2-binary", "V2 requests with binary tensors: 4 bytes of header length (little-endian), then the body",
        seeds: { _ in
            func request(_ header: String, _ payload: [UInt8]) -> Data {
                let n = header.utf8.count
                return Data([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array(header.utf8) + payload)
            }
            let floats = [Float](arrayLiteral: 1, 2, 3).flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            return [
                request(#"{"inputs":[{"name":"input","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}],"outputs":[{"name":"output","parameters":{"binary_data":true}}]}"#, floats),
                request(#"{"inputs":[{"name":"t","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":11}}]}"#,
                        [2, 0, 0, 0] + Array("hi".utf8) + [1, 0, 0, 0, 0x21]),
            ]
        },
        body: { data, _ in
            guard data.count >= 4 else { throw ServeError.badRequest("fuzz input shorter than its 4-byte header length") }
            let bytes = [UInt8](data)
            let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
            try roundTrip(Array(bytes[4...]), headerLength: String(length))
        })

    static let compressedBody = FuzzTarget(
        "gzip-body", "gzip (first byte even) or deflate (odd) request bodies, inflated under a 1 MiB limit (HTTPCompression.decodeBody)",
        seeds: { _ in
            let body = Data(#"{"inputs":[{"name":"input","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#.utf8)
            return [Data([0]) + Gzip.compress(body, format: .gzip), Data([1]) + Gzip.compress(body, format: .zlib),
                    Data([0]) + Gzip.compress(Data(count: 1 << 16), format: .gzip)]
        },
        body: { data, _ in
            guard let first = data.first else { throw ServeError.badRequest("empty fuzz input") }
            _ = try HTTPCompression.decodeBody([UInt8](data.dropFirst()), contentEncoding: first % 2 == 0 ? "gzip" : "deflate",
                                               limit: 1 << 20)
        })

    /// Decodes a request and encodes its inputs back as a response, as an echo model would.
    static func roundTrip(_ body: [UInt8], headerLength: String?) throws {
        let request = try InferCodec.decodeRequest(body, headerLength: headerLength, maximumElements: maximumElements)
        let response = InferResponse(modelName: "echo", modelVersion: "1", id: request.id,
                                     outputs: request.inputs.map { ($0, headerLength != nil) })
        _ = try InferCodec.encodeResponse(response)
    }
}
