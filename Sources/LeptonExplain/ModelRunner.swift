import LeptonNN
import LeptonTensor

/// Runs a `Sequential` (or a range of its layers) for explanation: in evaluation mode (no
/// dropout, batch-norm running statistics), with the weights frozen so that backpropagation
/// reaches only the input, in chunks of ``batchSize`` samples.
public struct ModelRunner {
    /// The model explained.
    public let model: Sequential
    /// The most samples run through the model at once.
    public var batchSize: Int
    /// The model's parameters, found once: walking the module tree (by reflection) on every call
    /// cost more than the gradients of a small CNN.
    private let parameters: [Tensor]

    /// A runner of `model`, `batchSize` samples at a time.
    public init(_ model: Sequential, batchSize: Int = 32) {
        self.model = model
        self.batchSize = max(1, batchSize)
        parameters = model.namedParameters().map(\.1)
    }

    /// Runs `body` with the model in evaluation mode and its parameters frozen, then restores both
    /// (the mode is switched only when the model was training).
    public func inInference<R>(_ body: () throws -> R) rethrows -> R {
        let wasTraining = model.isTraining
        let flags = parameters.map(\.requiresGrad)
        if wasTraining { model.eval() }
        for p in parameters { p.requiresGrad = false }
        defer {
            if wasTraining { model.train() }
            for (p, flag) in zip(parameters, flags) { p.requiresGrad = flag }
        }
        return try body()
    }

    /// `x` through the layers `range` (all of them by default).
    public func run(_ x: Tensor, layers range: Range<Int>? = nil) -> Tensor {
        let range = range ?? 0..<model.layers.count
        return model.layers[range].reduce(x) { $1($0) }
    }

    /// The outputs of the layers `range` for `x`, without recording gradients, in chunks.
    public func outputs(_ x: Tensor, layers range: Range<Int>? = nil) -> Tensor {
        inInference {
            Tensor.withoutGrad {
                chunks(of: x).map { run($0, layers: range) }.concatenated()
            }
        }
    }

    /// Each sample's output column `target` (the samples along axis 0 of `x`).
    /// - Throws: ``ExplainError`` when the output has no column `target`.
    public func scores(_ x: Tensor, target: Int, layers range: Range<Int>? = nil) throws -> [Float] {
        try Self.column(outputs(x, layers: range), target)
    }

    /// The gradient of output column `target`, summed over the samples, with respect to `x`
    /// (one gradient per sample, since samples do not interact in evaluation mode), and each
    /// sample's score.
    /// - Throws: ``ExplainError`` when the output has no column `target`.
    public func gradients(_ x: Tensor, target: Int, layers range: Range<Int>? = nil) throws -> (scores: [Float], gradient: Tensor) {
        try inInference {
            var scores: [Float] = [], gradients: [Tensor] = []
            for chunk in chunks(of: x) {
                let input = chunk.detach().copy().requiringGrad()
                let output = run(input, layers: range)
                let flat = output.reshape([output.shape[0], output.count / max(output.shape[0], 1)])
                guard target >= 0, target < flat.shape[1] else {
                    throw ExplainError("target class \(target) is out of range: the model has \(flat.shape[1]) output(s)")
                }
                let column = flat.slice(axis: 1, start: target, end: target + 1)
                scores += column.detach().scalars
                column.sum().backward()
                gradients.append(input.grad ?? Tensor.zeros(like: input))
            }
            return (scores, gradients.concatenated())
        }
    }

    /// `0..<count` cut into consecutive ranges of at most ``batchSize``, for methods that make
    /// their samples a batch at a time.
    public func ranges(_ count: Int) -> [Range<Int>] {
        Swift.stride(from: 0, to: count, by: batchSize).map { $0..<Swift.min(count, $0 + batchSize) }
    }

    /// The samples of `x` in chunks of at most ``batchSize``.
    func chunks(of x: Tensor) -> [Tensor] {
        let n = x.shape.first ?? 0
        guard n > batchSize else { return [x] }
        return stride(from: 0, to: n, by: batchSize).map { x.slice(axis: 0, start: $0, end: Swift.min(n, $0 + batchSize)) }
    }

    /// Column `target` of outputs `[samples, …]`, flattened per sample.
    static func column(_ output: Tensor, _ target: Int) throws -> [Float] {
        let n = output.shape.first ?? 0, columns = n == 0 ? 0 : output.count / n
        guard target >= 0, target < columns else {
            throw ExplainError("target class \(target) is out of range: the model has \(columns) output(s)")
        }
        let values = output.scalars
        return (0..<n).map { values[$0 * columns + target] }
    }
}

extension Array where Element == Tensor {
    /// The tensors joined along axis 0 (the one tensor itself when there is one).
    func concatenated() -> Tensor { count == 1 ? self[0] : Tensor.concatenate(self, axis: 0) }
}
