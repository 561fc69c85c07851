import Foundation

/// An output the client asked for, and how it wants it.
public struct RequestedOutput: Sendable, Equatable {
    /// The output's name.
    public var name: String
    /// Whether to send it in binary (nil: follow the request's `binary_data_output`).
    public var binaryData: Bool?
    /// Triton's classification extension: send the best `classification` classes of each row
    /// (`"value:index"` strings) instead of the scores.
    public var classification: Int?

    /// Creates a requested output.
    public init(name: String, binaryData: Bool? = nil, classification: Int? = nil) {
        self.name = name
        self.binaryData = binaryData
        self.classification = classification
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

    /// The accepted values of the `timeout` parameter, in microseconds: up to one hour (longer
    /// limits are refused with a 400; the server's `--request-timeout` applies whichever is shorter).
    public static let timeoutRange = 1...3_600_000_000

    /// The request's own time limit (Triton's `timeout` parameter, in microseconds), if it set one.
    public var timeout: Duration? { parameters["timeout"]?.intValue.map { .microseconds($0) } }

    /// The limit that applies: the request's own or the server's, whichever is shorter.
    public func effectiveTimeout(server: Duration?) -> Duration? {
        switch (timeout, server) {
        case let (own?, server?): return min(own, server)
        case let (own, server): return own ?? server
        }
    }
}
