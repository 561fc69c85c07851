import LeptonNN
import LeptonTensor

extension ImageExplainer {
    /// The index of the model's last `Conv2D` layer, nil when it has none.
    public var lastConvolutionIndex: Int? { model.layers.lastIndex { $0 is Conv2D } }

    /// Grad-CAM (Selvaraju et al.; Captum's `LayerGradCam` followed by an upsampling):
    /// runs the layers up to and including the `Conv2D` at `layer` (the last one by default),
    /// weighs each channel `k` of its activation `A` by the mean gradient `α_k` of the class
    /// score over the activation's positions, takes `ReLU(Σ_k α_k A_k)` and resizes it
    /// bilinearly to the image's height and width. The result has shape `[height, width, 1]`.
    /// - Throws: ``ExplainError`` when the model has no `Conv2D` layer, or `layer` is not one.
    public func gradCAM(_ image: Tensor, target: Int? = nil, layer: Int? = nil) throws -> Attribution {
        guard let index = layer ?? lastConvolutionIndex else {
            throw ExplainError("Grad-CAM needs a Conv2D layer, and the model has none (its layers: "
                               + model.layers.map { "\(type(of: $0))" }.joined(separator: ", ") + ")")
        }
        guard model.layers.indices.contains(index), let conv = model.layers[index] as? Conv2D else {
            throw ExplainError("Grad-CAM: layer \(index) is not a Conv2D layer of the model")
        }
        guard image.rank == 4 else { throw ExplainError("Grad-CAM expects an image [1, height, width, channels], got \(image.shape)") }
        let target = try resolve(image, target)
        let activation = runner.outputs(image, layers: 0..<(index + 1))
        let (scores, gradient) = try runner.gradients(activation, target: target, layers: (index + 1)..<model.layers.count)
        let channelsLast = conv.settings.dataFormat == .channelsLast
        let shape = activation.shape
        let (h, w, k) = channelsLast ? (shape[1], shape[2], shape[3]) : (shape[2], shape[3], shape[1])
        let a = activation.scalars, g = gradient.scalars
        func at(_ y: Int, _ x: Int, _ c: Int) -> Int { channelsLast ? (y * w + x) * k + c : (c * h + y) * w + x }
        var alpha = [Float](repeating: 0, count: k)
        for y in 0..<h { for x in 0..<w { for c in 0..<k { alpha[c] += g[at(y, x, c)] } } }
        alpha = alpha.map { $0 / Float(h * w) }
        var cam = [Float](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for c in 0..<k { s += alpha[c] * a[at(y, x, c)] }
                cam[y * w + x] = max(0, s)
            }
        }
        let (height, width) = (image.shape[1], image.shape[2])
        let resized = Resample.bilinear(cam, height: h, width: w, toHeight: height, toWidth: width)
        return Attribution(method: .gradcam, values: resized.map { max(0, $0) }, shape: [height, width, 1],
                           target: target, score: scores[0])
    }
}
