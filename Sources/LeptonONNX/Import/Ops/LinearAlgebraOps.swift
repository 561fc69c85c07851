import LeptonTensor

/// Matrix products: `MatMul` (NumPy semantics, batch broadcasting), `Gemm`
/// (`alpha·op(A)·op(B) + beta·C`) and `Einsum` (explicit or implicit output, `...` for
/// leading axes). Float products use Lepton's BLAS-backed, differentiable `matmul`; integer
/// products and `Einsum` are computed on the host.
extension ONNXOperators {
    static var linearAlgebra: [String: ONNXKernelBuilder] {
        ["MatMul": matmul, "Gemm": gemm, "Einsum": einsum]
    }

    /// The result shape of NumPy's `matmul`, or an error naming both shapes.
    static func matmulShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        guard !a.isEmpty, !b.isEmpty else { throw ONNXError("MatMul operands must have rank ≥ 1, got \(a) and \(b)") }
        let a2 = a.count == 1 ? [1] + a : a, b2 = b.count == 1 ? b + [1] : b
        guard a2[a2.count - 1] == b2[b2.count - 2] else {
            throw ONNXError("inner dimensions differ: \(a) and \(b) (expected a.shape[-1] == b.shape[-2])")
        }
        var out = try broadcastShape([Array(a2.dropLast(2)), Array(b2.dropLast(2))]) + [a2[a2.count - 2], b2[b2.count - 1]]
        if b.count == 1 { out.removeLast() }
        if a.count == 1 { out.remove(at: out.count - (b.count == 1 ? 1 : 2)) }
        return out
    }

    static let matmul: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: ONNXElementType.numericTypes)
        return ONNXKernel(type) { inputs in
            let (a, b) = (inputs[0]!, inputs[1]!)
            let shape = try matmulShape(a.shape, b.shape)
            _ = try ONNXLimits.count(shape, what: "MatMul output")
            if type.isFloatingPoint && a.count > 0 && b.count > 0 { return a.with(a.tensor.matmul(b.tensor)) }
            return hostMatmul(a, b, shape: shape, type: type)
        }
    }

    /// NumPy `matmul` on the host (integers, and operands with an empty dimension).
    static func hostMatmul(_ a: ONNXValue, _ b: ONNXValue, shape: [Int], type: ONNXElementType) -> ONNXValue {
        let a3 = a.rank == 1 ? [1] + a.shape : a.shape, b3 = b.rank == 1 ? b.shape + [1] : b.shape
        let (m, k, n) = (a3[a3.count - 2], a3[a3.count - 1], b3[b3.count - 1])
        let batch = Shape.broadcast(Array(a3.dropLast(2)), Array(b3.dropLast(2)))!
        let oa = broadcastOffsets(Array(a3.dropLast(2)), to: batch), ob = broadcastOffsets(Array(b3.dropLast(2)), to: batch)
        let (va, vb) = (a.doubles, b.doubles)
        var out = [Double](repeating: 0, count: Shape.count(batch) * m * n)
        for p in 0..<Shape.count(batch) {
            let (baseA, baseB, baseC) = (oa[p] * m * k, ob[p] * k * n, p * m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k { s += va[baseA + i * k + l] * vb[baseB + l * n + j] }
                    out[baseC + i * n + j] = s
                }
            }
        }
        return .fromDoubles(out, shape: shape, type: type)
    }

    static let gemm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: (ctx.opset < 11 ? 3 : 2)...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let alpha = try ctx.float("alpha", default: 1), beta = try ctx.float("beta", default: 1)
        let transA = try ctx.int("transA", default: 0, in: 0...1) == 1, transB = try ctx.int("transB", default: 0, in: 0...1) == 1
        if ctx.opset < 7 { _ = try ctx.int("broadcast") }
        return ONNXKernel(type) { inputs in
            let (a, b) = (inputs[0]!, inputs[1]!)
            guard a.rank == 2, b.rank == 2 else { throw ONNXError("A and B must be matrices, got \(a.shape) and \(b.shape)") }
            // B transposed is read in place by the GEMM (a `Linear` weight is exported that way).
            let ta = transA ? a.tensor.transposed() : a.tensor
            let (k, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard ta.shape[1] == k else {
                throw ONNXError("op(A) is \(ta.shape) and op(B) is \([k, n]): inner dimensions differ")
            }
            let m = ta.shape[0]
            var y = k == 0 || m == 0 || n == 0 ? Tensor.zeros([m, n]) : (transB ? ta.matmul(transposed: b.tensor) : ta.matmul(b.tensor))
            if alpha != 1 { y = y * alpha }
            if inputs.count > 2, let c = inputs[2] {
                guard try broadcastShape([c.shape, [m, n]]) == [m, n] else {
                    throw ONNXError("C of shape \(c.shape) does not broadcast to the result \([m, n])")
                }
                y = y + (beta == 1 ? c.tensor : c.tensor * beta)
            }
            return a.with(y)
        }
    }

    static let einsum: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...Int.max)
        let type = try ctx.sameType(Array(0..<ctx.inputTypes.count))
        try ctx.type(0, in: ONNXElementType.numericTypes)
        guard let equation = try ctx.string("equation") else { throw ctx.error("attribute 'equation' is required") }
        let parsed = try EinsumEquation(equation.filter { !$0.isWhitespace }, operands: ctx.inputTypes.count)
        return ONNXKernel(type) { inputs in
            try parsed.evaluate(inputs.compactMap { $0 }, type: type)
        }
    }
}

/// A parsed `Einsum` equation, evaluated on the host by summing over every index assignment.
struct EinsumEquation {
    let inputs: [[Character]]
    let output: [Character]?

    init(_ equation: String, operands: Int) throws {
        let sides = equation.components(separatedBy: "->")
        guard sides.count <= 2 else { throw ONNXError("equation '\(equation)' has more than one '->'") }
        inputs = sides[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0.replacingOccurrences(of: "...", with: ".")) }
        output = sides.count == 2 ? Array(sides[1].replacingOccurrences(of: "...", with: ".")) : nil
        guard inputs.count == operands else {
            throw ONNXError("equation '\(equation)' names \(inputs.count) operand(s), the node has \(operands)")
        }
        for term in inputs + [output ?? []] where !term.allSatisfy({ $0.isLetter || $0 == "." }) || term.filter({ $0 == "." }).count > 1 {
            throw ONNXError("equation '\(equation)' has a term '\(String(term))' that is not letters with at most one '...'")
        }
    }

    func evaluate(_ values: [ONNXValue], type: ONNXElementType) throws -> ONNXValue {
        // Expand '...' into fresh labels for the leading (broadcast) axes.
        let ellipsisRank = try zip(inputs, values).map { term, v -> Int in
            let named = term.filter { $0 != "." }.count
            guard term.contains(".") ? v.rank >= named : v.rank == named else {
                throw ONNXError("term '\(String(term))' does not match an operand of shape \(v.shape)")
            }
            return term.contains(".") ? v.rank - named : 0
        }.max() ?? 0
        let fresh = (0..<ellipsisRank).map { Character(UnicodeScalar(0x3B1 + $0)!) }
        func expand(_ term: [Character], rank: Int) -> [Character] {
            guard let i = term.firstIndex(of: ".") else { return term }
            let k = rank - (term.count - 1)
            return Array(term[..<i]) + fresh.suffix(k) + Array(term[(i + 1)...])
        }
        let terms = zip(inputs, values).map { expand($0, rank: $1.rank) }
        var sizes: [Character: Int] = [:]
        for (term, v) in zip(terms, values) {
            for (label, size) in zip(term, v.shape) {
                if let known = sizes[label], known != size, known != 1, size != 1 {
                    throw ONNXError("index '\(label)' has sizes \(known) and \(size)")
                }
                sizes[label] = Swift.max(sizes[label] ?? size, size)
            }
        }
        let outputTerm: [Character]
        if let output {
            outputTerm = output.contains(".") ? expand(output, rank: output.count - 1 + ellipsisRank) : output
        } else {
            let counts = terms.flatMap { $0 }.reduce(into: [Character: Int]()) { $0[$1, default: 0] += 1 }
            outputTerm = fresh + counts.keys.filter { counts[$0] == 1 && !fresh.contains($0) }.sorted()
        }
        for label in outputTerm where sizes[label] == nil { throw ONNXError("output index '\(label)' appears in no operand") }
        let labels = outputTerm + sizes.keys.filter { !outputTerm.contains($0) }.sorted()
        let extent = labels.map { sizes[$0]! }
        let outShape = outputTerm.map { sizes[$0]! }
        _ = try ONNXLimits.count(extent, what: "Einsum iteration")
        let data = values.map(\.doubles)
        let strides = zip(terms, values).map { term, v -> [Int] in
            let own = Shape.strides(v.shape)
            return labels.map { label in
                guard let d = term.firstIndex(of: label) else { return 0 }
                // A label repeated in one term (a diagonal) adds its strides.
                return term.indices.filter { term[$0] == label && v.shape[$0] != 1 }.reduce(0) { $0 + own[$1] } * (v.shape[d] == 1 ? 0 : 1)
            }
        }
        var out = [Double](repeating: 0, count: Shape.count(outShape))
        let outStrides = Shape.strides(outShape) + Array(repeating: 0, count: labels.count - outputTerm.count)
        let total = Shape.count(extent)
        for i in 0..<total {
            let index = Index.unravel(i, extent)
            var product = 1.0
            for k in values.indices { product *= data[k][Index.offset(index, strides[k])] }
            out[Index.offset(index, outStrides)] += product
        }
        return .fromDoubles(out, shape: outShape, type: type)
    }
}
