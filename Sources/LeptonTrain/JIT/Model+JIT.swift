import LeptonNN
import LeptonTensor

/// The compiled steps of a model compiled with `jit: true`, by input signature.
final class JITState {
    struct Key: Hashable {
        let shape: [Int]
        let dtype: DType
        let training: Bool
    }

    /// At most this many signatures are kept (a last partial batch is a second one).
    static let capacity = 8
    var steps: [Key: CompiledStep] = [:]
    /// Signatures that run eagerly, with the reason.
    var eager: [Key: String] = [:]
}

extension TrainableModel {
    /// Whether the model was compiled with `jit: true` (whole-step capture; see
    /// ``compile(optimizer:loss:metrics:jit:)``).
    public var isJITCompiled: Bool { (trainingSetup as? TrainingSetup)?.jit != nil }

    /// What the jit made of the model, one line per captured step (`train [128, 784]: dense
    /// 784→256 +bias +relu; …; arena 1234 bytes`) or why a step runs eagerly; nil without `jit: true`.
    public var jitSummary: String? {
        guard let state = (trainingSetup as? TrainingSetup)?.jit else { return nil }
        func name(_ key: JITState.Key) -> String { "\(key.training ? "train" : "infer") \(key.shape)" }
        let lines = state.steps.map { "\(name($0.key)): \($0.value)" } + state.eager.map { "\(name($0.key)): eager (\($0.value))" }
        return lines.sorted().joined(separator: "\n")
    }

    /// The compiled step for a batch `x`, compiled on first use of its shape; nil when the model
    /// was not compiled with `jit: true` or the step runs eagerly.
    func compiledStep(for x: Tensor, training: Bool) -> CompiledStep? {
        guard let state = (trainingSetup as? TrainingSetup)?.jit else { return nil }
        let key = JITState.Key(shape: x.shape, dtype: x.dtype, training: training)
        if state.eager[key] != nil { return nil }
        guard let sequential = self as? Sequential else {
            state.eager[key] = "only Sequential models are captured; \(type(of: self)) runs its own forward"
            return nil
        }
        if let step = state.steps[key], step.matches(sequential) { return step }
        if training, let distribution, distribution.size > 1 {
            state.eager[key] = "data-parallel training all-reduces gradients on the eager tape"
            return nil
        }
        guard !sequential.layers.isEmpty, x.rank >= 1, x.shape[0] > 0 else {
            state.eager[key] = "nothing to capture"
            return nil
        }
        if state.steps.count >= JITState.capacity { state.steps.removeAll() }
        let step = StepCompiler(model: sequential, training: training).compile(for: x)
        guard step.loweredCount > 0 else {
            state.eager[key] = "no layer could be lowered: \(step)"
            return nil
        }
        state.steps[key] = step
        return step
    }

    /// The model's output for a batch in evaluation mode without recording: the compiled
    /// inference step with `jit: true`, else ``LeptonNN/Module/forward(_:)``.
    func inferenceForward(_ x: Tensor) -> Tensor {
        compiledStep(for: x, training: false)?.infer(x) ?? forward(x)
    }
}
