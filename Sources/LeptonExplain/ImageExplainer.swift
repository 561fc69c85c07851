import LeptonNN
import LeptonTensor

/// Explains a classification `Sequential` on one image `[1, height, width, channels]` (NHWC):
/// gradient saliency, SmoothGrad, Integrated Gradients, Grad-CAM and occlusion, as Captum and
/// tf-explain name them. Each method explains the predicted class unless given a `target`.
///
/// ```swift
/// let explainer = ImageExplainer(model)
/// let ig = try explainer.integratedGradients(image, steps: 50)
/// print(ig.completenessError!)                     // |Σ attributions − (F(x) − F(0))|
/// let cam = try explainer.gradCAM(image)           // [28, 28, 1], non-negative
/// try Heatmap.write(image: image, attribution: cam, to: url)
/// ```
public struct ImageExplainer {
    /// Runs the model in evaluation mode with frozen weights.
    public let runner: ModelRunner

    /// An explainer of `model`; `batchSize` bounds the samples (path points, noisy copies,
    /// occluded images) run at once.
    public init(_ model: Sequential, batchSize: Int = 32) {
        runner = ModelRunner(model, batchSize: batchSize)
    }

    /// The model explained.
    public var model: Sequential { runner.model }

    /// The class the model predicts for `image`, its output there, and the whole output row.
    /// - Throws: ``ExplainError`` when `image` is not one sample.
    public func predict(_ image: Tensor) throws -> (target: Int, score: Float, outputs: [Float]) {
        try Self.checkOne(image)
        let row = runner.outputs(image).scalars
        guard let best = row.indices.max(by: { row[$0] < row[$1] }) else {
            throw ExplainError("the model's output is empty")
        }
        return (best, row[best], row)
    }

    /// The class to explain: `target`, else the predicted one.
    func resolve(_ image: Tensor, _ target: Int?) throws -> Int {
        try Self.checkOne(image)
        if let target {
            let columns = runner.outputs(image).count
            guard target >= 0, target < columns else {
                throw ExplainError("target class \(target) is out of range: the model has \(columns) output(s)")
            }
            return target
        }
        return try predict(image).target
    }

    /// Checks that `image` is one sample `[1, …]`.
    static func checkOne(_ image: Tensor) throws {
        guard image.rank >= 2, image.shape[0] == 1 else {
            throw ExplainError("expected one sample [1, height, width, channels], got shape \(image.shape)")
        }
        guard image.dtype == .float32 else { throw ExplainError("expected a float32 image, got \(image.dtype)") }
    }

    /// The sample's shape without the batch axis.
    static func sampleShape(_ image: Tensor) -> [Int] { Array(image.shape.dropFirst()) }
}
