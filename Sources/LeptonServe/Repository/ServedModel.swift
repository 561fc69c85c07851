import Foundation

/// A loaded model version being served: the model, its configuration, its batcher and statistics.
public final class ServedModel: Sendable {
    /// The model's name (its folder in the repository).
    public let name: String
    /// The version number (its version folder).
    public let version: Int
    /// The backend model.
    public let model: any InferenceModel
    /// How it is served.
    public let config: ModelConfig
    /// Its request queue.
    public let batcher: DynamicBatcher
    /// Its counters.
    public let statistics: ModelStatistics

    /// Wraps a loaded model with a batcher and statistics.
    public init(name: String, version: Int, model: any InferenceModel, config: ModelConfig, metrics: ServeMetrics? = nil) {
        self.name = name
        self.version = version
        self.model = model
        var config = config
        if !model.batched { config.maxBatchSize = 0 }
        if config.maxBatchSize == 0 { config.dynamicBatching = false }
        self.config = config
        let statistics = ModelStatistics(name: name, version: String(version), metrics: metrics)
        self.statistics = statistics
        batcher = DynamicBatcher(model: model, config: config, statistics: statistics, label: "\(name)/\(version)")
    }

    /// The model metadata of the V2 protocol (`GET /v2/models/{name}`): shapes with -1 for the batch
    /// dimension (batched models) and any variable dimension.
    public var metadata: ModelMetadata {
        ModelMetadata(name: name, versions: [String(version)], platform: model.platform,
                      inputs: model.inputs.map { .init(name: $0.name, datatype: $0.datatype.rawValue, shape: shape($0)) },
                      outputs: model.outputs.map { .init(name: $0.name, datatype: $0.datatype.rawValue, shape: shape($0)) })
    }

    /// A tensor's whole shape as requests give it: the batch dimension first for batched models.
    func shape(_ spec: TensorSpec) -> [Int] { model.batched ? [-1] + spec.dims : spec.dims }

    /// Checks a request against the model, queues it for a batch and builds the response.
    /// - Parameter timeout: how long the inference may take (nil: no limit).
    /// - Throws: ``ServeError``: 400 for inputs or outputs that do not fit the model, 503 when the
    ///   queue is full, 504 past the timeout, 500 when the forward pass fails.
    public func infer(_ request: InferRequest, timeout: Duration? = nil) async throws -> InferResponse {
        let inputs = try validate(request)
        let outputs = try await batcher.submit(inputs, timeout: timeout)
        let wanted = request.outputs.isEmpty ? model.outputs.map { RequestedOutput(name: $0.name) } : request.outputs
        return InferResponse(modelName: name, modelVersion: String(version), id: request.id, outputs: try wanted.map {
            guard let tensor = outputs[$0.name] else {
                throw ServeError.internalError("model '\(name)' did not produce its output '\($0.name)'")
            }
            let answer = try $0.classification.map { try Classification.topK(tensor, k: $0) } ?? tensor
            return (answer, $0.binaryData ?? request.binaryDataOutput)
        })
    }

    /// The request's inputs by name, after checking names, datatypes and shapes against the model.
    func validate(_ request: InferRequest) throws -> [String: V2Tensor] {
        var byName: [String: V2Tensor] = [:]
        let expected = model.inputs.map(\.name).joined(separator: ", ")
        for sent in request.inputs {
            guard byName[sent.name] == nil else { throw ServeError.badRequest("input '\(sent.name)' is given twice") }
            guard let spec = model.inputs.first(where: { $0.name == sent.name }) else {
                throw ServeError.badRequest("unknown input '\(sent.name)' (model '\(name)' takes: \(expected))")
            }
            // Smaller integers widen to the model's type (pixels sent as UINT8 to a float model).
            let input = sent.datatype == spec.datatype ? sent : sent.widened(to: spec.datatype) ?? sent
            guard input.datatype == spec.datatype else {
                throw ServeError.badRequest("input '\(input.name)': datatype \(input.datatype.rawValue) does not match the model's \(spec.datatype.rawValue)"
                                            + (spec.datatype == .fp32 || spec.datatype == .int32 ? " (UINT8, INT8, UINT16 and INT16 are widened to it)" : ""))
            }
            let expected = shape(spec)
            let fits = input.shape.count == expected.count && (!model.batched || input.shape[0] >= 1)
                && zip(input.shape, expected).allSatisfy { $1 == -1 || $0 == $1 }
            guard fits else {
                throw ServeError.badRequest("input '\(input.name)': shape \(input.shape) does not match the model's \(expected)"
                                            + (model.batched ? " (batch dimension first, ≥ 1)" : " (no batch dimension: max_batch_size 0, shapes taken literally)"))
            }
            byName[input.name] = input
        }
        if let missing = model.inputs.first(where: { byName[$0.name] == nil }) {
            throw ServeError.badRequest("missing input '\(missing.name)' (model '\(name)' takes: \(expected))")
        }
        for output in request.outputs where !model.outputs.contains(where: { $0.name == output.name }) {
            throw ServeError.badRequest("unknown output '\(output.name)' (model '\(name)' gives: \(model.outputs.map(\.name).joined(separator: ", ")))")
        }
        return byName
    }
}

/// The V2 model metadata response.
public struct ModelMetadata: Sendable, Codable, Equatable {
    /// A tensor's metadata.
    public struct Tensor: Sendable, Codable, Equatable {
        /// Its name.
        public var name: String
        /// Its V2 datatype name.
        public var datatype: String
        /// Its shape, -1 for the batch and variable dimensions.
        public var shape: [Int]

        /// Creates a tensor's metadata.
        public init(name: String, datatype: String, shape: [Int]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }

    /// The model's name.
    public var name: String
    /// The versions this metadata covers.
    public var versions: [String]
    /// The backend (`"lepton"`).
    public var platform: String
    /// The inputs.
    public var inputs: [Tensor]
    /// The outputs.
    public var outputs: [Tensor]
}
