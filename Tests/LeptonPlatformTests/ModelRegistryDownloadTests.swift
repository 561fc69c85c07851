import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonPlatform
import LeptonTensor
import LeptonTestSupport
import Testing

/// `ModelRegistry.writeVersion` and `onnx` (Registry/ModelRegistry+Download.swift): a version
/// decrypted back into a model folder that loads, and the same version as ONNX that computes
/// what the model computes; a model ONNX cannot express is a bad request naming why.
@Suite("ModelRegistry downloads")
struct ModelRegistryDownloadTests {
    static func savedModel(_ model: Sequential, inputShape: [Int], dtype: DType = .float32) throws -> URL {
        let folder = PlatformFixtures.folder("onnx-model")
        try LeptonIO.ModelFile.save(model, to: folder, inputShape: inputShape, inputDType: dtype)
        return folder
    }

    @Test("a version as a model folder and as ONNX, both computing what the model computes")
    func folderAndONNX() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("registry-export")
        let workspace = admin.key.workspaceID
        GlobalRandom.seed(3)
        let model = Sequential([Dense(units: 5, activation: .relu), Dense(units: 2, activation: .softmax)])
        model.build(inputShape: [4])
        _ = try await platform.models.register(modelFolder: try Self.savedModel(model, inputShape: [4]), name: "tiny",
                                               workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        let x = TestSupport.randn([3, 4], seed: 9)
        let expected = model(x).scalars

        let folder = PlatformFixtures.folder("pulled")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let version = try await platform.models.writeVersion("1", model: "tiny", workspaceID: workspace, into: folder)
        #expect(version.number == 1)
        #expect(try LeptonIO.ModelFile.load(from: folder)(x).scalars == expected)

        let onnx = try await platform.models.onnx(version: "1", model: "tiny", workspaceID: workspace)
        let graph = try ONNXImporter.importModel(try ONNXModelFile.parse(onnx))
        let got = try graph.run([x])[0].tensor.scalars
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(got) vs \(expected)")
        // Nothing decrypted is left behind.
        #expect(PlatformFixtures.files(under: platform.dataFolder).allSatisfy { !$0.path.contains("/uploads/onnx-") })
    }

    @Test("a model ONNX cannot express, and an unknown version, are errors naming why")
    func refusals() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("registry-onnx-bad")
        let workspace = admin.key.workspaceID
        let masked = Sequential([Embedding(vocabularySize: 10, dimensions: 3, maskZero: true), LSTM(units: 2)])
        masked.build(inputShape: [4], dtype: .int32)
        _ = try await platform.models.register(modelFolder: try Self.savedModel(masked, inputShape: [4], dtype: .int32), name: "masked",
                                               workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        await #expect { try await platform.models.onnx(version: "1", model: "masked", workspaceID: workspace) } throws: {
            "\($0)".contains("version 1 cannot be exported to ONNX") && "\($0)".contains("mask_zero")
        }
        await #expect { try await platform.models.onnx(version: "7", model: "masked", workspaceID: workspace) } throws: {
            "\($0)".contains("model masked has no version 7")
        }
    }
}
