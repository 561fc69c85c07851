/// The element type of a tensor.
///
/// Lepton computes in `float32`; `int32` holds labels and indices, and `int8`
/// holds quantised weights. Arithmetic ops take `float32` only and say so when
/// given another type.
public enum DType: String, Sendable, Codable, CaseIterable {
    /// 32-bit IEEE floating point: the type of every differentiable op.
    case float32
    /// 32-bit signed integer: class labels, token ids, gather indices.
    case int32
    /// 8-bit signed integer: quantised weights.
    case int8

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .int8: return 1
        }
    }
}
