import Foundation
import LeptonTensor

/// `NonMaxSuppression`, `Unique`, `Det`, `TensorScatter` (key/value cache writes) and
/// `BitCast` between types Lepton holds bit-exactly. Computed on the host.
extension ONNXOperators {
    static var miscellaneous: [String: ONNXKernelBuilder] {
        ["NonMaxSuppression": nonMaxSuppression, "Unique": unique, "Det": det, "TensorScatter": tensorScatter, "BitCast": bitCast]
    }

    static let nonMaxSuppression: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...5)
        try ctx.type(0, in: [.float])
        try ctx.type(1, in: [.float])
        if ctx.has(2) { try ctx.type(2, in: [.int64]) }
        for i in 3...4 where ctx.has(i) { try ctx.type(i, in: [.float]) }
        let centers = try ctx.int("center_point_box", default: 0, in: 0...1) == 1
        return ONNXKernel(.int64) { inputs in
            let (boxes, scores) = (inputs[0]!, inputs[1]!)
            guard boxes.rank == 3, boxes.shape[2] == 4, scores.rank == 3, scores.shape[0] == boxes.shape[0], scores.shape[2] == boxes.shape[1] else {
                throw ONNXError("boxes \(boxes.shape) must be [batches, boxes, 4] and scores \(scores.shape) [batches, classes, boxes]")
            }
            let limit = Swift.max((inputs.count > 2 ? inputs[2]?.ints.first : nil) ?? 0, 0)
            let iou = Double((inputs.count > 3 ? inputs[3]?.floats.first : nil) ?? 0)
            let threshold: Double? = (inputs.count > 4 ? inputs[4]?.floats.first : nil).map { Double($0) }
            let (batches, classes, count) = (scores.shape[0], scores.shape[1], boxes.shape[1])
            let (b, s) = (boxes.doubles, scores.doubles)
            // (xmin, ymin, xmax, ymax) of box i of batch n.
            func corners(_ n: Int, _ i: Int) -> (Double, Double, Double, Double) {
                let v = (0..<4).map { b[(n * count + i) * 4 + $0] }
                if centers { return (v[0] - v[2] / 2, v[1] - v[3] / 2, v[0] + v[2] / 2, v[1] + v[3] / 2) }
                return (Swift.min(v[1], v[3]), Swift.min(v[0], v[2]), Swift.max(v[1], v[3]), Swift.max(v[0], v[2]))
            }
            func suppresses(_ n: Int, _ i: Int, _ j: Int) -> Bool {
                let (a, c) = (corners(n, i), corners(n, j))
                let (x0, x1) = (Swift.max(a.0, c.0), Swift.min(a.2, c.2)), (y0, y1) = (Swift.max(a.1, c.1), Swift.min(a.3, c.3))
                guard x1 > x0, y1 > y0 else { return false }
                let intersection = (x1 - x0) * (y1 - y0)
                let area1 = (a.2 - a.0) * (a.3 - a.1), area2 = (c.2 - c.0) * (c.3 - c.1)
                let union = area1 + area2 - intersection
                guard area1 > 0, area2 > 0, union > 0 else { return false }
                return intersection / union > iou
            }
            var selected: [Int] = []
            for n in 0..<batches {
                for c in 0..<classes {
                    let score = { (i: Int) in s[(n * classes + c) * count + i] }
                    let candidates = (0..<count).filter { threshold == nil || score($0) > threshold! }
                        .sorted { score($0) != score($1) ? score($0) > score($1) : $0 < $1 }
                    var kept: [Int] = []
                    for i in candidates where kept.count < limit {
                        if !kept.contains(where: { suppresses(n, i, $0) }) {
                            kept.append(i)
                            selected += [n, c, i]
                        }
                    }
                }
            }
            return .ints(selected, shape: [selected.count / 3, 3])
        }
    }

    static let unique: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1, outputs: 1...4)
        let type = try ctx.type(0, in: ONNXElementType.numericTypes)
        let axis = try ctx.int("axis"), sorted = try ctx.int("sorted", default: 1, in: 0...1) == 1
        return ONNXKernel(outputTypes: [type, .int64, .int64, .int64]) { inputs in
            let x = inputs[0]!
            let values = x.doubles
            let a = try axis.map { try resolveAxis($0, rank: x.rank) }
            // Each unique key: one element (no axis) or one slice along the axis.
            let n = a.map { x.shape[$0] } ?? x.count
            let outer = a.map { Shape.count(Array(x.shape[..<$0])) } ?? 1, inner = a.map { Shape.count(Array(x.shape[($0 + 1)...])) } ?? 1
            let keys = (0..<n).map { i in (0..<outer).flatMap { o in (0..<inner).map { values[(o * n + i) * inner + $0] } } }
            var firstIndex: [Int] = []
            var inverse = [Int](repeating: 0, count: n)
            var groupOf: [[Double]: Int] = [:]
            for (i, key) in keys.enumerated() {
                if let g = groupOf[key] { inverse[i] = g } else {
                    groupOf[key] = firstIndex.count
                    inverse[i] = firstIndex.count
                    firstIndex.append(i)
                }
            }
            var order = Array(firstIndex.indices)
            if sorted {
                order.sort { p, q in
                    let (u, v) = (keys[firstIndex[p]], keys[firstIndex[q]])
                    for (l, r) in zip(u, v) where l != r { return l < r }
                    return false
                }
            }
            var rank = [Int](repeating: 0, count: order.count)
            for (position, g) in order.enumerated() { rank[g] = position }
            let picked = order.map { firstIndex[$0] }
            var counts = [Int](repeating: 0, count: order.count)
            for g in inverse { counts[rank[g]] += 1 }
            let y: ONNXValue
            if let a {
                y = picked.isEmpty ? x.with(x.tensor.slice(axis: a, start: 0, end: 0)) : x.with(x.tensor.indexSelect(axis: a, Tensor(indices: picked)))
            } else {
                y = .fromDoubles(picked.map { values[$0] }, shape: [picked.count], type: type)
            }
            return [y, .ints(picked, shape: [picked.count]), .ints(inverse.map { rank[$0] }, shape: [n]), .ints(counts, shape: [counts.count])]
        }
    }

    static let det: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else { throw ONNXError("input \(x.shape) must be [..., M, M]") }
            let m = x.shape[x.rank - 1], values = x.doubles
            let batch = Array(x.shape.dropLast(2))
            let result = (0..<Shape.count(batch)).map { p -> Double in
                var a = Array(values[(p * m * m)..<((p + 1) * m * m)])
                var determinant = 1.0
                for col in 0..<m {
                    let pivot = (col..<m).max { abs(a[$0 * m + col]) < abs(a[$1 * m + col]) }!
                    if a[pivot * m + col] == 0 { return 0 }
                    if pivot != col {
                        for k in 0..<m { a.swapAt(pivot * m + k, col * m + k) }
                        determinant = -determinant
                    }
                    determinant *= a[col * m + col]
                    for row in (col + 1)..<m {
                        let f = a[row * m + col] / a[col * m + col]
                        for k in col..<m { a[row * m + k] -= f * a[col * m + k] }
                    }
                }
                return determinant
            }
            return .fromDoubles(result, shape: batch, type: type)
        }
    }

    static let tensorScatter: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: ONNXElementType.allTypes)
        if ctx.has(2) { try ctx.type(2, in: [.int64]) }
        let circular = try ctx.choice("mode", ["linear", "circular"]) == "circular"
        let axis = try ctx.int("axis", default: -2)
        return ONNXKernel(type) { inputs in
            let (cache, update) = (inputs[0]!, inputs[1]!)
            let a = try resolveAxis(axis, rank: cache.rank)
            guard a >= 1, update.rank == cache.rank, (0..<cache.rank).allSatisfy({ $0 == a ? update.shape[$0] <= cache.shape[$0] : update.shape[$0] == cache.shape[$0] }) else {
                throw ONNXError("update \(update.shape) must match past_cache \(cache.shape) outside axis \(axis) (not the batch axis) and fit along it")
            }
            let batch = cache.shape[0]
            let writes = (inputs.count > 2 ? inputs[2]?.ints : nil) ?? Array(repeating: 0, count: batch)
            guard writes.count == batch else { throw ONNXError("write_indices has \(writes.count) entries, expected \(batch)") }
            var out = cache.doubles
            let source = update.doubles
            let (length, steps) = (cache.shape[a], update.shape[a])
            let prefix = Shape.count(Array(cache.shape[..<a])), inner = Shape.count(Array(cache.shape[(a + 1)...]))
            let perBatch = prefix / Swift.max(batch, 1)
            for p in 0..<prefix {
                for t in 0..<steps {
                    var position = writes[p / Swift.max(perBatch, 1)] + t
                    if circular { position = ((position % length) + length) % length }
                    guard position >= 0 && position < length else { throw ONNXError("write position \(position) is outside the cache length \(length)") }
                    for i in 0..<inner { out[(p * length + position) * inner + i] = source[(p * steps + t) * inner + i] }
                }
            }
            return .fromDoubles(out, shape: cache.shape, type: type)
        }
    }

    /// Types Lepton holds bit-exactly, grouped by width.
    static let bitCastGroups: [Set<ONNXElementType>] = [[.float, .int32], [.float16, .bfloat16, .int16, .uint16], [.int8, .uint8, .bool]]

    static let bitCast: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let source = try ctx.type(0)
        guard let raw = try ctx.int("to") else { throw ctx.error("attribute 'to' is required") }
        let target = try ONNXElementType.from(Int32(clamping: raw), context: ctx.label)
        guard bitCastGroups.contains(where: { $0.contains(source) && $0.contains(target) }) else {
            throw ctx.error("BitCast from \(source) to \(target) is not supported (Lepton reinterprets FLOAT/INT32, the 16-bit and the 8-bit types it holds exactly)")
        }
        return ONNXKernel(target) { inputs in
            let x = inputs[0]!
            let bits: [UInt32] = x.doubles.map { v in
                switch source {
                case .float: return Float(v).bitPattern
                case .float16: return UInt32(HalfPrecision.half(fromFloat: Float(v)))
                case .bfloat16: return Float(v).bitPattern >> 16
                default: return UInt32(truncatingIfNeeded: Int64(v))
                }
            }
            let values: [Double] = bits.map { b in
                switch target {
                case .float: return Double(Float(bitPattern: b))
                case .int32: return Double(Int32(bitPattern: b))
                case .float16: return Double(HalfPrecision.float(fromHalf: UInt16(truncatingIfNeeded: b)))
                case .bfloat16: return Double(Float(bitPattern: (b & 0xffff) << 16))
                case .int16: return Double(Int16(bitPattern: UInt16(truncatingIfNeeded: b)))
                case .uint16: return Double(UInt16(truncatingIfNeeded: b))
                case .int8: return Double(Int8(bitPattern: UInt8(truncatingIfNeeded: b)))
                default: return Double(UInt8(truncatingIfNeeded: b))
                }
            }
            return .fromDoubles(values, shape: x.shape, type: target)
        }
    }
}
