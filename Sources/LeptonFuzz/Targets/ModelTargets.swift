import Foundation
import LeptonFiles
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonTensor

/// Targets for model files: a Lepton model folder (`model.json` + `model.safetensors`) and an
/// ONNX file, each loaded as `lepton serve` loads it and, when it loads, run on one small sample.
enum ModelTargets {
    /// Splits a model-folder input into its two files. (Computed: a global `Data` holds its
    /// storage pointer in spare enum bits, which LeakSanitizer cannot see, and reports it leaked.)
    static var separator: Data { Data("\n#LEPTON-FUZZ-WEIGHTS#\n".utf8) }

    static let modelFolder = FuzzTarget(
        "model-folder", "Lepton model folders: model.json, then the separator, then model.safetensors (ModelLoader.load, run)",
        seeds: { scratch in
            // Every seed model saved as it is, and the first once more pruned to 3/4 zeros and stored sparse.
            let models = try SeedModels.all
            return try models.map { try folderInput($0, sparse: false, scratch: scratch) }
                + [try folderInput(SeedModels.pruned(models[0]), sparse: true, scratch: scratch)]
        },
        body: { data, scratch in
            let folder = try scratch.emptyFolder("model")
            let split = data.range(of: separator)
            try data[..<(split?.lowerBound ?? data.endIndex)].write(to: folder.appendingPathComponent(ModelFile.architectureName))
            try data[(split?.upperBound ?? data.endIndex)...].write(to: folder.appendingPathComponent(ModelFile.weightsName))
            try runOnce(try ModelLoader.load(folder))
        })

    /// A saved model folder as one model-folder input.
    static func folderInput(_ model: SeedModels.Seed, sparse: Bool, scratch: FuzzScratch) throws -> Data {
        let folder = try scratch.emptyFolder("seed-model")
        try ModelFile.save(model.module, to: folder, inputShape: model.inputShape, inputDType: model.dtype, sparse: sparse)
        let json = try FileContents.read(folder.appendingPathComponent(ModelFile.architectureName))
        let weights = try FileContents.read(folder.appendingPathComponent(ModelFile.weightsName))
        return json + separator + weights
    }

    static let onnx = FuzzTarget(
        "onnx", "ONNX model files (ModelLoader.load: parse, check, import; then run)",
        seeds: { _ in
            try SeedModels.all.compactMap { model in
                try? ONNXExporter.export(model: model.module, inputShape: model.inputShape, inputDType: model.dtype).serializedData()
            }
        },
        body: { data, scratch in try runOnce(try ModelLoader.load(try scratch.file("fuzz.onnx", data))) })

    /// The most input elements a target feeds a model that loaded: enough for every seed, small
    /// enough that a run stays fast.
    static let maximumInputElements = 1 << 16

    /// Runs a model that loaded on zeros of its input shapes (variable dimensions as 1).
    static func runOnce(_ loaded: LoadedModel) throws {
        var inputs: [Tensor] = []
        for spec in loaded.inputs {
            guard let declared = spec.shape else { return }
            let shape = declared.map { $0 < 0 ? 1 : $0 }
            guard let count = LayerLimits.product(shape), count <= maximumInputElements else { return }
            switch spec.dtype {
            case .float32: inputs.append(Tensor.zeros(shape))
            case .int32: inputs.append(Tensor(int32: [Int32](repeating: 0, count: count), shape: shape))
            case .int8: inputs.append(Tensor(int8: [Int8](repeating: 0, count: count), shape: shape))
            }
        }
        _ = try loaded.run(inputs)
    }
}

/// Small models of each layer family, saved or exported to make seeds.
enum SeedModels {
    struct Seed {
        let module: Sequential
        let inputShape: [Int]
        let dtype: DType
    }

    /// Layer lists in the YAML a training config holds, with their input shapes.
    static let specs: [(shape: [Int], dtype: DType, layers: String)] = [
        ([4], .float32, """
            - {type: Rescaling, scale: 0.5, offset: 1}
            - {type: Dense, units: 8, activation: relu}
            - {type: BatchNormalization}
            - {type: Dropout, rate: 0.25}
            - {type: Dense, units: 3, activation: softmax}
            """),
        ([8, 8, 1], .float32, """
            - {type: Conv2D, filters: 4, kernel_size: [3, 3], padding: same, activation: relu}
            - {type: MaxPooling2D, pool_size: [2, 2]}
            - {type: Conv2D, filters: 4, kernel_size: [3, 3], strides: [2, 2]}
            - {type: Flatten}
            - {type: Dense, units: 2}
            """),
        ([6], .int32, """
            - {type: Embedding, input_dim: 20, output_dim: 4}
            - {type: LSTM, units: 5}
            - {type: Dense, units: 1, activation: sigmoid}
            """),
        ([5, 3], .float32, """
            - {type: GRU, units: 4, return_sequences: true}
            - {type: SimpleRNN, units: 3}
            - {type: Dense, units: 2}
            """),
        ([6, 8], .float32, """
            - {type: TransformerEncoderLayer, model_dim: 8, num_heads: 2, intermediate_dim: 16}
            - {type: LayerNormalization}
            - {type: Flatten}
            - {type: Dense, units: 2}
            """),
    ]

    /// `seed` with three in four elements of every float parameter set to zero (as magnitude
    /// pruning leaves a kernel).
    static func pruned(_ seed: Seed) -> Seed {
        for (_, t) in seed.module.namedParameters() where t.dtype == .float32 {
            t.assign(Tensor(t.scalars.enumerated().map { $0.offset % 4 == 0 ? $0.element : 0 }, shape: t.shape))
        }
        return seed
    }

    /// The models, built and initialised.
    static var all: [Seed] {
        get throws {
            try specs.map { spec in
                guard case .array(let values) = try YAMLDocument.parse(spec.layers) else {
                    throw ConfigError("seed model: expected a list of layers")
                }
                let model = Sequential(try LayerRegistry.makeLayers(values, path: "layers"))
                model.build(inputShape: spec.shape, dtype: spec.dtype)
                return Seed(module: model, inputShape: spec.shape, dtype: spec.dtype)
            }
        }
    }
}
