import LeptonNN
import LeptonTensor
import Testing

/// `DataCheckingLayer`: ids a layer cannot look up are refused as errors before `forward`
/// would stop the process (both found by the hostile corpus through `lepton train` and `summary`).
@Suite struct DataCheckingLayerTests {
    @Test func matrixFactorizationRefusesIdsBeyondItsTablesAndOtherShapes() throws {
        let layer = MatrixFactorization(users: 3, items: 5, factors: 2, globalMean: 3)
        try layer.checkData(Tensor(int32: [0, 0, 3, 5, 1, 2], shape: [3, 2]), what: "data")
        for (ids, expected) in [([0, 0, 4, 1], "user id 4 of sample 1 is outside 0...3"), ([0, 6], "item id 6 of sample 0"), ([-1, 0], "user id -1")] {
            #expect(throws: ConfigError.self) { try layer.checkData(Tensor(int32: ids.map(Int32.init), shape: [ids.count / 2, 2]), what: "data") }
            do { try layer.checkData(Tensor(int32: ids.map(Int32.init), shape: [ids.count / 2, 2]), what: "data") } catch let error as ConfigError {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
        #expect(throws: ConfigError.self) { try layer.checkData(Tensor(int32: [1, 2, 3], shape: [1, 3]), what: "data") }
        #expect(throws: ConfigError.self) { try layer.checkData(Tensor([1, 2], shape: [1, 2]), what: "data") }
    }

    @Test func embeddingRefusesTokenIdsOutsideItsVocabulary() throws {
        let layer = Embedding(vocabularySize: 10, dimensions: 2)
        try layer.checkData(Tensor(int32: [0, 9, 3], shape: [1, 3]), what: "data")
        #expect(throws: ConfigError.self) { try layer.checkData(Tensor(int32: [0, 10], shape: [1, 2]), what: "data") }
        #expect(throws: ConfigError.self) { try layer.checkData(Tensor(int32: [-2], shape: [1, 1]), what: "data") }
        #expect(throws: ConfigError.self) { try layer.checkData(Tensor([0.5], shape: [1, 1]), what: "data") }
    }
}
