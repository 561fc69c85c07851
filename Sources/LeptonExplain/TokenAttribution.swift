/// How much each token of a text pushed the explained output, summed over its embedding's features.
public struct TokenAttribution: Sendable, Equatable {
    /// The text's tokens as the model's `TextVectorization` standardises them (those kept
    /// after truncation), in order.
    public let tokens: [String]
    /// One value per token: positive pushes the score up, negative down.
    public let values: [Float]
    /// The explained output column.
    public let target: Int
    /// The model's output for ``target`` on the text.
    public let score: Float
    /// How the values were computed: `"gradient × input"` or `"integrated gradients"`.
    public let methodName: String
    /// Integrated Gradients only: |Σ values − (F(x) − F(baseline))|, over every position
    /// (padding included).
    public let completenessError: Float?

    /// Creates a token attribution; `values` has one entry per token.
    public init(tokens: [String], values: [Float], target: Int, score: Float, methodName: String,
                completenessError: Float? = nil) {
        self.tokens = tokens
        self.values = values
        self.target = target
        self.score = score
        self.methodName = methodName
        self.completenessError = completenessError
    }
}
