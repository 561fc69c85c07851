/// Shape arithmetic shared by every op: element counts, strides, axis
/// normalisation and NumPy broadcasting.
public enum Shape {
    /// Number of elements of a tensor of `shape` (1 for a scalar).
    @inlinable
    public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Row-major strides of `shape`, in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s &*= shape[i]
        }
        return strides
    }

    /// Resolves a possibly negative axis against `rank`, stopping with a message naming `op`.
    public static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        require(a >= 0 && a < max(rank, 1), op, "axis \(axis) is out of range for a tensor of rank \(rank)")
        return a
    }

    /// Resolves a list of axes (nil means all), sorted and without duplicates.
    public static func axes(_ axes: [Int]?, rank: Int, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let resolved = axes.map { axis($0, rank: rank, op: op) }
        let unique = Array(Set(resolved)).sorted()
        require(unique.count == resolved.count, op, "axes \(axes) repeat an axis")
        return unique
    }

    /// The NumPy broadcast of two shapes, or nil when they do not broadcast.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides for reading a tensor of `shape` as if it had the (broadcast) shape `target`:
    /// broadcast dimensions get stride 0.
    public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var out = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            out[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return out
    }

    /// The axes of `target` along which a tensor of `shape` was broadcast: summing a gradient
    /// of shape `target` over these axes and reshaping gives a gradient of shape `shape`.
    public static func reducedAxes(from target: [Int], to shape: [Int]) -> [Int] {
        let offset = target.count - shape.count
        var axes: [Int] = Array(0..<offset)
        for i in 0..<shape.count where shape[i] == 1 && target[i + offset] != 1 {
            axes.append(i + offset)
        }
        return axes
    }
}
