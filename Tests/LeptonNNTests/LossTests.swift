import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Every loss in Sources/LeptonNN/Losses against its PyTorch equivalent (to 1e-5, each
/// reduction), and gradient checks with respect to the predictions (and both embeddings
/// for the embedding losses).
@Suite struct LossTests {
    static let reductions: [Reduction] = [.mean, .sum, .none]

    /// Compares `lepton(reduction)` with the torch `loss` op for every reduction.
    static func expectMatchesTorch(_ name: String, _ inputs: [Tensor], attrs: OracleAttributes = [:],
                                   sourceLocation: SourceLocation = #_sourceLocation,
                                   _ lepton: (Reduction) -> Tensor) throws {
        for reduction in reductions {
            var a = attrs
            a["name"] = .string(name)
            a["reduction"] = .string(reduction.rawValue)
            try Torch.expectMatch("loss", inputs, attrs: a, actual: lepton(reduction), tolerance: 1e-5,
                                  "\(name) \(attrs) reduction \(reduction)", sourceLocation: sourceLocation)
        }
    }

    static func expectGradient(_ name: String, _ inputs: [Tensor], checking: [Int] = [0],
                               sourceLocation: SourceLocation = #_sourceLocation, _ loss: ([Tensor]) -> Tensor) {
        let result = GradientChecker.check(inputs, checking: checking, loss)
        #expect(result.passed, "\(name): \(result)", sourceLocation: sourceLocation)
    }

    static let prediction = TestSupport.randn([5, 4], seed: 81)
    static let target = TestSupport.randn([5, 4], seed: 82)

    // MARK: Regression

    @Test func meanSquaredErrorMatchesTorch() throws {
        try Self.expectMatchesTorch("mse", [Self.prediction, Self.target]) { meanSquaredError(Self.prediction, Self.target, reduction: $0) }
        for r in Self.reductions {
            Self.expectGradient("mse \(r)", [Self.prediction.copy(), Self.target.copy()], checking: [0, 1]) { meanSquaredError($0[0], $0[1], reduction: r) }
        }
    }

    @Test func meanAbsoluteErrorMatchesTorch() throws {
        try Self.expectMatchesTorch("l1", [Self.prediction, Self.target]) { meanAbsoluteError(Self.prediction, Self.target, reduction: $0) }
        let difference = GradientChecker.input([5, 4], seed: 83, low: -2, high: 2, awayFrom: [0], margin: 0.05)
        Self.expectGradient("l1", [Self.target + difference, Self.target.copy()], checking: [0, 1]) { meanAbsoluteError($0[0], $0[1]) }
    }

    @Test(arguments: [Float(1), 0.5, 2])
    func huberMatchesTorch(delta: Float) throws {
        let p = Self.prediction * 2
        try Self.expectMatchesTorch("huber", [p, Self.target], attrs: ["delta": .float(delta)]) {
            huberLoss(p, Self.target, delta: delta, reduction: $0)
        }
        let difference = GradientChecker.input([5, 4], seed: 84, low: -3, high: 3, awayFrom: [-delta, delta], margin: 0.05)
        Self.expectGradient("huber \(delta)", [Self.target + difference, Self.target.copy()], checking: [0, 1]) {
            huberLoss($0[0], $0[1], delta: delta, reduction: .none)
        }
    }

    // MARK: Binary

    @Test func binaryCrossEntropyOnProbabilities() throws {
        let p = TestSupport.uniform([6, 3], seed: 85, low: 0.02, high: 0.98)
        let hard = TestSupport.uniform([6, 3], seed: 86, low: 0, high: 1).greater(0.5).cast(to: .float32)
        let soft = TestSupport.uniform([6, 3], seed: 87, low: 0, high: 1)
        for t in [hard, soft] {
            try Self.expectMatchesTorch("bce", [p, t]) { binaryCrossEntropy(p, t, reduction: $0) }
        }
        let pg = TestSupport.uniform([6, 3], seed: 88, low: 0.1, high: 0.9)
        Self.expectGradient("bce", [pg, soft], checking: [0, 1]) { binaryCrossEntropy($0[0], $0[1]) }
    }

    @Test func binaryCrossEntropyOnLogits() throws {
        let logits = Tensor.concatenate([TestSupport.randn([5, 3], seed: 89, scale: 3), Tensor([-40, 0, 40], shape: [1, 3])])
        let t = TestSupport.uniform([6, 3], seed: 90, low: 0, high: 1)
        try Self.expectMatchesTorch("bce_logits", [logits, t]) { binaryCrossEntropy(logits: logits, t, reduction: $0) }
        let x = GradientChecker.input([6, 3], seed: 91, low: -4, high: 4, awayFrom: [0], margin: 0.05)
        Self.expectGradient("bce logits", [x, t], checking: [0, 1]) { binaryCrossEntropy(logits: $0[0], $0[1], reduction: .none) }
    }

    // MARK: Categorical

    static let logits = TestSupport.randn([6, 5], seed: 92, scale: 2)
    static let labels = Tensor(int32: [0, 4, 2, 2, 1, 3], shape: [6])
    static let softTarget = TestSupport.randn([6, 5], seed: 93).softmax(axis: -1)

    @Test(arguments: [Float(0), 0.1, 0.3])
    func crossEntropyOnLogits(labelSmoothing: Float) throws {
        let attrs: OracleAttributes = ["label_smoothing": .float(labelSmoothing)]
        let l = Self.logits, y = Self.labels, t = Self.softTarget
        try Self.expectMatchesTorch("cross_entropy", [l, y], attrs: attrs) {
            sparseCategoricalCrossEntropy(logits: l, y, labelSmoothing: labelSmoothing, reduction: $0)
        }
        try Self.expectMatchesTorch("cross_entropy", [l, t], attrs: attrs) {
            categoricalCrossEntropy(logits: l, t, labelSmoothing: labelSmoothing, reduction: $0)
        }
        let oneHot = Tensor.oneHot(y, classes: 5)
        try Self.expectMatchesTorch("cross_entropy", [l, oneHot], attrs: attrs) {
            categoricalCrossEntropy(logits: l, oneHot, labelSmoothing: labelSmoothing, reduction: $0)
        }
        Self.expectGradient("sparse CE logits \(labelSmoothing)", [l.copy(), y.copy()]) {
            sparseCategoricalCrossEntropy(logits: $0[0], $0[1], labelSmoothing: labelSmoothing, reduction: .none)
        }
        Self.expectGradient("CE logits \(labelSmoothing)", [l.copy(), t.copy()], checking: [0, 1]) {
            categoricalCrossEntropy(logits: $0[0], $0[1], labelSmoothing: labelSmoothing)
        }
    }

    @Test func crossEntropyOnRank3Logits() throws {
        // [N, T, C] sequences: Lepton reduces the last axis (torch takes classes on axis 1).
        let l = TestSupport.randn([2, 3, 4], seed: 94)
        let y = Tensor(int32: [0, 3, 1, 2, 2, 0], shape: [2, 3])
        let expected = try NumPyOracle.torch.run("loss", [l.reshape([6, 4]), y.reshape([6])],
                                                 attrs: ["name": "cross_entropy", "reduction": "none"])[0]
        let actual = sparseCategoricalCrossEntropy(logits: l, y, reduction: .none)
        #expect(actual.shape == [2, 3])
        #expect(TestSupport.maxRelativeError(actual.scalars, expected.scalars) <= 1e-5)
    }

    @Test(arguments: [Float(0), 0.2])
    func crossEntropyOnProbabilities(labelSmoothing: Float) throws {
        let attrs: OracleAttributes = ["label_smoothing": .float(labelSmoothing)]
        let p = Self.logits.softmax(axis: -1)
        // Unnormalised positive scores: Keras rescales them to sum to one first.
        let unnormalised = TestSupport.uniform([6, 5], seed: 95, low: 0.05, high: 2)
        for probabilities in [p, unnormalised] {
            try Self.expectMatchesTorch("categorical_probabilities", [probabilities, Self.labels], attrs: attrs) {
                sparseCategoricalCrossEntropy(probabilities, Self.labels, labelSmoothing: labelSmoothing, reduction: $0)
            }
            try Self.expectMatchesTorch("categorical_probabilities", [probabilities, Self.softTarget], attrs: attrs) {
                categoricalCrossEntropy(probabilities, Self.softTarget, labelSmoothing: labelSmoothing, reduction: $0)
            }
        }
        // On probabilities that sum to one, Keras's loss equals torch's cross entropy of their logarithm.
        try Self.expectMatchesTorch("cross_entropy", [p.log(), Self.labels], attrs: attrs) {
            sparseCategoricalCrossEntropy(p, Self.labels, labelSmoothing: labelSmoothing, reduction: $0)
        }
        Self.expectGradient("CE probabilities \(labelSmoothing)", [unnormalised.copy(), Self.softTarget.copy()], checking: [0, 1]) {
            categoricalCrossEntropy($0[0], $0[1], labelSmoothing: labelSmoothing, reduction: .none)
        }
    }

    @Test func klDivergenceMatchesTorch() throws {
        let q = Self.logits.softmax(axis: -1), p = Self.softTarget
        try Self.expectMatchesTorch("kl_div", [q, p]) { klDivergence(q, p, reduction: $0) }
        // Away from zero, where −p/q is steep and the clamp at ε sits.
        let qg = TestSupport.uniform([6, 5], seed: 99, low: 0.3, high: 1), pg = TestSupport.uniform([6, 5], seed: 100, low: 0.3, high: 1)
        Self.expectGradient("kl", [qg, pg], checking: [0, 1]) { klDivergence($0[0], $0[1], reduction: .none) }
    }

    // MARK: Embedding losses

    static let a = TestSupport.randn([6, 4], seed: 96)
    static let b = TestSupport.randn([6, 4], seed: 97)
    static let c = TestSupport.randn([6, 4], seed: 98)

    @Test func cosineSimilarityMatchesTorch() throws {
        try Torch.expectMatch("loss", [Self.a, Self.b], attrs: ["name": "cosine_similarity"],
                              actual: cosineSimilarity(Self.a, Self.b), tolerance: 1e-5, "cosineSimilarity")
        Self.expectGradient("cosine similarity", [Self.a.copy(), Self.b.copy()], checking: [0, 1]) { cosineSimilarity($0[0], $0[1]) }
    }

    @Test(arguments: [Float(0), 0.2])
    func cosineEmbeddingMatchesTorch(margin: Float) throws {
        let labels = Tensor([1, -1, -1, 1, -1, 1])
        try Self.expectMatchesTorch("cosine_embedding", [Self.a, Self.b, labels], attrs: ["margin": .float(margin)]) {
            cosineEmbeddingLoss(Self.a, Self.b, labels, margin: margin, reduction: $0)
        }
        // Keep every cosine of a negative pair away from the margin (the hinge's kink).
        let cos = cosineSimilarity(Self.a, Self.b).scalars
        #expect(zip(cos, labels.scalars).allSatisfy { $1 > 0 || abs($0 - margin) > 0.05 })
        Self.expectGradient("cosine embedding \(margin)", [Self.a.copy(), Self.b.copy(), labels], checking: [0, 1]) {
            cosineEmbeddingLoss($0[0], $0[1], $0[2], margin: margin, reduction: .none)
        }
    }

    @Test(arguments: [Float(1), 3])
    func contrastiveMatchesReference(margin: Float) throws {
        let labels = Tensor([1, 0, 0, 1, 0, 1])
        try Self.expectMatchesTorch("contrastive", [Self.a, Self.b, labels], attrs: ["margin": .float(margin)]) {
            contrastiveLoss(Self.a, Self.b, labels, margin: margin, reduction: $0)
        }
        Self.expectGradient("contrastive \(margin)", [Self.a.copy(), Self.b.copy(), labels], checking: [0, 1]) {
            contrastiveLoss($0[0], $0[1], $0[2], margin: margin, reduction: .none)
        }
    }

    @Test(arguments: [Float(1), 2.5])
    func tripletMarginMatchesTorch(margin: Float) throws {
        try Self.expectMatchesTorch("triplet", [Self.a, Self.b, Self.c], attrs: ["margin": .float(margin)]) {
            tripletMarginLoss(anchor: Self.a, positive: Self.b, negative: Self.c, margin: margin, reduction: $0)
        }
        Self.expectGradient("triplet \(margin)", [Self.a.copy(), Self.b.copy(), Self.c.copy()], checking: [0, 1, 2]) {
            tripletMarginLoss(anchor: $0[0], positive: $0[1], negative: $0[2], margin: margin, reduction: .none)
        }
    }
}
