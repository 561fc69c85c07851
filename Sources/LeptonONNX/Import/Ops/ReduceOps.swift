import Foundation
import LeptonTensor

/// Reductions (`ReduceSum`, `ReduceMean`, `ReduceMax`, `ReduceMin`, `ReduceProd`, `ReduceL1`,
/// `ReduceL2`, `ReduceLogSum`, `ReduceLogSumExp`, `ReduceSumSquare`) and `ArgMax`/`ArgMin`.
/// Axes come from the attribute (older opsets) or the optional input; float reductions over
/// non-empty axes use Lepton's differentiable reductions, the rest are computed on the host.
extension ONNXOperators {
    static var reductions: [String: ONNXKernelBuilder] {
        [
            "ReduceSum": reduce(.sum, axesInputOpset: 13), "ReduceMean": reduce(.mean), "ReduceMax": reduce(.max),
            "ReduceMin": reduce(.min), "ReduceProd": reduce(.prod), "ReduceL1": reduce(.l1), "ReduceL2": reduce(.l2),
            "ReduceLogSum": reduce(.logSum), "ReduceLogSumExp": reduce(.logSumExp), "ReduceSumSquare": reduce(.sumSquare),
            "ArgMax": argReduce(max: true), "ArgMin": argReduce(max: false),
        ]
    }

    enum Reduction {
        case sum, mean, max, min, prod, l1, l2, logSum, logSumExp, sumSquare

        /// The float computation with Lepton's tensor ops over non-empty axes.
        func tensor(_ x: Tensor, _ axes: [Int], _ keep: Bool) -> Tensor {
            switch self {
            case .sum: x.sum(axes: axes, keepDims: keep)
            case .mean: x.mean(axes: axes, keepDims: keep)
            case .max: x.max(axes: axes, keepDims: keep)
            case .min: x.min(axes: axes, keepDims: keep)
            case .l1: x.abs().sum(axes: axes, keepDims: keep)
            case .l2: x.square().sum(axes: axes, keepDims: keep).sqrt()
            case .sumSquare: x.square().sum(axes: axes, keepDims: keep)
            case .logSum: x.sum(axes: axes, keepDims: keep).log()
            case .logSumExp: x.logSumExp(axes: axes, keepDims: keep)
            case .prod: fatalError("ReduceProd is computed on the host")
            }
        }

        /// Host computation: the start value, the step, and the final transform given the count.
        var host: (start: Double, step: (Double, Double) -> Double, finish: (Double, Int) -> Double) {
            switch self {
            case .sum: (0, { $0 + $1 }, { v, _ in v })
            case .mean: (0, { $0 + $1 }, { v, n in v / Double(n) })
            case .max: (-.infinity, { $1.isNaN || $0.isNaN ? .nan : Swift.max($0, $1) }, { v, _ in v })
            case .min: (.infinity, { $1.isNaN || $0.isNaN ? .nan : Swift.min($0, $1) }, { v, _ in v })
            case .prod: (1, { $0 * $1 }, { v, _ in v })
            case .l1: (0, { $0 + Swift.abs($1) }, { v, _ in v })
            case .l2: (0, { $0 + $1 * $1 }, { v, _ in v.squareRoot() })
            case .sumSquare: (0, { $0 + $1 * $1 }, { v, _ in v })
            case .logSum: (0, { $0 + $1 }, { v, _ in Foundation.log(v) })
            case .logSumExp: (0, { $0 + Foundation.exp($1) }, { v, _ in Foundation.log(v) })
            }
        }
    }

    static func reduce(_ kind: Reduction, axesInputOpset: Int = 18) -> ONNXKernelBuilder {
        { ctx in
            let axesOf = try axesSource(ctx, inputOpset: axesInputOpset, required: false)
            let type = try ctx.type(0, in: kind == .max || kind == .min ? ONNXElementType.allTypes : ONNXElementType.numericTypes)
            let keep = try ctx.int("keepdims", default: 1, in: 0...1) == 1
            let noop = ctx.opset >= axesInputOpset ? try ctx.int("noop_with_empty_axes", default: 0, in: 0...1) == 1 : false
            return ONNXKernel(type) { inputs in
                let x = inputs[0]!
                let given = try axesOf(inputs) ?? []
                if given.isEmpty && noop { return x }
                let axes = given.isEmpty ? Array(0..<x.rank) : try given.map { try resolveAxis($0, rank: x.rank) }
                guard Set(axes).count == axes.count else { throw ONNXError("axes \(given) repeat an axis") }
                let sorted = axes.sorted()
                if type.isFloatingPoint && kind != .prod && x.count > 0 && !sorted.isEmpty {
                    return x.with(kind.tensor(x.tensor, sorted, keep))
                }
                return hostReduce(x, axes: sorted, keep: keep, kind: kind)
            }
        }
    }

    /// A reduction over `axes` (sorted) on the host, in doubles.
    static func hostReduce(_ x: ONNXValue, axes: [Int], keep: Bool, kind: Reduction) -> ONNXValue {
        let (start, step, finish) = kind.host
        var outShape = x.shape
        for a in axes { outShape[a] = 1 }
        let outStrides = Shape.strides(outShape)
        var reducedStrides = outStrides
        for a in axes { reducedStrides[a] = 0 }
        let outCount = Shape.count(outShape)
        var accumulators = [Double](repeating: start, count: outCount)
        if kind == .logSumExp || kind == .logSum {
            // log Σ eˣ computed stably: shift by the maximum of each group.
            let values = x.doubles
            var maxima = [Double](repeating: -.infinity, count: outCount)
            for i in 0..<x.count {
                let o = Index.offset(Index.unravel(i, x.shape), reducedStrides)
                maxima[o] = Swift.max(maxima[o], values[i])
            }
            if kind == .logSum { maxima = maxima.map { _ in 0 } }
            for i in 0..<x.count {
                let o = Index.offset(Index.unravel(i, x.shape), reducedStrides)
                accumulators[o] += kind == .logSum ? values[i] : Foundation.exp(values[i] - (maxima[o].isFinite ? maxima[o] : 0))
            }
            let result = accumulators.enumerated().map { o, v in Foundation.log(v) + (maxima[o].isFinite ? maxima[o] : 0) }
            return .fromDoubles(result, shape: keep ? outShape : x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] },
                                type: x.elementType)
        }
        let values = x.doubles
        for i in 0..<x.count {
            let o = Index.offset(Index.unravel(i, x.shape), reducedStrides)
            accumulators[o] = step(accumulators[o], values[i])
        }
        let n = axes.reduce(1) { $0 * x.shape[$1] }
        var result = accumulators.map { finish($0, n) }
        if !x.isFloating && (kind == .max || kind == .min) && n == 0 {
            result = result.map { $0 < 0 ? Double(Int32.min) : Double(Int32.max) }
        }
        let shape = keep ? outShape : x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
        return .fromDoubles(result, shape: shape, type: x.elementType)
    }

    static func argReduce(max: Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            try ctx.type(0, in: ONNXElementType.numericTypes)
            let axis = try ctx.int("axis", default: 0)
            let keep = try ctx.int("keepdims", default: 1, in: 0...1) == 1
            let last = try ctx.int("select_last_index", default: 0, in: 0...1) == 1
            return ONNXKernel(.int64) { inputs in
                let x = inputs[0]!
                let a = try resolveAxis(axis, rank: x.rank)
                let n = x.shape[a]
                guard n > 0 else { throw ONNXError("axis \(axis) of shape \(x.shape) is empty") }
                let inner = Shape.count(Array(x.shape[(a + 1)...])), outer = Shape.count(Array(x.shape[..<a]))
                let values = x.doubles
                var out = [Int](repeating: 0, count: outer * inner)
                for o in 0..<outer {
                    for i in 0..<inner {
                        var best = 0
                        var bestValue = values[o * n * inner + i]
                        for k in 1..<n {
                            let v = values[(o * n + k) * inner + i]
                            let better = max ? (v > bestValue || (last && v == bestValue)) : (v < bestValue || (last && v == bestValue))
                            if better { best = k; bestValue = v }
                        }
                        out[o * inner + i] = best
                    }
                }
                var shape = x.shape
                if keep { shape[a] = 1 } else { shape.remove(at: a) }
                return .ints(out, shape: shape)
            }
        }
    }
}
