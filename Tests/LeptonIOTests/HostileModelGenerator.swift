import Foundation
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Hostile `model.json` files: valid example models (an MLP, CNNs, recurrent and Transformer
/// models, every registered layer among them) with one value replaced at a time by something a
/// careless or hostile writer could put there — 0, -1, 1e9, 1e19, 1.5, Int.min, "NaN", a wrong
/// type — plus input shapes that do not fit the layers (kernels larger than the input, wrong
/// channel counts, wrong ranks) and documents that are not models at all.
enum HostileModelGenerator {
    /// A valid model and the input it was saved for.
    struct Example {
        let name: String
        let layers: () -> [Module]
        let inputShape: [Int]
        let dtype: DType
    }

    /// One variant: what was changed, and the whole `model.json`.
    struct Variant {
        let label: String
        let json: Data
    }

    static let examples: [Example] = [
        Example(name: "mlp", layers: {
            [Dense(units: 16, activation: .relu), Dropout(rate: 0.2), BatchNormalization(), Activation(.tanh),
             Dense(units: 10, activation: .softmax)]
        }, inputShape: [20], dtype: .float32),
        Example(name: "cnn", layers: {
            [Conv2D(filters: 8, kernelSize: [3, 3], activation: .relu), MaxPooling2D(poolSize: [2, 2]), Flatten(),
             Dense(units: 10)]
        }, inputShape: [12, 12, 3], dtype: .float32),
        Example(name: "upsampling", layers: {
            [Conv2DTranspose(filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: .same),
             AveragePooling2D(poolSize: [2, 2], strides: [1, 1], padding: .same), GlobalAveragePooling2D(), Dense(units: 3)]
        }, inputShape: [5, 5, 2], dtype: .float32),
        Example(name: "recurrent", layers: {
            [Embedding(vocabularySize: 50, dimensions: 8), LSTM(units: 6, returnSequences: true),
             Bidirectional(GRU(units: 5, returnSequences: true)), SimpleRNN(units: 4), Dense(units: 3)]
        }, inputShape: [7], dtype: .int32),
        Example(name: "transformer", layers: {
            [TokenAndPositionEmbedding(vocabularySize: 30, sequenceLength: 6, embeddingDimensions: 8),
             TransformerEncoder(layers: 1, modelDimensions: 8, heads: 2, feedForwardDimensions: 16),
             TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 12), LayerNormalization(),
             Flatten(), Dense(units: 2)]
        }, inputShape: [6], dtype: .int32),
        Example(name: "sequence", layers: {
            [Conv1D(filters: 6, kernelSize: 3, padding: .same), PositionEmbedding(sequenceLength: 10),
             SinusoidalPositionEncoding(), MultiHeadAttention(heads: 2, keyDimensions: 3), Reshape([-1]), Dense(units: 2)]
        }, inputShape: [8, 4], dtype: .float32),
        Example(name: "factorization", layers: { [MatrixFactorization(users: 10, items: 12, factors: 4)] },
                inputShape: [2], dtype: .int32),
        Example(name: "image-preprocessing", layers: {
            [try! Resizing(height: 9, width: 8), try! CenterCrop(height: 6, width: 6), Rescaling(scale: 0.5, offset: 1),
             Normalization(features: 2), Conv2D(filters: 2, kernelSize: [3, 3]), Flatten(), Dense(units: 2)]
        }, inputShape: [7, 11, 2], dtype: .float32),
        Example(name: "text", layers: {
            [try! TextVectorization(maxTokens: 12, outputSequenceLength: 5, vocabulary: ["a", "great", "film", "dull"]),
             Embedding(vocabularySize: 12, dimensions: 4), GRU(units: 3), Dense(units: 1)]
        }, inputShape: [5], dtype: .int32),
    ]

    /// Values that replace a number (or a list of numbers, or one of its items).
    static let hostileNumbers: [ConfigValue] = [
        .int(0), .int(-1), .double(1e9), .double(1e19), .double(1.5), .int(Int.min), .string("NaN"), .bool(true), .null,
    ]

    /// Values that replace a string or a boolean.
    static let hostileOthers: [ConfigValue] = [.int(7), .string("bogus"), .array([]), .object([:])]

    /// Saves `example` into `folder` and returns its `model.json` as a value.
    static func save(_ example: Example, to folder: URL) throws -> ConfigValue {
        GlobalRandom.seed(5)
        let model = Sequential(example.layers())
        model.build(inputShape: example.inputShape, dtype: example.dtype)
        try ModelFile.save(model, to: folder, inputShape: example.inputShape, inputDType: example.dtype)
        let data = try Data(contentsOf: folder.appendingPathComponent(ModelFile.architectureName))
        return try JSONDecoder().decode(ConfigValue.self, from: data)
    }

    /// Every variant of `architecture` (the saved `model.json` of `example`).
    static func variants(of architecture: ConfigValue, example: Example) throws -> [Variant] {
        guard case .object(let top) = architecture, case .array(let layers)? = top["layers"] else { return [] }
        var result: [(String, ConfigValue)] = []
        // One value of one layer's settings at a time (nested settings such as Bidirectional's layer
        // included). Every sixth replacement is kept, to stay fast: each setting gets one or two
        // of the hostile values, a different choice for the next setting, so every value is tried
        // on every kind of setting across the examples.
        for (i, layer) in layers.enumerated() {
            for (k, (path, value)) in replacements(of: layer, path: "layers[\(i)]").enumerated() where k % 6 == i % 6 {
                var changed = layers
                changed[i] = value
                result.append((path, .object(top.merging(["layers": .array(changed)]) { $1 })))
            }
        }
        // Input shapes that do not fit: ranks, sizes and channel counts.
        let shape = example.inputShape
        var shapes: [[Int]] = [[], [1], shape + [1], Array(shape.dropLast()), shape.map { _ in 1 }, shape.map { $0 * 3 },
                               [0], [-1], [1 << 40, 1 << 40], [Int.max, 2], Array(repeating: 2, count: 40)]
        for axis in shape.indices {
            var smaller = shape; smaller[axis] = 1; shapes.append(smaller)
            var larger = shape; larger[axis] += 1; shapes.append(larger)
            var zero = shape; zero[axis] = 0; shapes.append(zero)
        }
        for s in shapes { result.append(("input_shape \(s)", .object(top.merging(["input_shape": .ints(s)]) { $1 }))) }
        for v in hostileNumbers + hostileOthers + [.array([.double(1e19)]), .array([.string("3")])] {
            result.append(("input_shape \(v)", .object(top.merging(["input_shape": v]) { $1 })))
        }
        for dtype: ConfigValue in ["float64", "int32", "int8", "float32", 5, .null] {
            result.append(("input_dtype \(dtype)", .object(top.merging(["input_dtype": dtype]) { $1 })))
        }
        for v: ConfigValue in ["x", .object([:]), .array([1]), .array([.array([])]), .null, .array([.object(["type": "Nope"])])] {
            result.append(("layers \(v)", .object(top.merging(["layers": v]) { $1 })))
        }
        for v: ConfigValue in [.array([]), "model", 42, .null] { result.append(("document \(v)", v)) }
        result.append(("format missing", .object(top.filter { $0.key != "format" })))
        result.append(("class Functional", .object(top.merging(["class": "Functional"]) { $1 })))
        let encoder = JSONEncoder()
        return try result.map { Variant(label: "\(example.name): \($0.0)", json: try encoder.encode($0.1)) }
    }

    /// `value` with one leaf replaced, for every leaf and every hostile replacement, with its key path.
    static func replacements(of value: ConfigValue, path: String) -> [(String, ConfigValue)] {
        switch value {
        case .object(let o):
            return o.keys.sorted().flatMap { key in
                replacements(of: o[key] ?? .null, path: "\(path).\(key)").map { p, v in
                    (p, ConfigValue.object(o.merging([key: v]) { $1 }))
                }
            }
        case .array(let a):
            var result = hostileNumbers.map { ("\(path) = \($0)", ConfigValue.array([$0])) }
            for (i, item) in a.enumerated() {
                for (p, v) in replacements(of: item, path: "\(path)[\(i)]") {
                    var changed = a
                    changed[i] = v
                    result.append((p, .array(changed)))
                }
            }
            return result
        case .int, .double:
            return hostileNumbers.map { ("\(path) = \($0)", $0) }
        case .string, .bool, .null:
            return hostileOthers.map { ("\(path) = \($0)", $0) }
        }
    }
}
