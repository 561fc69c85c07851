import LeptonNN

/// `MaxPooling2D` and `AveragePooling2D` as ONNX `MaxPool` and `AveragePool` (channels-first,
/// with transposes around them for channels-last images), and `GlobalAveragePooling2D` as
/// `ReduceMean` over the spatial axes. With `same` padding both follow Keras: max pooling never
/// picks a padded cell and average pooling divides by the cells inside the image
/// (`count_include_pad = 0`).
struct PoolingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [MaxPooling2D.self, AveragePooling2D.self, GlobalAveragePooling2D.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        if let global = layer as? GlobalAveragePooling2D {
            return g.reduce("ReduceMean", step.input, axes: global.dataFormat == .channelsLast ? [1, 2] : [2, 3], keepDims: false)
        }
        let pool = layer as! Pooling2D
        let last = pool.dataFormat == .channelsLast
        let (h, w) = last ? (step.inputShape[0], step.inputShape[1]) : (step.inputShape[1], step.inputShape[2])
        let (top, bottom) = samePadding(pool.padding, input: h, kernel: pool.poolSize[0], stride: pool.strides[0], dilation: 1)
        let (left, right) = samePadding(pool.padding, input: w, kernel: pool.poolSize[1], stride: pool.strides[1], dilation: 1)
        let x = last ? g.transpose(step.input, [0, 3, 1, 2]) : step.input
        var attributes: [Onnx_AttributeProto] = [.ints("kernel_shape", pool.poolSize), .ints("strides", pool.strides),
                                                 .ints("pads", [top, left, bottom, right])]
        if layer is AveragePooling2D { attributes.append(.int("count_include_pad", 0)) }
        let y = g.nodeOutputs(layer is MaxPooling2D ? "MaxPool" : "AveragePool", [x], outputs: 1, attributes: attributes)[0]
        return last ? g.transpose(y, [0, 2, 3, 1]) : y
    }
}
