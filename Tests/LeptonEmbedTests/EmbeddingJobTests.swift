import Foundation
import LeptonEmbed
import LeptonJobs
import LeptonNN
import LeptonTensor
import Testing

/// An embedding trained briefly on MNIST digits 0–4 verifies digits 5–9, which it never saw,
/// better than chance; the saved model maps images to unit vectors and keeps the threshold.
@Suite struct EmbeddingJobTests {
    static func config(loss: String, extra: String = "") throws -> (TrainingConfig, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embed-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let yaml = """
        dataset: {name: mnist, train_limit: 3000, test_limit: 600, standardize: true}
        model:
          layers:
            - {type: Flatten}
            - {type: Dense, units: 64, activation: relu}
            - {type: Dense, units: 16}
            - {type: UnitNormalization}
        loss: \(loss)
        epochs: 1
        batch_size: 100
        seed: 7
        embedding: {train_classes: [0, 1, 2, 3, 4], test_classes: [5, 6, 7, 8, 9], false_accept_rates: [0.1]}
        \(extra)
        """
        let url = folder.appendingPathComponent("embed.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return (try TrainingConfig.load(url.path), folder)
    }

    @Test(arguments: ["triplet_semi_hard", "{name: arcface, scale: 16, margin: 0.3}"])
    func verifiesHeldOutIdentitiesBetterThanChance(_ loss: String) throws {
        let (config, folder) = try Self.config(loss: loss)
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainingJob.Options()
        options.output = folder.appendingPathComponent("model").path
        let result = try EmbeddingJob(config: config, options: options).run()
        #expect(result.verification.identities == 5)
        #expect(result.verification.roc.auc > 0.62, "AUC \(result.verification.roc.auc)")
        let info = try #require(try EmbeddingModelInfo.read(from: folder.appendingPathComponent("model")))
        #expect(info.threshold == result.verification.operatingPoints[0].threshold && info.targetFalseAcceptRate == 0.1)
        let sample: [Float] = result.model.predict(Tensor.full([2, 28, 28, 1], 100)).scalars
        let squaredLength: Float = sample[0..<16].map { $0 * $0 }.reduce(0, +)
        #expect(abs(squaredLength - 1) < 1e-4)
    }

    @Test func aLossThatTrainsNoEmbeddingOrMetricsWithTripletsAreRefused() throws {
        let (mse, folder) = try Self.config(loss: "mse")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect { _ = try EmbeddingJob(config: mse) } throws: { "\($0)".contains("loss: mean_squared_error trains no embedding") }
        let (withMetrics, other) = try Self.config(loss: "triplet_batch_hard", extra: "metrics: [accuracy]")
        defer { try? FileManager.default.removeItem(at: other) }
        #expect { _ = try EmbeddingJob(config: withMetrics) } throws: { "\($0)".contains("need class scores") }
    }

    @Test func badEmbeddingSettingsNameTheKey() throws {
        #expect { try EmbeddingSettings(.object(["test_classes": .array([.int(1), .int(1)])])) } throws: {
            "\($0)".contains("embedding.test_classes: expected distinct non-negative class ids")
        }
        #expect { try EmbeddingSettings(.object(["false_accept_rates": .array([.double(2)])])) } throws: {
            "\($0)".contains("embedding.false_accept_rates")
        }
        #expect { try EmbeddingSettings(.object(["train": .int(1)])) } throws: { "\($0)".contains("train") }
    }

    @Test func leptonTrainRefusesAnEmbeddingConfig() throws {
        let (config, folder) = try Self.config(loss: "triplet_semi_hard")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect { _ = try TrainingJob(config: config).run() } throws: { "\($0)".contains("run `lepton embed") }
    }
}
