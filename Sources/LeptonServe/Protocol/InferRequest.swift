import Foundation

/// An output the client asked for, and how it wants it.
public struct RequestedOutput: Sendable, Equatable {
    /// The output's name.
    public var name: String
    /// Whether to send it in binary (nil: follow the request's `binary_data_output`).
    public var binaryData: Bool?

    /// Creates a requested output.
    public init(name: String, binaryData: Bool? = nil) {
        self.name = name
        self.binaryData = binaryData
    }
}

/// A decoded V2 inference request: the input tensors with their elements, the outputs asked for,
/// the optional `id` to echo, and the request's parameters.
public struct InferRequest: Sendable {
    /// The client's request id, echoed in the response.
    public var id: String?
    /// The inputs, in the order sent.
    public var inputs: [V2Tensor]
    /// The outputs asked for (empty: every output of the model).
    public var outputs: [RequestedOutput]
    /// Request-level parameters (`binary_data_output`, …).
    public var parameters: [String: JSONValue]

    /// Creates a request.
    public init(id: String? = nil, inputs: [V2Tensor], outputs: [RequestedOutput] = [], parameters: [String: JSONValue] = [:]) {
        self.id = id
        self.inputs = inputs
        self.outputs = outputs
        self.parameters = parameters
    }

    /// Whether the request asked for every output in binary by default.
    public var binaryDataOutput: Bool { parameters["binary_data_output"]?.boolValue ?? false }
}

/// The JSON header of an inference request; `data` is decoded by the input's datatype.
struct InferRequestJSON: Decodable {
    var id: String?
    var parameters: [String: JSONValue]?
    var inputs: [InputJSON]
    var outputs: [OutputJSON]?

    struct InputJSON: Decodable {
        var name: String
        var shape: [Int]
        var datatype: V2DataType
        var parameters: [String: JSONValue]?
        var elements: V2Tensor.Elements?

        enum CodingKeys: String, CodingKey { case name, shape, datatype, parameters, data }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            shape = try c.decode([Int].self, forKey: .shape)
            datatype = try V2DataType.parse(try c.decode(String.self, forKey: .datatype), what: "input '\(name)'")
            parameters = try c.decodeIfPresent([String: JSONValue].self, forKey: .parameters)
            guard c.contains(.data) else { elements = nil; return }
            do {
                elements = try V2Tensor.Elements.decode(datatype, from: c, forKey: .data)
            } catch let error as DecodingError {
                throw ServeError.badRequest("input '\(name)': data must be a nested or flat array of \(datatype.rawValue) values (\(error.summary))")
            } catch {
                // The decoder's own errors (a number out of the type's range) are not DecodingErrors.
                throw ServeError.badRequest("input '\(name)': data must be a nested or flat array of \(datatype.rawValue) values (\(error))")
            }
        }
    }

    struct OutputJSON: Decodable {
        var name: String
        var parameters: [String: JSONValue]?
    }
}

extension DecodingError {
    /// A one-line account of what was wrong and where (`inputs[0].data[3]: expected Float, got a string`).
    var summary: String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "top level" : text
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type), \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
