/// A strided iteration space, simplified: dimensions of size 1 dropped and neighbours that
/// are contiguous in every operand merged, so kernels see as few dimensions as possible.
///
/// The last dimension is the inner loop; ``rows`` counts the positions of the others.
struct StridedLayout {
    var shape: [Int]
    /// One stride list per operand, each `shape.count` long.
    var strides: [[Int]]

    init(shape: [Int], strides operandStrides: [[Int]]) {
        var dims: [Int] = []
        var ops: [[Int]] = Array(repeating: [], count: operandStrides.count)
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = dims.last,
               operandStrides.indices.allSatisfy({ ops[$0].last! == operandStrides[$0][d] * shape[d] }) {
                dims[dims.count - 1] = last * shape[d]
                for o in ops.indices { ops[o][ops[o].count - 1] = operandStrides[o][d] }
            } else {
                dims.append(shape[d])
                for o in ops.indices { ops[o].append(operandStrides[o][d]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            ops = ops.map { _ in [0] }
        }
        self.shape = dims
        self.strides = ops
    }

    /// Length of the inner loop.
    var columns: Int { shape[shape.count - 1] }
    /// Number of inner loops (0 for an empty iteration space).
    var rows: Int { columns == 0 ? 0 : Shape.count(shape) / columns }
    /// Inner-loop stride of each operand.
    func innerStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }

    /// Element offset of each operand at the start of `row`.
    @inline(__always)
    func offsets(row: Int, into result: inout [Int]) {
        for o in result.indices { result[o] = 0 }
        var r = row
        var d = shape.count - 2
        while d >= 0 {
            let i = r % shape[d]
            r /= shape[d]
            for o in result.indices { result[o] += i * strides[o][d] }
            d -= 1
        }
    }
}
