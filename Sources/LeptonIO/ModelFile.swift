import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Lepton's model file: a folder holding `model.json` (the architecture: each layer's
/// registered type name, name and configuration) and `model.safetensors` (every parameter and buffer
/// by its state-dictionary name).
///
/// ```swift
/// try ModelFile.save(model, to: URL(fileURLWithPath: "out/mnist-cnn"))
/// let again = try ModelFile.load(from: URL(fileURLWithPath: "out/mnist-cnn"))
/// ```
public enum ModelFile {
    public static let architectureName = "model.json"
    public static let weightsName = "model.safetensors"
    public static let formatName = "lepton-model"
    public static let formatVersion = 1
    /// A Lepton model folder, as it is recognised before being replaced: `model.json` naming a
    /// Lepton format, beside nothing but the weights or graph files Lepton writes (`model.safetensors`
    /// here, `model.onnx` in an imported ONNX folder).
    public static let folderKind = OutputFolderKind(
        name: "a Lepton model folder", marker: (architectureName, "\"lepton-"),
        // `lepton embed` adds the verification threshold and the ROC image to an embedding model's folder.
        files: [weightsName, "model.onnx", "embedding.json", "roc.png"])

    /// Saves a ``Sequential`` model of registered layers. The folder is written next to its
    /// final place and renamed in, so a crash mid-save never leaves a half-written model.
    /// - Parameter classNames: the names of the output classes, by index (an image folder's
    ///   class folders), kept in `model.json` so predictions can be named.
    /// - Parameter overwrite: whether a Lepton model folder already at `url` may be replaced
    ///   (Keras's `overwrite`); anything else there — a file, a device, a folder of other files —
    ///   is never replaced.
    /// - Parameter sparse: whether tensors that are at least half zeros (pruned kernels) are
    ///   stored as a bitmask and their non-zero values (``SparseStorage``); off by default, so
    ///   the weights file stays plain safetensors for other tools.
    /// - Throws: ``IOError`` when a layer is not registered (it could not be rebuilt), something
    ///   else stands at `url`, or the folder cannot be written.
    public static func save(_ model: Sequential, to url: URL, inputShape: [Int]? = nil, inputDType: DType = .float32,
                            classNames: [String]? = nil, overwrite: Bool = true, sparse: Bool = false) throws {
        let json = try architecture(of: model, inputShape: inputShape, inputDType: inputDType, classNames: classNames)
        try AtomicFolder.write(url, kind: folderKind, overwrite: overwrite) { staging in
            try writeFiles(json: json, model: model, into: staging, sparse: sparse)
        }
    }

    /// Writes `model.json` and `model.safetensors` into `folder`.
    static func writeFiles(json: Data?, model: Module, into folder: URL, sparse: Bool = false) throws {
        if let json { try FileWriter.write(json, to: folder.appendingPathComponent(architectureName)) }
        var tensors = model.stateDict(), metadata = ["format": "pt", "lepton": "\(formatVersion)"]
        if sparse {
            let packed = try SparseStorage.pack(tensors)
            tensors = packed.tensors
            metadata[SparseStorage.metadataKey] = packed.metadata
        }
        try Safetensors.write(tensors, metadata: metadata, to: folder.appendingPathComponent(weightsName))
    }

    /// The `model.json` of a ``Sequential`` model of registered layers.
    /// - Throws: ``IOError`` naming the first layer that is not registered.
    static func architecture(of model: Sequential, inputShape: [Int]?, inputDType: DType, classNames: [String]? = nil) throws -> Data {
        var layers: [ConfigValue] = []
        for (i, (layer, name)) in zip(model.layers, model.layerNames).enumerated() {
            guard case .object(var config)? = LayerRegistry.config(of: layer) else {
                throw IOError("layer \(i) (\(type(of: layer))) is not a registered layer, so it could not be rebuilt from a file")
            }
            config["name"] = .string(name)
            layers.append(.object(config))
        }
        var architecture: [String: ConfigValue] = [
            "format": .string(formatName), "version": .int(formatVersion), "class": .string("Sequential"),
            "layers": .array(layers),
        ]
        if let inputShape {
            architecture["input_shape"] = .ints(inputShape)
            architecture["input_dtype"] = .string(inputDType.rawValue)
        }
        if let classNames { architecture["class_names"] = .array(classNames.map { .string($0) }) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(ConfigValue.object(architecture))
    }

    /// The largest `model.json` read (an architecture is a few kilobytes; this bounds what a
    /// hostile file can make the reader allocate).
    public static let maximumArchitectureBytes = 16 << 20

    /// Rebuilds a saved model with its weights.
    ///
    /// Everything in `model.json` is checked before anything large is allocated: each layer's
    /// settings against ``LayerLimits`` while it is made, then (when the file records
    /// `input_shape`) every layer's output shape and the model's parameter count by ``ShapeCheck``,
    /// before the model is built; the weights file's size is checked against the model's before it
    /// is read. A bad file throws; it never stops the process.
    /// - Throws: ``IOError`` naming the folder for a missing or malformed file, an unknown layer
    ///   type or setting (by its key path, `layers[2].units`), shapes that do not fit
    ///   (`layers[3] (Conv2D): …`), a limit exceeded, or weights that do not match the
    ///   architecture (naming each mismatch).
    public static func load(from url: URL) throws -> Sequential {
        let value = try readArchitecture(url)
        let model: Sequential
        do {
            let reader = try ConfigReader(value, path: architectureName)
            guard try reader.string("format") == formatName else {
                throw IOError("\(architectureName): format is not \"\(formatName)\"", file: url.path)
            }
            if let kind = try reader.string("class"), kind != "Sequential" {
                throw IOError("\(architectureName): class \"\(kind)\" is not supported; expected \"Sequential\"", file: url.path)
            }
            guard case .array(let layers)? = reader.raw("layers") else {
                throw IOError("\(architectureName): 'layers' must be a list of layer configurations, got \(reader.raw("layers") ?? .null)",
                              file: url.path)
            }
            model = Sequential(try LayerRegistry.makeLayers(layers, path: "layers"))
            if let shape = try reader.ints("input_shape") {
                let dtypeName = try reader.string("input_dtype") ?? "float32"
                guard let dtype = DType(rawValue: dtypeName) else {
                    throw IOError("\(architectureName): input_dtype \"\(dtypeName)\" is not one of float32, int32, int8", file: url.path)
                }
                let input = try ShapeCheck.input(shape: shape, dtype: dtype, path: "input_shape")
                try ShapeCheck.check(model.layers, input: input, path: "layers")
                model.build(inputShape: shape, dtype: dtype)
            }
        } catch let error as ConfigError {
            throw IOError(error.description, file: url.path)
        }
        let weightsURL = url.appendingPathComponent(weightsName)
        let state = model.stateDict()
        try checkWeightsSize(weightsURL, state: state)
        let (stored, metadata) = try Safetensors.read(weightsURL)
        let tensors = try SparseStorage.unpack(stored, metadata: metadata, expected: Dictionary(state, uniquingKeysWith: { a, _ in a }),
                                               file: weightsURL.path)
        do {
            try model.loadStateDict(tensors)
        } catch let error as StateDictError {
            throw IOError("\(weightsName): \(error.description)", file: url.path)
        }
        return model
    }

    /// `model.json` of the folder at `url`, parsed, after checking its size.
    static func readArchitecture(_ url: URL) throws -> ConfigValue {
        let architectureURL = url.appendingPathComponent(architectureName)
        let attributes = try? FileManager.default.attributesOfItem(atPath: architectureURL.path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular else {
            throw IOError("\(architectureName) not found (expected a Lepton model folder)", file: url.path)
        }
        if let size = (attributes[.size] as? NSNumber)?.intValue, size > maximumArchitectureBytes {
            throw IOError("\(architectureName) is \(size) bytes; expected at most \(maximumArchitectureBytes)", file: url.path)
        }
        guard let data = FileContents.read(atPath: architectureURL.path) else {
            throw IOError("\(architectureName) cannot be read (expected a Lepton model folder)", file: url.path)
        }
        guard data.count <= maximumArchitectureBytes else {
            throw IOError("\(architectureName) is \(data.count) bytes; expected at most \(maximumArchitectureBytes)", file: url.path)
        }
        do { return try JSONDecoder().decode(ConfigValue.self, from: data) } catch {
            throw IOError("\(architectureName) is not valid JSON (\(error.localizedDescription))", file: url.path)
        }
    }

    /// Refuses a weights file larger than the model's state dictionary plus the largest header,
    /// before it is read (its tensors would be allocated only to be refused).
    static func checkWeightsSize(_ url: URL, state: [(String, Tensor)]) throws {
        guard let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue else { return }
        let bytes = state.reduce(0) { $0 + $1.1.count * $1.1.dtype.byteSize }
        let limit = bytes + 8 + Safetensors.maximumHeaderBytes
        if size > limit {
            throw IOError("\(weightsName) is \(size) bytes, more than the \(bytes) bytes of weights the architecture has "
                          + "(plus the largest header); it does not belong to this model", file: url.deletingLastPathComponent().path)
        }
    }
}
