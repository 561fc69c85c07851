import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct PositionalEmbeddingTests {
    @Test func sinusoidalEncodingMatchesFormula() throws {
        let table = SinusoidalPositionEncoding.encoding(length: 7, dimensions: 6)
        let c = try LayerTesting.compare("sine_position_encoding", [], attrs: ["length": 7, "dimensions": 6],
                                         actual: table)
        #expect(c.passes, "\(c)")
        let odd = SinusoidalPositionEncoding.encoding(length: 5, dimensions: 5, maxWavelength: 100)
        let co = try LayerTesting.compare("sine_position_encoding", [],
                                          attrs: ["length": 5, "dimensions": 5, "max_wavelength": 100.0], actual: odd)
        #expect(co.passes, "\(co)")
    }

    @Test func sinusoidalEncodingIsAdded() {
        let layer = SinusoidalPositionEncoding()
        let x = TestSupport.randn([2, 4, 6], seed: 1)
        let y = layer(x)
        let table = SinusoidalPositionEncoding.encoding(length: 4, dimensions: 6).scalars
        let expected = x.scalars.enumerated().map { $0.element + table[$0.offset % 24] }
        #expect(TestSupport.maxRelativeError(y.scalars, expected) < 1e-6)
        #expect(layer.parameterCount == 0)
        #expect(layer(Tensor.zeros([3, 6])).scalars == Array(table[0..<18]))
    }

    @Test func tokenAndPositionEmbeddingMatchesPyTorch() throws {
        let layer = TokenAndPositionEmbedding(vocabularySize: 11, sequenceLength: 8, embeddingDimensions: 5)
        #expect(layer.namedParameters().map(\.0) == ["tokenEmbedding.weight", "positionEmbedding.weight"])
        let ids = Tensor(int32: [1, 4, 10, 0, 3, 7, 7, 2, 9, 5, 6, 1], shape: [2, 6])
        let y = layer(ids)
        #expect(y.shape == [2, 6, 5])
        let c = try LayerTesting.compare("token_and_position_embedding",
                                         [ids, layer.tokenEmbedding.weight, layer.positionEmbedding.weight!], actual: y)
        #expect(c.passes, "\(c)")
    }

    @Test func positionEmbeddingGradients() {
        let layer = PositionEmbedding(sequenceLength: 5, features: 3)
        let x = TestSupport.randn([2, 4, 3], seed: 2)
        let result = GradientChecker.check(parameters: layer.parameters() + [x]) { layer(x).tanh() }
        #expect(result.passed, "\(result)")
        // Rows past the sequence get no gradient.
        let w = layer.weight!
        w.grad = nil
        layer(x).sum().backward()
        #expect(Array(w.grad!.scalars[12..<15]) == [0, 0, 0])
        #expect(Array(w.grad!.scalars[0..<3]) == [2, 2, 2])
    }

    @Test func tokenAndPositionGradients() {
        let layer = TokenAndPositionEmbedding(vocabularySize: 6, sequenceLength: 4, embeddingDimensions: 3)
        let ids = Tensor(int32: [1, 5, 1, 0, 2, 3], shape: [2, 3])
        let result = GradientChecker.check(parameters: layer.parameters()) { layer(ids).square() }
        #expect(result.passed, "\(result)")
    }

    @Test func lazyBuildTakesFeaturesFromInput() {
        let layer = PositionEmbedding(sequenceLength: 10)
        #expect(layer.weight == nil)
        #expect(layer(Tensor.zeros([4, 7, 3])).shape == [4, 7, 3])
        #expect(layer.weight!.shape == [10, 3])
    }

    @Test func tooLongSequenceStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = PositionEmbedding(sequenceLength: 4, features: 3)
            _ = layer(Tensor.zeros([2, 6, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("PositionEmbedding: input [2, 6, 3] needs at most 4 steps of 3 features"), "\(message)")
        }
    }
}
