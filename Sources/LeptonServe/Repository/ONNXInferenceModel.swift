import Foundation
import LeptonONNX
import LeptonTensor

/// An ONNX model served as an ``InferenceModel``: a version folder holding `model.onnx`, or a
/// folder written by `lepton import`. The graph runs on Lepton's tensor ops through
/// LeptonONNX's importer; inputs and outputs keep the element types the graph declares
/// (an `INT64` output is answered as `INT64`).
///
/// A graph is batched (requests merged along the first dimension) when every input and output
/// declares a variable first dimension, as Triton decides for ONNX models, and the graph does not
/// give them different names (``batchable(_:)``). Any other graph — state tensors `[2, batch, 128]`, a
/// scalar sample rate, a fixed `[1, 3, 416, 416]`, outputs whose first dimension is another
/// symbol (`time`) — is served with batching off (Triton's `max_batch_size: 0`): shapes are taken
/// literally and each request runs alone.
///
/// Values are computed in `float32` and `int32` (``ONNXElementType``): an `INT64` input value
/// outside the `Int32` range is refused (400), never clamped; `INT64` outputs are answered as
/// `INT64`, exactly.
public final class ONNXInferenceModel: InferenceModel, @unchecked Sendable {
    /// `"onnx"`.
    public let platform = "onnx"
    /// The graph's inputs (dimensions after the batch dimension when ``batched``, else the whole shape).
    public let inputs: [TensorSpec]
    /// The graph's outputs (dimensions after the batch dimension when ``batched``, else the whole shape).
    public let outputs: [TensorSpec]
    /// Whether requests are merged along a leading batch dimension (see the type's documentation).
    public let batched: Bool
    private let graph: ONNXGraphModel
    private let graphInputs: [ONNXTensorSpec]
    private let graphOutputs: [ONNXTensorSpec]

    /// Loads `model.onnx` or an imported-ONNX folder; `config` may rename inputs and outputs.
    /// - Throws: ``ServeError`` (or the importer's `ONNXError`) saying why the model cannot be served.
    public init(folder: URL, config: ModelConfig) throws {
        let onnxFile = folder.appendingPathComponent(ONNXModelLoader.fileName)
        let source = FileManager.default.fileExists(atPath: onnxFile.path) ? onnxFile : folder
        guard let graph = try LeptonONNX.ModelLoader.load(source).model as? ONNXGraphModel else {
            throw ServeError.badRequest("\(folder.path) does not hold an ONNX graph")
        }
        graph.eval()
        self.graph = graph
        graphInputs = graph.inputSpecs
        graphOutputs = graph.outputSpecs
        batched = Self.batchable(graph.inputSpecs + graph.outputSpecs)
        inputs = try Self.specs(graph.inputSpecs, names: config.inputNames, role: "input", batched: batched)
        outputs = try Self.specs(graph.outputSpecs, names: config.outputNames, role: "output", batched: batched)
    }

    /// Whether graph values can be batched together: every one has a variable first dimension,
    /// and the graph names those dimensions alike where it names them. Names converters make up
    /// for an unknown dimension (tf2onnx's `unk__749`, paddle2onnx's `p2o.DynamicDimension.0`)
    /// say nothing and count as unnamed; a real name that differs (`batch_size` in, `time` out)
    /// means the first dimensions are not one batch.
    public static func batchable(_ specs: [ONNXTensorSpec]) -> Bool {
        guard specs.allSatisfy({ $0.shape?.first == -1 }) else { return false }
        let names = Set(specs.compactMap { $0.dimensionNames?.first ?? nil }.filter { !isGeneratedName($0) })
        return names.count <= 1
    }

    /// `unk__N` (tf2onnx) or `p2o.DynamicDimension.N` (paddle2onnx).
    static func isGeneratedName(_ name: String) -> Bool {
        for prefix in ["unk__", "p2o.DynamicDimension."] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if !rest.isEmpty && rest.allSatisfy(\.isNumber) { return true }
        }
        return false
    }

    private static func specs(_ specs: [ONNXTensorSpec], names: [String]?, role: String, batched: Bool) throws -> [TensorSpec] {
        if let names, names.count != specs.count {
            throw ServeError.badRequest("\(ModelConfig.fileName): the config names \(names.count) \(role)(s), the graph has \(specs.count)")
        }
        return try specs.enumerated().map { index, spec in
            guard let shape = spec.shape else {
                throw ServeError.badRequest("\(role) '\(spec.name)' declares no shape; the server needs the rank of every input and output")
            }
            guard let datatype = V2DataType(spec.elementType) else {
                throw ServeError.badRequest("\(role) '\(spec.name)' has element type \(spec.elementType), which the server cannot carry")
            }
            return TensorSpec(name: names?[index] ?? spec.name, datatype: datatype, dims: batched ? Array(shape.dropFirst()) : shape)
        }
    }

    /// Runs one batch through the graph.
    /// - Throws: ``ServeError`` (400) when a node cannot run on the given values (naming it).
    public func infer(_ request: [String: V2Tensor]) throws -> [String: V2Tensor] {
        let tensors = try zip(inputs, graphInputs).map { spec, graphSpec -> Tensor in
            guard let value = request[spec.name] else { throw ServeError.badRequest("missing input '\(spec.name)'") }
            return try Self.leptonTensor(value, as: graphSpec.dtype)
        }
        let results: [ONNXValue]
        do { results = try graph.run(tensors) } catch let error as ONNXError {
            throw ServeError.badRequest("the model cannot run on these inputs: \(error.description)")
        }
        var answer: [String: V2Tensor] = [:]
        for (spec, value) in zip(outputs, results) {
            answer[spec.name] = Self.v2Tensor(value, name: spec.name, as: spec.datatype)
        }
        return answer
    }

    /// A request tensor as Lepton values (`float32` for floating types, `int32` otherwise).
    /// - Throws: ``ServeError`` (400) for an integer outside the `Int32` range (Lepton computes
    ///   integers in `int32`; such a value is refused rather than clamped).
    public static func leptonTensor(_ value: V2Tensor, as dtype: DType) throws -> Tensor {
        if dtype == .float32 {
            let floats: [Float]
            switch value.datatype {
            case .fp64: floats = value.typed(Double.self).map { Float($0) }
            case .fp16: floats = value.typed(UInt16.self).map(HalfPrecision.float(fromHalf:))
            default: floats = value.typed(Float.self)
            }
            return Tensor(floats, shape: value.shape)
        }
        let ints: [Int32]
        switch value.datatype {
        case .bool, .uint8: ints = value.typed(UInt8.self).map { Int32($0) }
        case .int8: ints = value.typed(Int8.self).map { Int32($0) }
        case .int16: ints = value.typed(Int16.self).map { Int32($0) }
        case .uint16: ints = value.typed(UInt16.self).map { Int32($0) }
        case .int64: ints = try exact(value.typed(Int64.self), value)
        case .uint32: ints = try exact(value.typed(UInt32.self), value)
        case .uint64: ints = try exact(value.typed(UInt64.self), value)
        default: ints = value.typed(Int32.self)
        }
        return Tensor(int32: ints, shape: value.shape)
    }

    /// The values as `Int32`, or a 400 naming the first one outside its range.
    private static func exact<T: BinaryInteger>(_ values: [T], _ tensor: V2Tensor) throws -> [Int32] {
        try values.map { v in
            guard let exact = Int32(exactly: v) else {
                throw ServeError.badRequest("input '\(tensor.name)': \(tensor.datatype.rawValue) value \(v) is outside the range Lepton computes integers in "
                                            + "(\(Int32.min)...\(Int32.max), int32); it is refused rather than clamped")
            }
            return exact
        }
    }

    /// Lepton values encoded as the datatype the graph declares.
    static func v2Tensor(_ value: ONNXValue, name: String, as datatype: V2DataType) -> V2Tensor {
        let t = value.tensor
        let bytes: [UInt8]
        switch datatype {
        case .fp32: bytes = V2Tensor.bytes(of: t.scalars)
        case .fp64: bytes = V2Tensor.bytes(of: t.scalars.map { Double($0) })
        case .fp16: bytes = V2Tensor.bytes(of: t.scalars.map(HalfPrecision.half(fromFloat:)))
        case .int64: bytes = V2Tensor.bytes(of: t.int32Scalars.map { Int64($0) })
        case .uint64: bytes = V2Tensor.bytes(of: t.int32Scalars.map { UInt64(clamping: $0) })
        case .uint32: bytes = V2Tensor.bytes(of: t.int32Scalars.map { UInt32(clamping: $0) })
        case .int16: bytes = V2Tensor.bytes(of: t.int32Scalars.map { Int16(clamping: $0) })
        case .uint16: bytes = V2Tensor.bytes(of: t.int32Scalars.map { UInt16(clamping: $0) })
        case .int8: bytes = V2Tensor.bytes(of: t.int32Scalars.map { Int8(clamping: $0) })
        case .uint8, .bool: bytes = V2Tensor.bytes(of: t.int32Scalars.map { UInt8(clamping: $0) })
        default: bytes = V2Tensor.bytes(of: t.int32Scalars)
        }
        // The element count always matches the shape: both come from the same tensor.
        return (try? V2Tensor(name: name, datatype: datatype, shape: t.shape, elements: .fixed(bytes)))
            ?? V2Tensor(name: name, floats: t.scalars, shape: t.shape)
    }
}

/// Loads ONNX models: a version folder holding `model.onnx`, or an imported-ONNX folder
/// (`lepton import`). List it before ``LeptonModelLoader``, which claims any folder with a
/// `model.json`.
public struct ONNXModelLoader: InferenceModelLoader {
    /// The file name of an ONNX model in a version folder.
    public static let fileName = "model.onnx"
    /// `"onnx"`.
    public let platform = "onnx"

    /// Creates the loader.
    public init() {}

    /// Whether the folder holds `model.onnx` or was written by `lepton import`.
    public func canLoad(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(Self.fileName).path)
            || ONNXModelFolder.isImportedFolder(folder)
    }

    /// Loads the folder as an ``ONNXInferenceModel``.
    public func load(_ folder: URL, config: ModelConfig) throws -> any InferenceModel {
        try ONNXInferenceModel(folder: folder, config: config)
    }
}

extension V2DataType {
    /// The V2 datatype for an ONNX element type, nil for types the protocol has no name for.
    public init?(_ type: ONNXElementType) {
        switch type {
        case .float: self = .fp32
        case .double: self = .fp64
        case .float16: self = .fp16
        case .bool: self = .bool
        case .uint8: self = .uint8
        case .uint16: self = .uint16
        case .uint32: self = .uint32
        case .uint64: self = .uint64
        case .int8: self = .int8
        case .int16: self = .int16
        case .int32: self = .int32
        case .int64: self = .int64
        default: return nil
        }
    }
}
