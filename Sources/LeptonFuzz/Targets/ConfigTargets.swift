import Foundation
import LeptonFiles
import LeptonJobs
import LeptonNN
import LeptonServe
import LeptonTensor

/// Targets for configuration files: YAML training configs (`lepton train`) and the server's
/// per-model `config.json` (also the body of a repository load request).
enum ConfigTargets {
    static let trainingConfig = FuzzTarget(
        "yaml-config", "YAML training configs: parsed, checked, model and callbacks built, shapes checked, one forward pass",
        seeds: { _ in
            let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("examples")
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            // Training configs only (a tuning config's `search:` section is LeptonTune's to read).
            return files.filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }.compactMap { try? FileContents.read($0) }
                .filter { !String(decoding: $0, as: UTF8.self).contains("\nsearch:") }
                + SeedModels.specs.map { spec in
                    Data("""
                        dataset: {name: mnist}
                        model:
                          input_shape: \(spec.shape)
                          layers:
                        \(spec.layers.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                        loss: mse
                        epochs: 1
                        callbacks:
                          - {type: EarlyStopping, patience: 2}
                          - {type: ReduceLROnPlateau, factor: 0.5}
                        """.utf8)
                }
        },
        body: { data, _ in
            let config = try TrainingConfig(try YAMLDocument.parse(String(decoding: data, as: UTF8.self)), file: "fuzz.yaml")
            let model = try config.buildModel()
            guard let shape = config.inputShape else { return }
            // The dataset decides the input's element type: float32 (images, tables) or int32
            // (token ids, user and item ids); the model must take one of them.
            let (dtype, parameters) = try inputType(of: model, shape: shape)
            _ = try config.buildCallbacks(inputShape: shape, dtype: dtype)
            let count = shape.reduce(1, *)
            guard count <= ModelTargets.maximumInputElements, parameters <= 1 << 20 else { return }
            model.build(inputShape: shape, dtype: dtype)
            model.eval()
            _ = model.forward(dtype == .int32 ? Tensor(int32: [Int32](repeating: 0, count: count), shape: [1] + shape)
                                              : Tensor.zeros([1] + shape))
        })

    /// The input element type (float32, else int32) whose shapes the model's layers accept, and
    /// the model's parameter count.
    static func inputType(of model: Sequential, shape: [Int]) throws -> (DType, Int) {
        func parameters(_ dtype: DType) throws -> Int {
            let input = try ShapeCheck.input(shape: shape, dtype: dtype, path: "model.input_shape")
            return try ShapeCheck.check(model.layers, input: input, path: "model.layers").parameters
        }
        do {
            return (.float32, try parameters(.float32))
        } catch {
            guard let count = try? parameters(.int32) else { throw error }
            return (.int32, count)
        }
    }

    static let modelConfig = FuzzTarget(
        "model-config", "the server's per-model config.json / load-request config (ModelConfig.parse, checked)",
        seeds: { _ in
            [
                #"{"max_batch_size":32,"dynamic_batching":{"max_queue_delay_microseconds":500},"instance_count":2}"#,
                #"{"max_queue_size":10,"version_policy":{"specific":{"versions":[1,3]}},"input":[{"name":"input","dims":[28,28,1]}]}"#,
                #"{"version_policy":{"latest":{"num_versions":2}},"output":[{"name":"output","dims":[-1]}]}"#,
            ].map { Data($0.utf8) }
        },
        body: { data, _ in
            let value = try JSONDecoder().decode(JSONValue.self, from: data)
            _ = try ModelConfig.parse(value, defaults: ModelConfig()).checked()
        })
}
