import LeptonTensor

/// Limits on what a graph's values may make Lepton allocate: shapes computed from data
/// (`Reshape`, `Expand`, `ConstantOfShape`, `Tile`, `Range`, `Resize`, …) are checked against
/// them before anything is allocated.
public enum ONNXLimits {
    /// The most elements one value may hold (1 GiB of float32).
    public static let maximumElementCount = 1 << 28

    /// The element count of `shape`, checked against ``maximumElementCount``.
    static func count(_ shape: [Int], what: String) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw ONNXError("\(what) shape \(shape) has a negative dimension") }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maximumElementCount else {
                throw ONNXError("\(what) shape \(shape) has more than \(maximumElementCount) elements (Lepton's limit for one value)")
            }
            n = p
        }
        return n
    }

    /// The largest magnitude ``integer(_:what:)`` converts: 2^53, below which doubles hold every integer.
    static let largestExactInteger = 9_007_199_254_740_992.0

    /// A number of tensor data as an `Int` (truncated toward zero), refused when it is not
    /// finite or beyond ±2^53, instead of the conversion stopping the process.
    /// - Parameter what: names the value in the error (the kernel's node is prefixed to it).
    static func integer(_ value: Double, what: String) throws -> Int {
        guard value.isFinite, Swift.abs(value) <= largestExactInteger else {
            throw ONNXError("\(what) \(value) is not a finite number within ±2^53")
        }
        return Int(value)
    }
}

/// The NumPy broadcast of several shapes.
func broadcastShape(_ shapes: [[Int]]) throws -> [Int] {
    var out: [Int] = []
    for s in shapes {
        guard let b = Shape.broadcast(out, s) else {
            throw ONNXError("shapes " + shapes.map { "\($0)" }.joined(separator: ", ")
                            + " do not broadcast (each dimension must match or be 1)")
        }
        out = b
    }
    return out
}

/// For each element of `target` (row-major), the offset of the element of a tensor of `shape`
/// broadcast to `target` that it reads.
func broadcastOffsets(_ shape: [Int], to target: [Int]) -> [Int] {
    let strides = Shape.broadcastStrides(shape, to: target)
    let n = Shape.count(target)
    var out = [Int](repeating: 0, count: n)
    var index = [Int](repeating: 0, count: target.count)
    var offset = 0
    for i in 0..<n {
        out[i] = offset
        var d = target.count - 1
        while d >= 0 {
            index[d] += 1
            offset += strides[d]
            if index[d] < target[d] { break }
            offset -= strides[d] * target[d]
            index[d] = 0
            d -= 1
        }
    }
    return out
}

extension ONNXElementType {
    /// Stores an integer result as this type holds it in `int32`: wrapped to 8-, 16- and 32-bit
    /// types (as C arithmetic does), clamped for the 64-bit and unsigned 32-bit types, 0/1 for BOOL.
    func store(_ v: Int64) -> Int32 {
        switch self {
        case .int8: Int32(Int8(truncatingIfNeeded: v))
        case .uint8: Int32(UInt8(truncatingIfNeeded: v))
        case .int16: Int32(Int16(truncatingIfNeeded: v))
        case .uint16: Int32(UInt16(truncatingIfNeeded: v))
        case .int32: Int32(truncatingIfNeeded: v)
        case .int4: Int32((v & 0xf) ^ 0x8) - 0x8
        case .uint4: Int32(v & 0xf)
        case .int2: Int32((v & 0x3) ^ 0x2) - 0x2
        case .uint2: Int32(v & 0x3)
        case .bool: v != 0 ? 1 : 0
        default: Int32(clamping: v)
        }
    }

    /// Whether the type is a signed or unsigned integer (not BOOL).
    var isInteger: Bool { ONNXElementType.integerTypes.contains(self) }
    /// Whether the type is unsigned.
    var isUnsigned: Bool { [.uint8, .uint16, .uint32, .uint64].contains(self) }
}

extension ONNXValue {
    /// Whether the values are held as float32.
    var isFloating: Bool { tensor.dtype == .float32 }
    /// Number of elements.
    var count: Int { tensor.count }
    /// Number of dimensions.
    var rank: Int { tensor.rank }

    /// The values as Swift integers (floats truncated toward zero).
    var ints: [Int] {
        if tensor.dtype == .int32 {
            let p = tensor.int32s
            return (0..<tensor.count).map { Int(p[$0]) }
        }
        return tensor.scalars.map { $0.isFinite ? Int(max(min($0, 9e18), -9e18)) : 0 }
    }

    /// The values as floats (integers converted).
    var floats: [Float] { tensor.scalars }

    /// A float32 tensor of the values (integers converted), for ops that compute in floats.
    var floatTensor: Tensor { tensor.dtype == .float32 ? tensor : tensor.cast(to: .float32) }

    /// The same element type with new values.
    func with(_ tensor: Tensor) -> ONNXValue { ONNXValue(tensor, elementType: elementType) }

    /// An integer tensor (INT64 by default), values clamped to Lepton's int32.
    static func ints(_ values: [Int], shape: [Int], type: ONNXElementType = .int64) -> ONNXValue {
        ONNXValue(Tensor(int32: values.map { type.store(Int64($0)) }, shape: shape), elementType: type)
    }

    /// A float tensor of `type` (FLOAT by default).
    static func floats(_ values: [Float], shape: [Int], type: ONNXElementType = .float) -> ONNXValue {
        ONNXValue(Tensor(values, shape: shape), elementType: type)
    }

    /// A BOOL tensor.
    static func bools(_ values: [Bool], shape: [Int]) -> ONNXValue {
        ONNXValue(Tensor(int32: values.map { $0 ? 1 : 0 }, shape: shape), elementType: .bool)
    }

    /// Values of `type` converted from float32 values (floats kept, integers truncated, BOOL
    /// nonzero), the conversion ONNX's `Cast` performs.
    static func converting(_ t: Tensor, to type: ONNXElementType) -> ONNXValue {
        if type.isFloatingPoint { return ONNXValue(t.dtype == .float32 ? t : t.cast(to: .float32), elementType: type) }
        if t.dtype == .int32 { return ONNXValue(t, elementType: type).normalized() }
        let source = t.floats
        let out = Tensor(uninitializedShape: t.shape, dtype: .int32)
        let p = out.int32s
        for i in 0..<t.count {
            let x = source[i]
            if type == .bool { p[i] = x != 0 ? 1 : 0; continue }
            guard x.isFinite else {
                let narrow = [.int4, .uint4, .int2, .uint2].contains(type)
                p[i] = x.isNaN || narrow ? (type == .int32 || type == .int64 ? Int32.min : 0) : (x > 0 ? Int32.max : Int32.min)
                continue
            }
            let truncated = Double(x).rounded(.towardZero)
            p[i] = type.store(Int64(max(min(truncated, 9.2e18), -9.2e18)))
        }
        return ONNXValue(out, elementType: type)
    }

    /// The values rounded or wrapped to the precision of the element type: FLOAT16 and
    /// BFLOAT16 rounded to nearest even (the gradient passes straight through), narrow integers
    /// wrapped, BOOL made 0/1.
    func normalized() -> ONNXValue {
        switch elementType {
        case .float16, .bfloat16:
            let rounded = Tensor(uninitializedShape: tensor.shape)
            let (x, y) = (tensor.floats, rounded.floats)
            if elementType == .float16 {
                for i in 0..<count { y[i] = HalfPrecision.float(fromHalf: HalfPrecision.half(fromFloat: x[i])) }
            } else {
                for i in 0..<count { y[i] = Self.roundedToBFloat16(x[i]) }
            }
            if tensor.requiresGrad && GradMode.isEnabled {
                return with(tensor + (rounded - tensor.detach()))
            }
            return with(rounded)
        case .int8, .uint8, .int16, .uint16, .bool, .int4, .uint4, .int2, .uint2:
            let p = tensor.int32s
            var inRange = true
            for i in 0..<count where elementType.store(Int64(p[i])) != p[i] { inRange = false; break }
            if inRange { return self }
            let out = Tensor(uninitializedShape: tensor.shape, dtype: .int32)
            let q = out.int32s
            for i in 0..<count { q[i] = elementType.store(Int64(p[i])) }
            return with(out)
        default:
            return self
        }
    }

    static func roundedToBFloat16(_ x: Float) -> Float {
        if x.isNaN { return x }
        let bits = x.bitPattern
        let rounding = UInt32(0x7fff) + ((bits >> 16) & 1)
        return Float(bitPattern: (bits &+ rounding) & 0xffff_0000)
    }
}

/// Element-wise host loops for values Lepton's tensor ops do not compute (integers, and
/// float functions without a tensor op). They record no gradient.
enum HostMath {
    /// `f(a, b)` over integers with broadcasting, stored as `type`.
    static func integers(_ a: ONNXValue, _ b: ONNXValue, as type: ONNXElementType,
                         _ f: (Int64, Int64) throws -> Int64) throws -> ONNXValue {
        let shape = try broadcastShape([a.shape, b.shape])
        let (oa, ob) = (broadcastOffsets(a.shape, to: shape), broadcastOffsets(b.shape, to: shape))
        let (pa, pb) = (a.tensor.int32s, b.tensor.int32s)
        let out = Tensor(uninitializedShape: shape, dtype: .int32)
        let p = out.int32s
        for i in 0..<out.count { p[i] = type.store(try f(Int64(pa[oa[i]]), Int64(pb[ob[i]]))) }
        return ONNXValue(out, elementType: type)
    }

    /// A comparison of two values of one type, with broadcasting, as BOOL.
    static func compare(_ a: ONNXValue, _ b: ONNXValue, _ f: (Double, Double) -> Bool) throws -> ONNXValue {
        let shape = try broadcastShape([a.shape, b.shape])
        let (oa, ob) = (broadcastOffsets(a.shape, to: shape), broadcastOffsets(b.shape, to: shape))
        let out = Tensor(uninitializedShape: shape, dtype: .int32)
        let p = out.int32s
        if a.isFloating {
            let (pa, pb) = (a.tensor.floats, b.floatTensor.floats)
            for i in 0..<out.count { p[i] = f(Double(pa[oa[i]]), Double(pb[ob[i]])) ? 1 : 0 }
        } else {
            let (pa, pb) = (a.tensor.int32s, b.tensor.int32s)
            for i in 0..<out.count { p[i] = f(Double(pa[oa[i]]), Double(pb[ob[i]])) ? 1 : 0 }
        }
        return ONNXValue(out, elementType: .bool)
    }

    /// `f(x)` over integers, stored as `type`.
    static func integers(_ x: ONNXValue, as type: ONNXElementType, _ f: (Int64) throws -> Int64) rethrows -> ONNXValue {
        let out = Tensor(uninitializedShape: x.shape, dtype: .int32)
        let (p, q) = (x.tensor.int32s, out.int32s)
        for i in 0..<x.count { q[i] = type.store(try f(Int64(p[i]))) }
        return ONNXValue(out, elementType: type)
    }

    /// `f(x)` over floats, keeping the element type (no gradient).
    static func floats(_ x: ONNXValue, _ f: (Float) -> Float) -> ONNXValue {
        let out = Tensor(uninitializedShape: x.shape)
        let (p, q) = (x.tensor.floats, out.floats)
        for i in 0..<x.count { q[i] = f(p[i]) }
        return x.with(out)
    }
}

extension ONNXValue {
    /// The values as doubles (exact for both float32 and int32), for host-computed ops.
    var doubles: [Double] {
        if isFloating {
            let p = tensor.floats
            return (0..<count).map { Double(p[$0]) }
        }
        let p = tensor.int32s
        return (0..<count).map { Double(p[$0]) }
    }

    /// A value of `type` from doubles (integers truncated toward zero and stored as ``ONNXElementType/store(_:)`` does).
    static func fromDoubles(_ values: [Double], shape: [Int], type: ONNXElementType) -> ONNXValue {
        if type.isFloatingPoint { return ONNXValue(Tensor(values.map { Float($0) }, shape: shape), elementType: type) }
        return ONNXValue(Tensor(int32: values.map { d in
            d.isNaN ? 0 : type.store(Int64(Swift.max(Swift.min(d.rounded(.towardZero), 9.2e18), -9.2e18)))
        }, shape: shape), elementType: type)
    }
}

/// Row-major index arithmetic for host-computed ops.
enum Index {
    /// The multi-index of linear position `i` in `shape`.
    static func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        var out = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
            out[d] = rest % shape[d]
            rest /= shape[d]
        }
        return out
    }

    /// The linear position of a multi-index in a tensor with `strides`.
    static func offset(_ index: [Int], _ strides: [Int]) -> Int {
        var o = 0
        for d in index.indices { o += index[d] * strides[d] }
        return o
    }

    /// Resolves an index that may be negative (counting from the end) against `n`.
    /// - Throws: ``ONNXError`` when it is outside `-n..<n`.
    static func resolve(_ i: Int, _ n: Int, what: String = "index") throws -> Int {
        let r = i < 0 ? i + n : i
        guard r >= 0 && r < n else { throw ONNXError("\(what) \(i) is out of range for a dimension of size \(n)") }
        return r
    }
}
