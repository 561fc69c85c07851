import Foundation

/// Reads inference requests and writes responses in JSON or with Triton's binary tensor
/// extension: a JSON header of `Inference-Header-Content-Length` bytes, then the binary inputs
/// (those with `parameters.binary_data_size`) back to back, in input order.
public enum InferCodec {
    /// The header that carries the JSON part's length in binary requests and responses.
    public static let headerLengthField = "Inference-Header-Content-Length"

    /// Decodes a request body.
    /// - Parameters:
    ///   - body: The whole body.
    ///   - headerLength: The `Inference-Header-Content-Length` header's value, if sent.
    ///   - maximumElements: The most tensor elements the request's inputs may hold together.
    /// - Throws: ``ServeError`` (400) naming what was malformed: JSON, a datatype, a missing or
    ///   truncated binary payload, a bad header length; 413 past `maximumElements`.
    public static func decodeRequest(_ body: [UInt8], headerLength: String?, maximumElements: Int = .max) throws -> InferRequest {
        var jsonLength = body.count
        if let headerLength {
            guard let n = Int(headerLength.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw ServeError.badRequest("\(headerLengthField) must be a non-negative integer, got \"\(headerLength)\"")
            }
            guard n <= body.count else {
                throw ServeError.badRequest("\(headerLengthField) is \(n) but the body has only \(body.count) bytes")
            }
            jsonLength = n
        }
        let document: JSONNode
        let tooMany = { (what: String) in
            ServeError.tooLarge("\(what); the server takes at most \(maximumElements) tensor elements per request (--max-request-elements)")
        }
        do {
            // Every element is one JSON value; the rest of a request is a few hundred at most.
            let (maximumValues, _) = maximumElements.addingReportingOverflow(65_536)
            document = try body.withUnsafeBufferPointer {
                try JSONScanner.parse(UnsafeBufferPointer(rebasing: $0[0..<jsonLength]), maximumValues: maximumValues < 0 ? .max : maximumValues)
            }
        } catch let error as JSONScanner.TooManyValues {
            throw error.isValueLimit ? tooMany(error.description) : ServeError.tooLarge(error.description)
        } catch {
            let binary = headerLength == nil && body.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d }
            let hint = binary ? " (binary tensor data after the JSON needs the \(headerLengthField) header)" : ""
            throw ServeError.badRequest("malformed inference request: \(error)\(hint)")
        }
        let header = try InferHeader(document)
        var total = 0
        for input in header.inputs {
            let (sum, overflow) = total.addingReportingOverflow(try V2Tensor.elementCount(input.shape, name: input.name))
            guard !overflow, sum <= maximumElements else { throw tooMany("the inputs' shapes hold more than \(maximumElements) elements") }
            total = sum
        }
        var offset = jsonLength
        var inputs: [V2Tensor] = []
        for input in header.inputs {
            let what = "input '\(input.name)'"
            let elements: V2Tensor.Elements
            switch (input.elements, input.binaryDataSize) {
            case (let json?, nil):
                elements = json
            case (nil, let size?):
                guard headerLength != nil else {
                    throw ServeError.badRequest("\(what) has binary_data_size but the request has no \(headerLengthField) header")
                }
                guard size <= body.count - offset else {
                    throw ServeError.badRequest("\(what): binary_data_size is \(size) bytes but only \(body.count - offset) remain in the body (truncated binary payload)")
                }
                elements = try decodeBinary(body[offset..<(offset + size)], datatype: input.datatype, what: what)
                offset += size
            case (.some, .some):
                throw ServeError.badRequest("\(what) has both data and binary_data_size (expected one)")
            case (nil, nil):
                throw ServeError.badRequest("\(what) has neither data nor parameters.binary_data_size")
            }
            inputs.append(try V2Tensor(name: input.name, datatype: input.datatype, shape: input.shape, elements: elements))
        }
        if offset != body.count {
            throw ServeError.badRequest("\(body.count - offset) bytes after the JSON header are not claimed by any input's binary_data_size")
        }
        var parameters: [String: JSONValue] = [:]
        if header.binaryDataOutput { parameters["binary_data_output"] = .bool(true) }
        if let timeout = header.timeoutMicroseconds { parameters["timeout"] = .int(Int64(timeout)) }
        return InferRequest(id: header.id, inputs: inputs, outputs: header.outputs, parameters: parameters)
    }

    /// Decodes one binary tensor: raw little-endian elements, or length-prefixed strings for `BYTES`.
    static func decodeBinary(_ bytes: ArraySlice<UInt8>, datatype: V2DataType, what: String) throws -> V2Tensor.Elements {
        if let size = datatype.elementSize {
            guard bytes.count % size == 0 else {
                throw ServeError.badRequest("\(what): \(bytes.count) binary bytes are not a whole number of \(datatype.rawValue) elements (\(size) bytes each)")
            }
            return .fixed(Array(bytes))
        }
        var strings: [[UInt8]] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes.endIndex - i >= 4 else {
                throw ServeError.badRequest("\(what): BYTES element \(strings.count) has a truncated 4-byte length")
            }
            let length = Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
            i += 4
            guard length <= bytes.endIndex - i else {
                throw ServeError.badRequest("\(what): BYTES element \(strings.count) claims \(length) bytes but only \(bytes.endIndex - i) remain")
            }
            strings.append(Array(bytes[i..<(i + length)]))
            i += length
        }
        return .strings(strings)
    }

    /// The binary form of a tensor's elements.
    static func encodeBinary(_ tensor: V2Tensor) -> [UInt8] {
        switch tensor.elements {
        case .fixed(let bytes): return bytes
        case .strings(let strings):
            var out: [UInt8] = []
            for s in strings {
                let n = UInt32(s.count)
                out += [UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24)]
                out += s
            }
            return out
        }
    }

    /// Encodes a response: JSON alone, or the JSON header followed by the binary outputs.
    /// - Returns: the body and, when any output is binary, the JSON header's length.
    public static func encodeResponse(_ response: InferResponse) throws -> (body: [UInt8], headerLength: Int?) {
        var binary: [UInt8] = []
        var sizes: [Int?] = []
        for (tensor, isBinary) in response.outputs {
            if isBinary {
                let bytes = encodeBinary(tensor)
                binary += bytes
                sizes.append(bytes.count)
            } else {
                sizes.append(nil)
            }
        }
        let json = response.jsonHeader(binarySizes: sizes)
        return sizes.contains { $0 != nil } ? (json + binary, json.count) : (json, nil)
    }
}
