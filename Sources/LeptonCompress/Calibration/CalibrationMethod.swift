/// How the range of a layer's input is chosen from the calibration batches (ONNX Runtime's
/// `CalibrationMethod`).
public enum CalibrationMethod: String, CaseIterable, Sendable {
    /// The smallest and largest value seen.
    case minmax
    /// The 0.01st and 99.99th percentiles of the values seen (outliers clipped).
    case percentile
    /// The upper bound whose 255-level quantisation keeps the distribution closest in
    /// Kullback–Leibler divergence (TensorRT's entropy calibration).
    case entropy
}
