import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// `ModelFile.load` on hostile model folders (issue 19): every file either loads or throws an
/// `IOError` naming what was wrong; none stops the process (a trap here kills the test run, which
/// is the point), hangs or allocates without bound.
@Suite struct ModelFileHostileTests {
    /// Loads a folder whose `model.json` is `json`; returns the error's description or "loaded".
    func load(_ folder: URL, json: Data) throws -> String {
        try json.write(to: folder.appendingPathComponent(ModelFile.architectureName))
        do { _ = try ModelFile.load(from: folder) } catch let error as IOError {
            return error.description
        }
        return "loaded"
    }

    /// The error loading `example`'s folder after `edit` changed its `model.json`.
    func loadError(_ example: HostileModelGenerator.Example, _ edit: (inout [String: ConfigValue]) -> Void) throws -> String {
        try withTemporaryDirectory("hostile") { dir in
            let folder = dir.appendingPathComponent("model")
            guard case .object(var top) = try HostileModelGenerator.save(example, to: folder) else { return "not an object" }
            edit(&top)
            return try load(folder, json: try JSONEncoder().encode(ConfigValue.object(top)))
        }
    }

    /// Replaces setting `key` of layer `index` with `value`.
    func setting(_ index: Int, _ key: String, _ value: ConfigValue) -> (inout [String: ConfigValue]) -> Void {
        { top in
            guard case .array(var layers)? = top["layers"], case .object(var layer) = layers[index] else { return }
            layer[key] = value
            layers[index] = .object(layer)
            top["layers"] = .array(layers)
        }
    }

    var mlp: HostileModelGenerator.Example { HostileModelGenerator.examples[0] }
    var cnn: HostileModelGenerator.Example { HostileModelGenerator.examples[1] }

    @Test func everyHostileVariantLoadsOrThrowsAnIOError() throws {
        let clock = ContinuousClock()
        let start = clock.now
        var total = 0, loaded = 0
        var slowest: [(Duration, String)] = []
        try withTemporaryDirectory("hostile") { dir in
            for example in HostileModelGenerator.examples {
                let folder = dir.appendingPathComponent(example.name)
                let architecture = try HostileModelGenerator.save(example, to: folder)
                #expect(try load(folder, json: try JSONEncoder().encode(architecture)) == "loaded", "\(example.name) loads as saved")
                for variant in try HostileModelGenerator.variants(of: architecture, example: example) {
                    let began = clock.now
                    defer { slowest = (slowest + [(clock.now - began, variant.label)]).sorted { $0.0 > $1.0 }.prefix(5).map { $0 } }
                    do {
                        let outcome = try load(folder, json: variant.json)
                        if outcome == "loaded" { loaded += 1 } else {
                            #expect(outcome.hasPrefix(folder.path), "\(variant.label): the error names the folder: \(outcome)")
                        }
                    } catch {
                        Issue.record("\(variant.label): threw \(type(of: error)), not an IOError: \(error)")
                    }
                    total += 1
                }
            }
        }
        #expect(total >= 300, "\(total) hostile variants")
        print("ModelFileHostileTests: \(total) hostile variants, \(loaded) loaded, the rest refused, in \(clock.now - start)")
        #expect(loaded < total / 3, "most variants are refused (\(loaded) of \(total) loaded)")
        #expect(clock.now - start < .seconds(10), "\(total) variants in \(clock.now - start); slowest \(slowest)")
    }

    @Test func zeroPoolSizeIsRefused() throws {
        let message = try loadError(cnn, setting(1, "pool_size", .ints([0, 2])))
        #expect(message.contains("layers[1].pool_size: expected 2 positive integers"), "\(message)")
    }

    @Test func negativeDimensionsAreRefused() throws {
        #expect(try loadError(mlp, setting(0, "units", -4)).contains("layers[0].units: expected an integer ≥ 1, got -4"))
        #expect(try loadError(cnn, setting(0, "kernel_size", .ints([3, -3]))).contains("layers[0].kernel_size"))
        let shape = try loadError(cnn) { $0["input_shape"] = .ints([12, -12, 3]) }
        #expect(shape.contains("input_shape[1]: expected a positive dimension, got -12"), "\(shape)")
    }

    @Test func hugeUnitsAreRefusedWithoutAllocating() throws {
        let message = try loadError(mlp, setting(0, "units", .double(1e9)))
        #expect(message.contains("layers[0].units") && message.contains("LayerLimits.maxTensorElements"), "\(message)")
        // 100 000 units after 20 000 features: 2·10^9 weights, refused by the shape check before build.
        let lazy = try loadError(mlp) { top in
            top["input_shape"] = .ints([20_000])
            self.setting(0, "units", 100_000)(&top)
            self.setting(0, "input_dim", .null)(&top)
        }
        #expect(lazy.contains("layers[0] (Dense)") && lazy.contains("[20000, 100000]"), "\(lazy)")
        #expect(try loadError(mlp, setting(0, "units", .double(1e19))).contains("expected an integer, got 1e+19"))
    }

    @Test func kernelLargerThanInputIsRefused() throws {
        let message = try loadError(cnn) { $0["input_shape"] = .ints([2, 2, 3]) }
        #expect(message.contains("layers[0] (Conv2D)") && message.contains("kernel spans 3 rows") && message.contains("[1, 2, 2, 3]"),
                "\(message)")
    }

    @Test func wrongInputChannelsAreRefused() throws {
        let message = try loadError(cnn) { $0["input_shape"] = .ints([12, 12, 1]) }
        #expect(message.contains("layers[0] (Conv2D)") && message.contains("1 channels; expected 3"), "\(message)")
    }

    @Test func malformedDocumentsAreRefused() throws {
        #expect(try loadError(mlp) { $0 = ["format": "lepton-model", "layers": "dense"] }.contains("'layers' must be a list"))
        #expect(try loadError(mlp) { $0["input_dtype"] = "float64" }.contains("input_dtype \"float64\""))
        #expect(try loadError(mlp) { $0["input_shape"] = .ints([1 << 31, 1 << 31, 1 << 31]) }.contains("LayerLimits.maxTensorElements"))
        try withTemporaryDirectory("hostile") { dir in
            let folder = dir.appendingPathComponent("model")
            _ = try HostileModelGenerator.save(mlp, to: folder)
            #expect(try load(folder, json: Data("[1, 2]".utf8)).contains("expected a mapping"))
            let huge = Data(repeating: UInt8(ascii: " "), count: ModelFile.maximumArchitectureBytes + 1)
            #expect(try load(folder, json: huge).contains("expected at most \(ModelFile.maximumArchitectureBytes)"))
        }
    }

    @Test func oversizedWeightsFilesAreRefusedBeforeReading() throws {
        try withTemporaryDirectory("hostile") { dir in
            let folder = dir.appendingPathComponent("model")
            let architecture = try HostileModelGenerator.save(mlp, to: folder)
            let weights = folder.appendingPathComponent(ModelFile.weightsName)
            let handle = try FileHandle(forWritingTo: weights)
            try handle.truncate(atOffset: UInt64(Safetensors.maximumHeaderBytes + (1 << 20)))
            try handle.close()
            let message = try load(folder, json: try JSONEncoder().encode(architecture))
            #expect(message.contains("it does not belong to this model"), "\(message)")
        }
    }
}
