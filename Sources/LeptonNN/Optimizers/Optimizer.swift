import LeptonTensor

/// The base class of optimizers. Subclasses override only ``update(_:gradient:state:learningRate:)``
/// — one parameter's update, given its per-parameter state — as in mlx-swift.
///
/// ```swift
/// let optimizer = Adam(model, learningRate: 1e-3)
/// model.zeroGrad(); loss.backward(); optimizer.step()
/// ```
open class Optimizer {
    /// Every parameter the optimizer may update (for a module, frozen ones included).
    private let parameterSource: () -> [Tensor]
    /// Whether ``parameters`` leaves out frozen parameters (for a module).
    private let skipsFrozen: Bool
    /// The source's list, held between ``cacheParameterList()`` and ``clearParameterListCache()``.
    private var cachedParameters: [Tensor]?
    /// The base learning rate (before the schedule).
    public var learningRate: Float
    /// A schedule applied to ``learningRate`` by step; `.constant` keeps it fixed.
    public var schedule: LearningRateSchedule
    /// Rescale all gradients when their global L2 norm exceeds this.
    public var clipNorm: Float?
    /// Clamp every gradient element to `[−clipValue, clipValue]`.
    public var clipValue: Float?
    /// Number of steps taken.
    public private(set) var iterations = 0
    private var states: [ObjectIdentifier: [String: Tensor]] = [:]

    /// Optimises a fixed list of parameters.
    public init(parameters: [Tensor], learningRate: Float) {
        self.parameterSource = { parameters }
        self.skipsFrozen = false
        self.learningRate = learningRate
        self.schedule = .constant
    }

    /// Optimises a module's trainable parameters (looked up at each step, so lazily built
    /// layers and frozen/unfrozen parameters are followed; see ``cacheParameterList()``).
    public init(_ module: Module, learningRate: Float) {
        self.parameterSource = { [unowned module] in module.namedParameters().map(\.1) }
        self.skipsFrozen = true
        self.learningRate = learningRate
        self.schedule = .constant
    }

    /// The parameters updated by ``step()``.
    public var parameters: [Tensor] {
        let all = cachedParameters ?? parameterSource()
        return skipsFrozen ? all.filter(\.requiresGrad) : all
    }

    /// Reads the module's parameter list now and keeps it until ``clearParameterListCache()``,
    /// instead of finding the parameters by reflection at every step (which costs about 50 µs
    /// per layer). Freezing and unfreezing are still followed; parameters added to the module
    /// meanwhile (new or rebuilt layers) are not. `fit` holds the list from its first batch on.
    public func cacheParameterList() { cachedParameters = parameterSource() }

    /// Looks the parameters up at every step again.
    public func clearParameterListCache() { cachedParameters = nil }

    /// The learning rate the next step will use.
    public var currentLearningRate: Float { schedule.learningRate(base: learningRate, step: iterations) }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        let params = parameters.filter { $0.grad != nil }
        if let clipValue { clipGradients(params, value: clipValue) }
        if let clipNorm { clipGradients(params, maxNorm: clipNorm) }
        let lr = currentLearningRate
        iterations += 1
        Tensor.withoutGrad {
            for p in params {
                var state = states[ObjectIdentifier(p)] ?? [:]
                update(p, gradient: p.grad!, state: &state, learningRate: lr)
                states[ObjectIdentifier(p)] = state
            }
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Updates one parameter in place (with `parameter.assign`). `state` starts empty.
    open func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor], learningRate: Float) {
        fatalError("\(type(of: self)) does not implement update(_:gradient:state:learningRate:)")
    }

    // MARK: Saving and restoring

    /// The optimizer's state: `"iterations"` and, per parameter position `i`, `"i.name"`.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = ["iterations": Tensor(Float(iterations))]
        for (i, p) in parameters.enumerated() {
            for (name, t) in states[ObjectIdentifier(p)] ?? [:] { out["\(i).\(name)"] = t.copy() }
        }
        return out
    }

    /// Restores a state from ``stateDict()`` (for the same parameters in the same order).
    /// - Throws: ``StateDictError`` when a tensor's shape does not match its parameter's.
    public func loadStateDict(_ dict: [String: Tensor]) throws {
        try loadStateDict(dict, iterations: Int(dict["iterations"]?.item() ?? 0))
    }

    /// Restores the per-parameter state of ``stateDict()`` and sets ``iterations`` exactly
    /// (checkpoints keep the step count as an integer; a `"iterations"` tensor in `dict` is ignored).
    /// - Throws: ``StateDictError`` when an entry names no parameter or a tensor's shape does not
    ///   match its parameter's, or `iterations` is negative; nothing is changed when it throws.
    public func loadStateDict(_ dict: [String: Tensor], iterations: Int) throws {
        guard iterations >= 0 else { throw StateDictError(description: "optimizer iterations must be ≥ 0, got \(iterations)") }
        let params = parameters
        var restored: [ObjectIdentifier: [String: Tensor]] = [:]
        for (key, value) in dict where key != "iterations" {
            let parts = key.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let i = Int(parts[0]), i >= 0, i < params.count else {
                throw StateDictError(description: "optimizer state entry '\(key)' does not name one of \(params.count) parameters")
            }
            // Per-element state has the parameter's shape; counters (`step`) are scalars.
            guard value.shape == params[i].shape || value.rank == 0 else {
                throw StateDictError(description: "optimizer state entry '\(key)' has shape \(value.shape), "
                                     + "but parameter \(i) has shape \(params[i].shape)")
            }
            restored[ObjectIdentifier(params[i]), default: [:]][String(parts[1])] = value.copy()
        }
        self.iterations = iterations
        states = restored
    }
}

/// Rescales gradients so that their global L2 norm is at most `maxNorm`; returns the norm
/// before clipping (`torch.nn.utils.clip_grad_norm_`).
@discardableResult
public func clipGradients(_ parameters: [Tensor], maxNorm: Float) -> Float {
    Tensor.withoutGrad {
        let grads = parameters.compactMap(\.grad)
        let total = grads.reduce(Float(0)) { $0 + $1.square().sum().item() }.squareRoot()
        let scale = maxNorm / (total + 1e-6)
        if scale < 1 {
            for p in parameters where p.grad != nil { p.grad = p.grad! * scale }
        }
        return total
    }
}

/// Clamps every gradient element to `[−value, value]` (`torch.nn.utils.clip_grad_value_`).
public func clipGradients(_ parameters: [Tensor], value: Float) {
    Tensor.withoutGrad {
        for p in parameters where p.grad != nil { p.grad = p.grad!.clamp(min: -value, max: value) }
    }
}
