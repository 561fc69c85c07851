import LeptonNN
import LeptonTensor
import LeptonTrain

/// Token importance for a text classifier whose first layer is a `TextVectorization` and which
/// has an `Embedding` (the sentiment model: TextVectorization → Embedding → Bidirectional
/// LSTM → Dense): attributions at the embedding's output, summed over each token's features,
/// by gradient × input or by Integrated Gradients from an all-zero embedding.
///
/// ```swift
/// let explainer = try TextExplainer(model)
/// let tokens = try explainer.explain("a moving and funny film", steps: 32)
/// try TokenHTML.render(tokens).write(to: url, atomically: true, encoding: .utf8)
/// ```
public struct TextExplainer {
    /// Runs the model in evaluation mode with frozen weights.
    public let runner: ModelRunner
    /// The model's `TextVectorization` (its first layer).
    public let vectorization: TextVectorization
    /// The index of the model's first `Embedding` (or `TokenAndPositionEmbedding`) layer, where
    /// the attributions are taken.
    public let embeddingIndex: Int

    /// An explainer of `model`.
    /// - Throws: ``ExplainError`` when the first layer is not a `TextVectorization` or no
    ///   `Embedding` or `TokenAndPositionEmbedding` follows it.
    public init(_ model: Sequential) throws {
        guard let vectorization = model.textVectorization else {
            throw ExplainError("token attribution needs a model that takes text (its first layer a TextVectorization)")
        }
        guard let index = model.layers.firstIndex(where: { $0 is Embedding || $0 is TokenAndPositionEmbedding }) else {
            throw ExplainError("token attribution needs an Embedding or TokenAndPositionEmbedding layer, and the model has none")
        }
        runner = ModelRunner(model)
        self.vectorization = vectorization
        embeddingIndex = index
    }

    /// The model's output row for `text`.
    public func outputs(_ text: String) -> [Float] {
        runner.outputs(vectorization.encode([text])).scalars
    }

    /// Token attributions of `text` for output column `target` (the predicted class by default;
    /// the one column of a sigmoid model). `steps` nil gives gradient × input; otherwise
    /// Integrated Gradients with `steps` points of `rule`.
    /// - Throws: ``ExplainError`` for a text without tokens, a bad target or too few steps.
    public func explain(_ text: String, target: Int? = nil, steps: Int? = nil,
                        rule: IntegrationRule = .gaussLegendre) throws -> TokenAttribution {
        let words = vectorization.standardize.tokens(text)
        guard !words.isEmpty else { throw ExplainError("the text has no tokens") }
        let ids = vectorization.encode([text])
        let row = runner.outputs(ids).scalars
        let target = target ?? (row.count == 1 ? 0 : row.indices.max { row[$0] < row[$1] } ?? 0)
        let rest = (embeddingIndex + 1)..<runner.model.layers.count
        let embedded = runner.outputs(ids, layers: 0..<(embeddingIndex + 1))   // [1, length, features]
        let (length, features) = (embedded.shape[1], embedded.shape[2])
        let e = embedded.scalars
        let perElement: [Float], error: Float?, name: String, score: Float
        if let steps {
            let (alphas, weights) = try rule.nodes(steps: steps)
            let path = alphas.flatMap { a in e.map { Float(a) * $0 } }
            let gradient = try runner.gradients(Tensor(path, shape: [steps, length, features]), target: target, layers: rest).gradient.scalars
            var integral = [Double](repeating: 0, count: e.count)
            for (s, w) in weights.enumerated() { for i in 0..<e.count { integral[i] += w * Double(gradient[s * e.count + i]) } }
            perElement = (0..<e.count).map { Float(integral[$0]) * e[$0] }
            let ends = try runner.scores(Tensor.concatenate([embedded, Tensor.zeros(like: embedded)], axis: 0), target: target, layers: rest)
            score = ends[0]
            error = abs(perElement.reduce(0, +) - (ends[0] - ends[1]))
            name = "integrated gradients"
        } else {
            let (scores, gradient) = try runner.gradients(embedded, target: target, layers: rest)
            perElement = zip(gradient.scalars, e).map { $0 * $1 }
            score = scores[0]
            error = nil
            name = "gradient × input"
        }
        let perPosition = (0..<length).map { p in perElement[(p * features)..<((p + 1) * features)].reduce(0, +) }
        let kept = min(words.count, length)
        let keptWords = vectorization.truncating == .pre ? Array(words.suffix(kept)) : Array(words.prefix(kept))
        let start = vectorization.padding == .pre ? length - kept : 0
        return TokenAttribution(tokens: keptWords, values: Array(perPosition[start..<(start + kept)]), target: target,
                                score: score, methodName: name, completenessError: error)
    }
}
