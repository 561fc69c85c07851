import Foundation
import LeptonTestSupport
import Testing

/// `LEPTON_KERNELS` as a user sets it: a path this CPU runs is taken silently; anything else is
/// one warning naming the value and the paths there are, and the run goes on with the best.
@Suite struct KernelEnvironmentTests {
    /// A one-epoch CNN on 64 MNIST images (its convolution goes through the C kernels).
    let config = """
        dataset: {name: mnist, train_limit: 64, test_limit: 64}
        model:
          input_shape: [28, 28, 1]
          layers:
            - {type: Conv2D, filters: 8, kernel_size: [3, 3], activation: relu}
            - {type: MaxPooling2D, pool_size: [2, 2]}
            - {type: Flatten}
            - {type: Dense, units: 10, activation: softmax}
        optimizer: {name: adam}
        loss: sparse_categorical_crossentropy
        epochs: 1
        batch_size: 32

        """

    func train(kernels: String) throws -> (status: Int32, stderr: String) {
        let dir = try LeptonExecutable.scratchFolder("lepton-kernels")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cnn.yaml")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let run = try LeptonExecutable.run(["train", file.path, "--output", dir.appendingPathComponent("model").path],
                                           environment: ["LEPTON_KERNELS": kernels])
        return (run.status, run.stderr)
    }

    @Test func anUnknownPathIsOneWarningAndTheRunGoesOn() throws {
        let run = try train(kernels: "sse9")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: LEPTON_KERNELS=sse9 is not a path this CPU runs (expected one of portable"), "\(run.stderr)")
    }

    @Test func aPathThisCPURunsIsTakenSilently() throws {
        let run = try train(kernels: "portable")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("LEPTON_KERNELS"), "\(run.stderr)")
    }
}
