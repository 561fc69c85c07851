import LeptonNN
import LeptonTensor

/// `Resizing` as ONNX `Resize` on the channels-last images (sizes `[batch, height, width,
/// channels]`, the batch taken from the input's `Shape`), `coordinate_transformation_mode =
/// half_pixel`, `linear` or `nearest` with `nearest_mode = round_prefer_ceil` — the sampling the
/// layer computes, so onnxruntime gives the same values. `CenterCrop` as `Slice` of rows and
/// columns. Integer inputs are cast to float first, as the layers do.
struct ImagePreprocessingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Resizing.self, CenterCrop.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        guard step.inputShape.count == 3 else {
            throw step.error("expected images [batch, height, width, channels], got [batch, \(step.inputShape.map(String.init).joined(separator: ", "))]")
        }
        var x = step.input
        if step.inputIsInteger { x = g.node("Cast", [x], .int("to", Int(ONNXElementType.float.rawValue))) }
        let (h, w, c) = (step.inputShape[0], step.inputShape[1], step.inputShape[2])
        if let crop = layer as? CenterCrop {
            guard h >= crop.height, w >= crop.width else {
                throw step.error("the \(h)×\(w) images are smaller than the \(crop.height)×\(crop.width) crop")
            }
            let (top, left) = crop.offsets(inputHeight: h, inputWidth: w)
            return g.node("Slice", [x, g.ints([top, left], name: "starts"), g.ints([top + crop.height, left + crop.width], name: "ends"),
                                    g.ints([1, 2], name: "axes")])
        }
        let resizing = layer as! Resizing
        if h == resizing.height && w == resizing.width { return x }
        let batch = g.node("Slice", [g.node("Shape", [x]), g.ints([0], name: "batch_start"), g.ints([1], name: "batch_end")])
        let sizes = g.node("Concat", [batch, g.ints([resizing.height, resizing.width, c], name: "sizes")], .int("axis", 0))
        return g.node("Resize", [x, "", "", sizes], .string("mode", resizing.interpolation == .bilinear ? "linear" : "nearest"),
                      .string("coordinate_transformation_mode", "half_pixel"), .string("nearest_mode", "round_prefer_ceil"))
    }
}
