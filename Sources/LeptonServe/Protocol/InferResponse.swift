/// A V2 inference response: the model that answered, the echoed `id`, and the output tensors,
/// each sent as JSON `data` or as binary after the JSON header.
public struct InferResponse: Sendable {
    /// The model's name.
    public var modelName: String
    /// The version that answered.
    public var modelVersion: String
    /// The request's `id`, echoed.
    public var id: String?
    /// The outputs, each with whether it goes in binary.
    public var outputs: [(tensor: V2Tensor, binary: Bool)]

    /// Creates a response.
    public init(modelName: String, modelVersion: String, id: String?, outputs: [(tensor: V2Tensor, binary: Bool)]) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.outputs = outputs
    }
}

/// The JSON header of a response.
struct InferResponseJSON: Encodable {
    var model_name: String
    var model_version: String
    var id: String?
    var outputs: [OutputJSON]

    struct OutputJSON: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
        var parameters: [String: Int]?
        var data: EncodedData?
    }
}
