extension Tensor {
    /// A `float32` tensor holding `scalars` in row-major order.
    ///
    /// ```swift
    /// let m = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    /// ```
    public convenience init(_ scalars: [Float], shape: [Int], backend: (any Backend)? = nil) {
        require(Shape.count(shape) == scalars.count, "Tensor",
                "\(scalars.count) values do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitializedShape: shape, dtype: .float32, backend: backend)
        scalars.withUnsafeBufferPointer { floats.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A one-dimensional `float32` tensor.
    public convenience init(_ scalars: [Float]) {
        self.init(scalars, shape: [scalars.count])
    }

    /// A `float32` scalar (rank 0).
    public convenience init(_ value: Float) {
        self.init([value], shape: [])
    }

    /// A matrix from rows of equal length.
    public convenience init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns }, "Tensor", "rows have different lengths \(rows.map(\.count))")
        self.init(rows.flatMap { $0 }, shape: [rows.count, columns])
    }

    /// An `int32` tensor (labels, indices).
    public convenience init(int32 values: [Int32], shape: [Int], backend: (any Backend)? = nil) {
        require(Shape.count(shape) == values.count, "Tensor",
                "\(values.count) values do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitializedShape: shape, dtype: .int32, backend: backend)
        values.withUnsafeBufferPointer { int32s.update(from: $0.baseAddress!, count: values.count) }
    }

    /// An `int32` tensor from Swift integers (they must fit in 32 bits).
    public convenience init(indices: [Int], shape: [Int]? = nil) {
        self.init(int32: indices.map { Int32($0) }, shape: shape ?? [indices.count])
    }

    /// An `int8` tensor (quantised values).
    public convenience init(int8 values: [Int8], shape: [Int], backend: (any Backend)? = nil) {
        require(Shape.count(shape) == values.count, "Tensor",
                "\(values.count) values do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitializedShape: shape, dtype: .int8, backend: backend)
        values.withUnsafeBufferPointer { int8s.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A tensor filled with `value` (converted for integer types).
    public static func full(_ shape: [Int], _ value: Float, dtype: DType = .float32,
                            backend: (any Backend)? = nil) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: .float32, backend: backend)
        out.backend.fill(out.floats, count: out.count, value: value)
        return dtype == .float32 ? out : out.cast(to: dtype)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, backend: (any Backend)? = nil) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype, backend: backend)
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.count * dtype.byteSize)
        return out
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32, backend: (any Backend)? = nil) -> Tensor {
        full(shape, 1, dtype: dtype, backend: backend)
    }

    /// A tensor of zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype, backend: other.backend) }

    /// A tensor of ones shaped like `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype, backend: other.backend) }

    /// `[start, start + step, …]` up to but excluding `end`, as NumPy's `arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        require(step != 0, "arange", "step must not be zero")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step }, shape: [n])
    }

    /// `count` evenly spaced values from `start` to `end` inclusive, as NumPy's `linspace`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        require(count >= 0, "linspace", "count must be ≥ 0, got \(count)")
        if count == 1 { return Tensor([start], shape: [1]) }
        let step = Double(end - start) / Double(Swift.max(count - 1, 1))
        return Tensor((0..<count).map { Float(Double(start) + Double($0) * step) }, shape: [count])
    }

    /// The identity matrix (or `rows × columns` with ones on the diagonal).
    public static func eye(_ rows: Int, _ columns: Int? = nil) -> Tensor {
        let c = columns ?? rows
        var values = [Float](repeating: 0, count: rows * c)
        for i in 0..<Swift.min(rows, c) { values[i * c + i] = 1 }
        return Tensor(values, shape: [rows, c])
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout RandomGenerator) -> Tensor {
        let n = Shape.count(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * generator.nextFloat() }
        return Tensor(values, shape: shape)
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout RandomGenerator) -> Tensor {
        let n = Shape.count(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = mean + std * generator.nextNormal() }
        return Tensor(values, shape: shape)
    }

    /// Uniform integers in `[low, high)`, as `int32` (labels, token ids).
    public static func randint(_ shape: [Int], low: Int = 0, high: Int, generator: inout RandomGenerator) -> Tensor {
        require(high > low, "randint", "high \(high) must exceed low \(low)")
        let n = Shape.count(shape)
        let values = (0..<n).map { _ in Int32(low + Int(generator.next() % UInt64(high - low))) }
        return Tensor(int32: values, shape: shape)
    }
}
