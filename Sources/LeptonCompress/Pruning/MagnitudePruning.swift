import LeptonNN
import LeptonTensor
import LeptonTrain

/// Magnitude pruning as a training callback (TF-MOT's `prune_low_magnitude`): at the steps the
/// ``PruningSchedule`` names, the smallest-magnitude weights of every `Dense` and `Conv2D` kernel
/// are set to zero — the smallest of each kernel (``Scope/perLayer``) or of all kernels together
/// (``Scope/global``) — and after every step the pruned weights are set to zero again, so the
/// optimizer cannot grow them back. Biases are never pruned.
///
/// ```swift
/// let pruning = try MagnitudePruning(schedule: .polynomial(initial: 0, final: 0.8, beginStep: 0, endStep: 1000))
/// try model.fit(x: x, y: y, epochs: 2, callbacks: [pruning])
/// ```
public final class MagnitudePruning: Callback {
    /// Which weights compete for pruning.
    public enum Scope: String, Sendable, CaseIterable { case perLayer, global }

    public let schedule: PruningSchedule
    public let scope: Scope
    /// Steps seen so far (across epochs).
    public private(set) var step = 0
    /// Each pruned kernel's mask (1 kept, 0 pruned), by parameter name.
    public private(set) var masks: [String: [Float]] = [:]

    /// - Throws: ``CompressError`` for a schedule with a sparsity outside (0, 1) or bad steps.
    public init(schedule: PruningSchedule, scope: Scope = .perLayer) throws {
        try schedule.validate()
        self.schedule = schedule
        self.scope = scope
    }

    /// The kernels this callback prunes: the `kernel` of every `Dense` and `Conv2D` in `model`.
    public static func prunableKernels(of model: Module) -> [(String, Tensor)] {
        model.namedModules().compactMap { name, module in
            let kernel = (module as? Dense)?.kernel ?? (module as? Conv2D)?.kernel
            return kernel.map { ((name.isEmpty ? "" : name + ".") + "kernel", $0) }
        }
    }

    /// The fraction of exact zeros in each prunable kernel.
    public static func sparsity(of model: Module) -> [(name: String, sparsity: Double)] {
        prunableKernels(of: model).map { name, kernel in
            (name, Double(kernel.scalars.filter { $0 == 0 }.count) / Double(max(kernel.count, 1)))
        }
    }

    public func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) throws {
        let kernels = Self.prunableKernels(of: context.model)
        if let target = schedule.sparsity(atStep: step) { updateMasks(kernels, sparsity: target) }
        applyMasks(kernels)
        step += 1
    }

    /// Zeroes the `sparsity` fraction of smallest magnitudes (per kernel or over all of them).
    func updateMasks(_ kernels: [(String, Tensor)], sparsity: Double) {
        let groups: [[(String, Tensor)]] = scope == .global ? [kernels] : kernels.map { [$0] }
        for group in groups {
            let values = group.flatMap { $0.1.scalars.map(abs) }
            let prune = Int(sparsity * Double(values.count))
            var keep = [Bool](repeating: true, count: values.count)
            for index in values.indices.sorted(by: { values[$0] < values[$1] }).prefix(prune) { keep[index] = false }
            var offset = 0
            for (name, kernel) in group {
                masks[name] = (0..<kernel.count).map { keep[offset + $0] ? 1 : 0 }
                offset += kernel.count
            }
        }
    }

    /// Sets the pruned weights to zero.
    func applyMasks(_ kernels: [(String, Tensor)]) {
        for (name, kernel) in kernels {
            guard let mask = masks[name], mask.count == kernel.count else { continue }
            let p = kernel.floats
            for i in 0..<mask.count where mask[i] == 0 { p[i] = 0 }
        }
    }
}
