import LeptonNN
import LeptonTensor

/// A lowered ``LeptonNN/Dense``: the bias rows, one GEMM over them and the activation in place
/// on the output; backward the activation's gradient in place on the incoming gradient, then
/// the bias's column sum and the kernel's and the input's GEMMs — the eager layer's kernels in
/// its order, without a tensor, a graph node or an allocation.
final class DenseStep: StepNode {
    let layer: Dense
    let activation: StepActivation
    /// `[rows, in]`, `[rows, out]`, the output's gradient, the separate gradient through the
    /// activation (softmax only) and the input's gradient (nil when nothing before needs it).
    let x: Int, y: Int
    let dy: Int?, dz: Int?, dx: Int?
    let rows: Int, inputs: Int, units: Int
    private let gradients = GradientSlots()

    init(_ layer: Dense, activation: StepActivation, x: Int, y: Int, dy: Int?, dz: Int?, dx: Int?, rows: Int, inputs: Int) {
        (self.layer, self.activation, self.x, self.y, self.dy, self.dz, self.dx) = (layer, activation, x, y, dy, dz, dx)
        (self.rows, self.inputs, self.units) = (rows, inputs, layer.units)
    }

    var label: String {
        "dense \(inputs)→\(units)\(layer.bias == nil ? "" : " +bias")\(activation.name)"
    }
    var forwardValues: [Int] { [x, y] }
    var backwardValues: [Int] { [x, y] + [dy, dz, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        let backend = run.backend, out = run.floats(y)
        let kernel = layer.kernel!
        if let bias = layer.bias {
            backend.copyStrided(bias.storage.pointer, strides: [0, 1], shape: [rows, units], elementSize: 4, into: out)
        }
        backend.gemm(transposeA: false, transposeB: false, m: rows, n: units, k: inputs, alpha: 1, run.floats(x), lda: inputs,
                     kernel.floats, ldb: units, beta: layer.bias == nil ? 0 : 1, out, ldc: units)
        activation.apply(backend, out, out, count: rows * units, columns: units)
    }

    func backward(_ run: StepRun) {
        guard let dy else { return }
        let backend = run.backend, kernel = layer.kernel!
        let incoming = run.floats(dy)
        let g = activation.gradient(backend, y: run.floats(y), dy: incoming, dx: dz.map(run.floats) ?? incoming,
                                    count: rows * units, columns: units)
        gradients.begin()
        if let bias = layer.bias, bias.requiresGrad {
            let db = gradients.tensor(for: bias)
            backend.reduce(.sum, g, outer: 1, reduced: rows, inner: units, db.floats)
        }
        if kernel.requiresGrad {
            let dk = gradients.tensor(for: kernel)
            backend.gemm(transposeA: true, transposeB: false, m: inputs, n: units, k: rows, alpha: 1, run.floats(x), lda: inputs,
                         g, ldb: units, beta: 0, dk.floats, ldc: units)
        }
        if let dx {
            backend.gemm(transposeA: false, transposeB: true, m: rows, n: inputs, k: units, alpha: 1, g, lda: units,
                         kernel.floats, ldb: units, beta: 0, run.floats(dx), ldc: inputs)
        }
    }

    var parameterGradients: [(parameter: Tensor, gradient: Tensor)] { gradients.written }
}
