import LeptonNN
import LeptonTensor

/// A lowered channels-last ``LeptonNN/Conv2D`` with its bias and a ReLU inside the kernel; at
/// inference also the 2×2 ``LeptonNN/MaxPooling2D`` after it (the eager model's fused pass).
/// Backward: the ReLU's gradient in place on the incoming gradient, then the eager layer's
/// data, filter and bias gradients.
final class ConvolutionStep: StepNode {
    let layer: Conv2D
    let parameters: Conv2DParameters
    let x: Int, y: Int
    let dy: Int?, dx: Int?
    /// Set when the max pooling after it masks its gradient by the ReLU on the pooled map
    /// (``PoolingStep/masksReLU``): the full map's ReLU pass is then skipped.
    var reluMaskedDownstream = false
    private let gradients = GradientSlots()

    init(_ layer: Conv2D, parameters: Conv2DParameters, x: Int, y: Int, dy: Int?, dx: Int?) {
        (self.layer, self.parameters, self.x, self.y, self.dy, self.dx) = (layer, parameters, x, y, dy, dx)
    }

    var label: String {
        let p = parameters
        return "conv2d \(p.kernelHeight)×\(p.kernelWidth) \(p.inChannels)→\(p.outChannels)\(layer.bias == nil ? "" : " +bias")"
            + (p.fusedReLU ? " +relu" : "") + (p.fusedMaxPool ? " +maxpool2×2" : "")
    }
    var forwardValues: [Int] { [x, y] }
    var backwardValues: [Int] { [x, y] + [dy, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        run.backend.conv2dNHWC(parameters, run.floats(x), layer.kernel!.floats,
                               bias: layer.bias.map { UnsafePointer($0.floats) }, run.floats(y))
    }

    func backward(_ run: StepRun) {
        guard let dy else { return }
        let backend = run.backend, p = parameters, kernel = layer.kernel!
        let g = run.floats(dy)
        if p.fusedReLU && !reluMaskedDownstream {
            let out = run.floats(y)
            backend.unaryBackward(.relu, x: out, y: out, dy: g, dx: g, count: p.batch * p.outPlane * p.outChannels)
        }
        gradients.begin()
        if let dx { backend.conv2dNHWCBackwardData(p, g, kernel.floats, run.floats(dx)) }
        if kernel.requiresGrad { backend.conv2dNHWCBackwardFilter(p, run.floats(x), g, gradients.tensor(for: kernel).floats) }
        if let bias = layer.bias, bias.requiresGrad {
            backend.reduce(.sum, g, outer: 1, reduced: p.batch * p.outPlane, inner: p.outChannels, gradients.tensor(for: bias).floats)
        }
    }

    var parameterGradients: [(parameter: Tensor, gradient: Tensor)] { gradients.written }
}

/// A lowered channels-last max or average pooling with valid padding (``LeptonNN/Pooling2D``);
/// max pooling keeps each output's argmax in an `int32` scratch value for the backward pass.
final class PoolingStep: StepNode {
    let parameters: Pool2DParameters
    let channels: Int
    let x: Int, y: Int
    let indices: Int?, dy: Int?, dx: Int?
    /// Whether the gradient is masked by a ReLU before the pooling (the convolution's): a
    /// pooled value > 0 exactly where its window's maximum was, so the mask runs over the pooled
    /// map before the scatter instead of over the full map after it — the same values.
    var masksReLU = false

    init(parameters: Pool2DParameters, channels: Int, x: Int, y: Int, indices: Int?, dy: Int?, dx: Int?) {
        (self.parameters, self.channels, self.x, self.y, self.indices, self.dy, self.dx) = (parameters, channels, x, y, indices, dy, dx)
    }

    var label: String {
        "\(parameters.kind == .max ? "max" : "average")pool \(parameters.kernelHeight)×\(parameters.kernelWidth)"
            + (masksReLU ? " +relu gradient" : "")
    }
    var forwardValues: [Int] { [x, y] + [indices].compactMap { $0 } }
    var backwardValues: [Int] { [y] + [indices, dy, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        run.backend.pool2dNHWC(parameters, channels: channels, run.floats(x), run.floats(y), indices: indices.map(run.int32s))
    }

    func backward(_ run: StepRun) {
        guard let dy, let dx else { return }
        if masksReLU {
            let (pooled, g) = (run.floats(y), run.floats(dy))
            run.backend.unaryBackward(.relu, x: pooled, y: pooled, dy: g, dx: g,
                                      count: parameters.planes * parameters.outHeight * parameters.outWidth * channels)
        }
        run.backend.pool2dNHWCBackward(parameters, channels: channels, run.floats(dy),
                                       indices: indices.map { UnsafePointer(run.int32s($0)) }, run.floats(dx))
    }
}
