/// One axis of a slice: a range with a step, or a single index that drops the axis.
///
/// Negative bounds count from the end and bounds are clipped, as in NumPy.
public struct SliceSpec: Sendable, Equatable {
    public var start: Int?
    public var end: Int?
    public var step: Int
    /// A single index: the axis is removed from the result.
    public var isIndex: Bool

    /// Elements `start..<end` every `step` (nil bounds mean the whole axis).
    public init(start: Int? = nil, end: Int? = nil, step: Int = 1) {
        self.start = start
        self.end = end
        self.step = step
        self.isIndex = false
    }

    /// The whole axis.
    public static let all = SliceSpec()
    /// One element; the axis is removed.
    public static func at(_ index: Int) -> SliceSpec {
        var s = SliceSpec(start: index, end: index == -1 ? nil : index + 1)
        s.isIndex = true
        return s
    }
    /// A half-open range with an optional step.
    public static func range(_ r: Range<Int>, step: Int = 1) -> SliceSpec {
        SliceSpec(start: r.lowerBound, end: r.upperBound, step: step)
    }
    /// From `start` to the end.
    public static func from(_ start: Int, step: Int = 1) -> SliceSpec { SliceSpec(start: start, step: step) }
}

extension Tensor {
    /// Slices axis by axis (missing trailing axes are taken whole).
    ///
    /// ```swift
    /// let x = Tensor.arange(0, 24).reshape([2, 3, 4])
    /// x.slice([.at(0), .range(0..<3, step: 2)])   // shape [2, 4]
    /// ```
    public func slice(_ specs: [SliceSpec]) -> Tensor {
        require(specs.count <= rank, "slice", "\(specs.count) slice specs for a tensor of rank \(rank) \(shape)")
        let own = Shape.strides(shape)
        var offset = 0
        var outShape: [Int] = [], outStrides: [Int] = [], keptShape: [Int] = []
        for axis in 0..<rank {
            let spec = axis < specs.count ? specs[axis] : .all
            require(spec.step > 0, "slice", "step \(spec.step) on axis \(axis) must be positive")
            let n = shape[axis]
            func resolve(_ v: Int?, _ dflt: Int) -> Int {
                guard let v else { return dflt }
                return Swift.min(Swift.max(v < 0 ? v + n : v, 0), n)
            }
            if spec.isIndex {
                let i = spec.start! < 0 ? spec.start! + n : spec.start!
                require(i >= 0 && i < n, "slice", "index \(spec.start!) is out of range for axis \(axis) of shape \(shape)")
                offset += i * own[axis]
                keptShape.append(1)
                continue
            }
            let lo = resolve(spec.start, 0), hi = resolve(spec.end, n)
            let length = hi > lo ? (hi - lo + spec.step - 1) / spec.step : 0
            offset += lo * own[axis]
            outShape.append(length)
            outStrides.append(own[axis] * spec.step)
            keptShape.append(length)
        }
        let out = Tensor(uninitializedShape: outShape, dtype: dtype, backend: backend)
        if out.count > 0 {
            backend.copyStrided(storage.pointer + offset * dtype.byteSize, strides: outStrides, shape: outShape,
                                elementSize: dtype.byteSize, into: out.storage.pointer)
        }
        let inputShape = shape
        return Tensor.record("slice", out, inputs: [self]) { g in
            let dx = Tensor.zeros(inputShape, backend: g.backend)
            if g.count > 0 {
                g.backend.copyIntoStrided(g.storage.pointer, dx.storage.pointer + offset * 4, strides: outStrides,
                                          shape: outShape, elementSize: 4)
            }
            return [dx]
        }
    }

    /// Slices one axis.
    public func slice(axis: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice")
        var specs = [SliceSpec](repeating: .all, count: a + 1)
        specs[a] = SliceSpec(start: start, end: end, step: step)
        return slice(specs)
    }

    /// Slices with ranges, one per leading axis: `x[0..<2, 1..<3]`.
    public subscript(_ ranges: Range<Int>...) -> Tensor { slice(ranges.map { .range($0) }) }

    /// Slices with specs: `x[.all, .at(0)]`.
    public subscript(_ specs: SliceSpec...) -> Tensor { slice(specs) }
}
