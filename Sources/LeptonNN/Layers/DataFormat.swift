/// Where image channels sit: Keras's default `channelsLast` (`[N, H, W, C]`, as in
/// `input_shape=(28, 28, 1)`) or PyTorch's `channelsFirst` (`[N, C, H, W]`).
public enum DataFormat: String, Sendable, Codable, CaseIterable {
    case channelsLast, channelsFirst
}

/// Padding modes of Keras's convolution and pooling layers.
public enum PaddingMode: String, Sendable, Codable, CaseIterable {
    /// No padding: the output shrinks.
    case valid
    /// Zero padding so that the output size is `ceil(input / stride)` (TensorFlow's rule; any
    /// odd padding goes at the bottom/right).
    case same

    /// `(before, after)` padding for one spatial axis.
    package func amounts(input: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
        guard self == .same else { return (0, 0) }
        let span = dilation * (kernel - 1) + 1
        let out = (input + stride - 1) / stride
        let total = Swift.max(0, (out - 1) * stride + span - input)
        return (total / 2, total - total / 2)
    }
}
