import Foundation

/// An input or output of a model: name, datatype and dimensions, -1 marking a dimension of any
/// size. For a batched model (``InferenceModel/batched``) the dimensions are those of one sample,
/// without the batch dimension; for an unbatched one (Triton's `max_batch_size: 0`) they are the
/// whole shape, taken literally.
public struct TensorSpec: Sendable, Equatable, Codable {
    /// The tensor's name in requests and responses.
    public var name: String
    /// The element type.
    public var datatype: V2DataType
    /// The dimensions of one sample (batched models) or the whole shape (unbatched); -1 for a variable dimension.
    public var dims: [Int]

    /// Creates a spec.
    public init(name: String, datatype: V2DataType, dims: [Int]) {
        self.name = name
        self.datatype = datatype
        self.dims = dims
    }
}

/// A model the server can run: its input and output specs and a batched forward pass.
///
/// Backends conform to this protocol and come with an ``InferenceModelLoader``: the Lepton model-folder
/// backend (``LeptonInferenceModel``) today, ONNX models through a loader of their own.
/// `infer` receives whole batches (the first dimension of every input is the batch) and must
/// return outputs with the same first dimension, row *i* answering input row *i*. It may be
/// called from several threads at once when a model has more than one instance.
public protocol InferenceModel: Sendable {
    /// The backend's platform name in model metadata (`"lepton"`, `"onnx"`).
    var platform: String { get }
    /// The inputs, in order.
    var inputs: [TensorSpec] { get }
    /// The outputs, in order.
    var outputs: [TensorSpec] { get }
    /// Whether every input and output has a leading batch dimension that ``inputs`` and
    /// ``outputs`` leave out, so requests can be merged (Triton's `max_batch_size > 0`). When
    /// false, shapes are taken literally and each request runs alone (`max_batch_size: 0`).
    var batched: Bool { get }
    /// Runs a batch; every input has already been checked against ``inputs``.
    /// - Throws: ``ServeError`` for values the model cannot take (an index out of range, …).
    func infer(_ inputs: [String: V2Tensor]) throws -> [String: V2Tensor]
}

extension InferenceModel {
    /// Batched by default (Lepton model folders always are).
    public var batched: Bool { true }
}

/// Finds and loads one backend's models from version folders.
public protocol InferenceModelLoader: Sendable {
    /// The platform the loader produces (matches ``InferenceModel/platform``).
    var platform: String { get }
    /// Whether `folder` (`<repo>/<model>/<version>/`) holds a model of this backend.
    func canLoad(_ folder: URL) -> Bool
    /// Loads the model in `folder` with the model's configuration (input/output names).
    /// - Throws: any error whose description says why the model could not be loaded.
    func load(_ folder: URL, config: ModelConfig) throws -> any InferenceModel
}
