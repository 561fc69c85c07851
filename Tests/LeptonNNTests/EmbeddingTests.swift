import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `Embedding` (Layers/Embedding.swift) against `torch.nn.functional.embedding`: lookup, the
/// weight gradient (accumulated over repeated ids), and `paddingIndex`.
@Suite struct EmbeddingTests {
    @Test(arguments: [nil, 0, 3] as [Int?])
    func lookupAndWeightGradientMatchTorch(padding: Int?) throws {
        let embedding = Embedding(vocabularySize: 6, dimensions: 4, paddingIndex: padding)
        let ids = Tensor(int32: [0, 3, 3, 5, 1, 0, 2, 3], shape: [2, 4])
        let upstream = TestSupport.randn([2, 4, 4], seed: 61)
        embedding.weight.grad = nil
        let y = embedding(ids)
        #expect(y.shape == [2, 4, 4])
        (y * upstream).sum().backward()
        try Torch.expectMatch("embedding", [embedding.weight, ids, upstream], attrs: ["padding_idx": .int(padding)],
                              actual: [y, embedding.weight.grad!], tolerance: 1e-5, "Embedding padding \(String(describing: padding))")
    }

    @Test func paddingRowStartsAtZeroAndGetsNoGradient() {
        let embedding = Embedding(vocabularySize: 5, dimensions: 3, paddingIndex: 2)
        #expect(embedding.weight.slice(axis: 0, start: 2, end: 3).scalars == [0, 0, 0])
        let ids = Tensor(int32: [2, 1, 2, 4], shape: [4])
        embedding(ids).square().sum().backward()   // a non-zero upstream gradient everywhere
        let grad = embedding.weight.grad!.scalars
        #expect(Array(grad[6..<9]) == [0, 0, 0])
        #expect(grad[3..<6].contains { $0 != 0 })
    }

    @Test func paddingRowKeepsItsValueInTheForwardPass() throws {
        // PyTorch only blocks the gradient: a padding row with a (loaded) non-zero value is
        // looked up as it is, with or without gradient tracking.
        let embedding = Embedding(vocabularySize: 4, dimensions: 2, paddingIndex: 1)
        embedding.weight.assign(Tensor([1, 2, 3, 4, 5, 6, 7, 8], shape: [4, 2]))
        let ids = Tensor(int32: [1, 0, 1], shape: [3])
        let tracked = embedding(ids)
        let untracked = Tensor.withoutGrad { embedding(ids) }
        #expect(tracked.scalars == [3, 4, 1, 2, 3, 4])
        #expect(untracked.scalars == tracked.scalars)
        tracked.sum().backward()
        #expect(embedding.weight.grad!.scalars == [1, 1, 0, 0, 0, 0, 0, 0])
    }

    @Test func kerasDefaultInitializer() {
        let embedding = Embedding(vocabularySize: 200, dimensions: 100)
        let w = embedding.weight.scalars
        #expect(w.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
        let (mean, std) = moments(w)
        #expect(abs(mean) < 0.002 && abs(std - 0.1 / 12.0.squareRoot()) < 0.002)
    }

    @Test func gradientCheckOfWeight() {
        let embedding = Embedding(vocabularySize: 5, dimensions: 3)
        embedding.weight.fillNormal(seed: 62)
        let ids = Tensor(int32: [0, 1, 1, 4, 3, 0], shape: [2, 3])
        let result = GradientChecker.check(parameters: [embedding.weight]) { embedding(ids).tanh() }
        #expect(result.passed, "Embedding: \(result)")
    }
}
