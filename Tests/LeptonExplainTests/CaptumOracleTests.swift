import Foundation
import LeptonExplain
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// Integrated Gradients against Captum's `IntegratedGradients` (python/captum_oracle.py) on the
/// same weights, input, baseline, steps and method.
@Suite struct CaptumOracleTests {
    @Test(arguments: [IntegrationRule.gaussLegendre, .riemannTrapezoid])
    func integratedGradientsEqualCaptums(rule: IntegrationRule) throws {
        let model = ExplainTestModels.smallCNN(seed: 21, activation: .tanh)
        let image = ExplainTestModels.smallImage(seed: 22)
        var generator = RandomGenerator(seed: 23)
        let baseline = Tensor.uniform([1, 8, 8, 2], low: 0, high: 0.2, generator: &generator)
        let target = 2, steps = 20
        let ours = try ImageExplainer(model).integratedGradients(image, target: target, baseline: baseline, steps: steps, rule: rule)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-captum-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.0) })
        #expect(names.keys.sorted() == ["layers.0.bias", "layers.0.kernel", "layers.3.bias", "layers.3.kernel"])
        let request: [String: Any] = [
            "layers": [
                ["type": "conv2d", "kernel": "layers.0.kernel", "bias": "layers.0.bias", "stride": [1, 1], "activation": "tanh"],
                ["type": "maxpool2d", "size": 2],
                ["type": "flatten"],
                ["type": "dense", "kernel": "layers.3.kernel", "bias": "layers.3.bias", "activation": "softmax"],
            ],
            "target": target, "steps": steps, "method": rule.rawValue,
        ]
        try JSONSerialization.data(withJSONObject: request).write(to: folder.appendingPathComponent("request.json"))
        try Safetensors.write(model.namedParameters() + [("input", image), ("baseline", baseline)],
                              to: folder.appendingPathComponent("tensors.safetensors"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable,
                             NumPyOracle.repositoryRoot.appendingPathComponent("python/captum_oracle.py").path, folder.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "captum_oracle.py failed (run scripts/setup.sh for captum): \(stderr)")
        let captum = try #require(try Safetensors.read(folder.appendingPathComponent("attributions.safetensors")).tensors["attributions"])
        #expect(captum.shape == [1, 8, 8, 2])
        let difference = zip(ours.values, captum.scalars).map { abs($0 - $1) }.max() ?? .infinity
        let largest = captum.scalars.map { abs($0) }.max() ?? 0
        #expect(difference < 1e-4, "\(rule): max |ours − Captum| = \(difference) (largest attribution \(largest))")
        #expect(largest > 1e-3, "the test needs attributions of some size, got at most \(largest)")
    }
}
