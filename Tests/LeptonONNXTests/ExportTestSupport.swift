import Foundation
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// Exports models, runs them in onnxruntime (`python/onnx_oracle.py`, which first checks each
/// model with `onnx.checker.check_model(full_check=True)`) and compares with Lepton's outputs.
enum ExportCheck {
    /// The onnxruntime oracle shared by the export tests.
    static let oracle = NumPyOracle(script: "python/onnx_oracle.py")

    /// The largest error allowed between Lepton and onnxruntime (the issue's bar).
    static let tolerance: Float = 1e-4

    /// A scratch file for one exported model.
    static func temporaryModelURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lepton-export-\(UUID().uuidString).onnx")
    }

    /// Exports `model` for samples of `input`'s shape, runs `input` through onnxruntime and
    /// Lepton (evaluation mode) and returns the largest absolute difference. A shape mismatch
    /// is recorded as a failure and returns infinity.
    @discardableResult
    static func maxDifference(_ model: Sequential, input: Tensor, exporter: ONNXExporter = ONNXExporter(),
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> Float {
        let url = temporaryModelURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let proto = try exporter.makeModel(model, inputShape: Array(input.shape.dropFirst()), inputDType: input.dtype)
        try ONNXModelFile.write(proto, to: url)
        model.eval()
        let expected = Tensor.withoutGrad { model(input) }
        let actual = try oracle.run("run", [input], attrs: ["model": .string(url.path)])
        #expect(actual.count == 1, "one graph output", sourceLocation: sourceLocation)
        guard let output = actual.first, output.shape == expected.shape else {
            Issue.record("onnxruntime gave shape \(actual.first?.shape ?? []), Lepton \(expected.shape)", sourceLocation: sourceLocation)
            return .infinity
        }
        return zip(output.scalars, expected.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Builds `layers` as a model, gives every weight seeded random values (unless `randomWeights`
    /// is false), exports it and checks onnxruntime's output against Lepton's to ``tolerance``;
    /// returns the difference.
    @discardableResult
    static func expectMatch(_ layers: [Module], input: Tensor, _ comment: String = "", randomWeights: Bool = true,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> Float {
        let model = Sequential(layers)
        model.build(inputShape: Array(input.shape.dropFirst()), dtype: input.dtype)
        if randomWeights { randomize(model, seed: 7) }
        let difference = try maxDifference(model, input: input, sourceLocation: sourceLocation)
        #expect(difference <= tolerance, "\(comment) max |Lepton − onnxruntime| = \(difference)", sourceLocation: sourceLocation)
        return difference
    }

    /// Replaces every parameter and buffer with seeded random values (variances kept positive),
    /// so biases, normalisation statistics and padding rows are not left at their initial
    /// zeros and ones.
    static func randomize(_ model: Module, seed: UInt64, scale: Float = 0.5) {
        var rng = RandomGenerator(seed: seed)
        for (name, tensor) in model.namedParameters() + model.namedBuffers() where tensor.dtype == .float32 {
            var values = Tensor.normal(tensor.shape, std: scale, generator: &rng)
            if name.hasSuffix("runningVariance") { values = values.abs() + 0.5 }
            Tensor.withoutGrad { tensor.assign(values) }
        }
    }

    /// Adds seeded normal noise of `std` to every float parameter and buffer (variances kept
    /// positive): the layers keep their initializers' scale, and biases stop being zeros.
    static func perturb(_ model: Module, seed: UInt64, std: Float) {
        var rng = RandomGenerator(seed: seed)
        for (name, tensor) in model.namedParameters() + model.namedBuffers() where tensor.dtype == .float32 {
            var values = tensor + Tensor.normal(tensor.shape, std: std, generator: &rng)
            if name.hasSuffix("runningVariance") { values = values.abs() + 0.1 }
            Tensor.withoutGrad { tensor.assign(values) }
        }
    }

    /// Seeded `int32` ids in `0..<bound`.
    static func ids(_ shape: [Int], bound: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(int32: (0..<count).map { _ in Int32(rng.next() % UInt64(bound)) }, shape: shape)
    }
}
