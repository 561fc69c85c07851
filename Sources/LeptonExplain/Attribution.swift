/// What an attribution method found for one sample: a value per input element (or per pixel,
/// for Grad-CAM), the class it explains and that class's score.
public struct Attribution: Sendable, Equatable {
    /// The method that made it.
    public let method: AttributionMethod
    /// One value per element of ``shape``, row-major.
    public let values: [Float]
    /// The sample's shape without the batch axis: `[height, width, channels]` for images
    /// (`channels` is 1 for Grad-CAM), `[tokens]` for text.
    public let shape: [Int]
    /// The explained output column.
    public let target: Int
    /// The model's output for ``target`` on the sample.
    public let score: Float
    /// Integrated Gradients only: |Σ attributions − (F(x) − F(baseline))|.
    public let completenessError: Float?

    /// Creates an attribution; `values.count` must be the product of `shape`.
    public init(method: AttributionMethod, values: [Float], shape: [Int], target: Int, score: Float,
                completenessError: Float? = nil) {
        self.method = method
        self.values = values
        self.shape = shape
        self.target = target
        self.score = score
        self.completenessError = completenessError
    }

    /// For images (`[height, width, channels]`), the values summed over the channels, one per
    /// pixel, row-major; otherwise ``values``.
    public var pixelMap: [Float] {
        guard shape.count == 3, shape[2] > 1 else { return values }
        let channels = shape[2]
        return stride(from: 0, to: values.count, by: channels).map { start in
            values[start..<(start + channels)].reduce(0, +)
        }
    }

    /// Whether the values have both signs worth showing (a diverging colour map).
    public var isSigned: Bool { values.contains { $0 < 0 } && values.contains { $0 > 0 } }
}
