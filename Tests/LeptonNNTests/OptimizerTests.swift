import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Every optimizer (Sources/LeptonNN/Optimizers) fed the same 10 random gradients as its
/// `torch.optim` counterpart (gradients set on `p.grad` by hand in PyTorch): the
/// parameters must agree to 1e-5 after every step. Also optimizer state save/restore.
@Suite struct OptimizerTests {
    struct Config: Sendable, CustomTestStringConvertible {
        var name: String
        var torch: String
        var hyper: OracleAttributes
        var clipNorm: Float? = nil
        var clipValue: Float? = nil
        var make: @Sendable ([Tensor]) -> Optimizer
        var testDescription: String { name }
    }

    static let configs: [Config] = [
        Config(name: "SGD", torch: "sgd", hyper: ["lr": 0.1]) { SGD(parameters: $0, learningRate: 0.1) },
        Config(name: "SGD momentum", torch: "sgd", hyper: ["lr": 0.05, "momentum": 0.9]) {
            SGD(parameters: $0, learningRate: 0.05, momentum: 0.9)
        },
        Config(name: "SGD momentum dampening", torch: "sgd", hyper: ["lr": 0.05, "momentum": 0.8, "dampening": 0.3]) {
            SGD(parameters: $0, learningRate: 0.05, momentum: 0.8, dampening: 0.3)
        },
        Config(name: "SGD nesterov", torch: "sgd", hyper: ["lr": 0.05, "momentum": 0.9, "nesterov": true]) {
            SGD(parameters: $0, learningRate: 0.05, momentum: 0.9, nesterov: true)
        },
        Config(name: "SGD weight decay", torch: "sgd", hyper: ["lr": 0.1, "weight_decay": 0.05]) {
            SGD(parameters: $0, learningRate: 0.1, weightDecay: 0.05)
        },
        Config(name: "SGD nesterov weight decay", torch: "sgd", hyper: ["lr": 0.05, "momentum": 0.9, "nesterov": true, "weight_decay": 0.01]) {
            SGD(parameters: $0, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        },
        Config(name: "Adam", torch: "adam", hyper: ["lr": 0.01]) { Adam(parameters: $0, learningRate: 0.01) },
        Config(name: "Adam betas eps", torch: "adam", hyper: ["lr": 0.02, "beta1": 0.8, "beta2": 0.95, "eps": 1e-3]) {
            Adam(parameters: $0, learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-3)
        },
        Config(name: "Adam weight decay", torch: "adam", hyper: ["lr": 0.01, "weight_decay": 0.1]) {
            Adam(parameters: $0, learningRate: 0.01, weightDecay: 0.1)
        },
        Config(name: "AdamW", torch: "adamw", hyper: ["lr": 0.01]) { AdamW(parameters: $0, learningRate: 0.01) },
        Config(name: "AdamW weight decay 0.2", torch: "adamw", hyper: ["lr": 0.05, "weight_decay": 0.2]) {
            AdamW(parameters: $0, learningRate: 0.05, weightDecay: 0.2)
        },
        Config(name: "RMSprop", torch: "rmsprop", hyper: ["lr": 0.01]) { RMSprop(parameters: $0, learningRate: 0.01) },
        Config(name: "RMSprop momentum", torch: "rmsprop", hyper: ["lr": 0.01, "momentum": 0.9, "alpha": 0.9]) {
            RMSprop(parameters: $0, learningRate: 0.01, alpha: 0.9, momentum: 0.9)
        },
        Config(name: "RMSprop centered", torch: "rmsprop", hyper: ["lr": 0.01, "centered": true]) {
            RMSprop(parameters: $0, learningRate: 0.01, centered: true)
        },
        Config(name: "RMSprop centered momentum weight decay", torch: "rmsprop",
               hyper: ["lr": 0.005, "centered": true, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-6]) {
            RMSprop(parameters: $0, learningRate: 0.005, epsilon: 1e-6, momentum: 0.5, centered: true, weightDecay: 0.1)
        },
        Config(name: "Adagrad", torch: "adagrad", hyper: ["lr": 0.1]) { Adagrad(parameters: $0, learningRate: 0.1) },
        Config(name: "Adagrad decay, weight decay, accumulator", torch: "adagrad",
               hyper: ["lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator": 0.5]) {
            Adagrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.05, weightDecay: 0.1, initialAccumulator: 0.5)
        },
        Config(name: "Adam with clipNorm", torch: "adam", hyper: ["lr": 0.01], clipNorm: 1.5) {
            let o = Adam(parameters: $0, learningRate: 0.01); o.clipNorm = 1.5; return o
        },
        Config(name: "SGD momentum with clipValue", torch: "sgd", hyper: ["lr": 0.1, "momentum": 0.9], clipValue: 0.5) {
            let o = SGD(parameters: $0, learningRate: 0.1, momentum: 0.9); o.clipValue = 0.5; return o
        },
        Config(name: "RMSprop with clipValue and clipNorm", torch: "rmsprop", hyper: ["lr": 0.01], clipNorm: 2, clipValue: 0.8) {
            let o = RMSprop(parameters: $0, learningRate: 0.01); o.clipNorm = 2; o.clipValue = 0.8; return o
        },
    ]

    static let shapes = [[3, 4], [5]]
    static let steps = 10

    static func initialParameters() -> [Tensor] {
        shapes.enumerated().map { TestSupport.randn($1, seed: 101 + UInt64($0)) }
    }

    /// `[steps, *shape]` gradients per parameter.
    static func gradients() -> [Tensor] {
        shapes.enumerated().map { TestSupport.randn([steps] + $1, seed: 111 + UInt64($0)) }
    }

    static func gradient(_ g: Tensor, step: Int) -> Tensor {
        g.slice(axis: 0, start: step, end: step + 1).reshape(Array(g.shape.dropFirst())).copy()
    }

    /// Runs `steps` steps from `start`, returning each parameter's trajectory `[steps, *shape]`.
    static func trajectories(_ optimizer: Optimizer, _ params: [Tensor], _ grads: [Tensor], steps: Range<Int>) -> [Tensor] {
        var out: [[Tensor]] = params.map { _ in [] }
        for s in steps {
            for (p, g) in zip(params, grads) { p.grad = gradient(g, step: s) }
            optimizer.step()
            for (i, p) in params.enumerated() { out[i].append(p.copy()) }
        }
        return out.map { Tensor.stack($0) }
    }

    @Test(arguments: configs)
    func firstTenUpdatesMatchTorch(c: Config) throws {
        let initial = Self.initialParameters(), grads = Self.gradients()
        let params = initial.map { $0.copy().requiringGrad() }
        let optimizer = c.make(params)
        let actual = Self.trajectories(optimizer, params, grads, steps: 0..<Self.steps)
        #expect(optimizer.iterations == Self.steps)
        var attrs: OracleAttributes = ["name": .string(c.torch), "hyper": .object(c.hyper)]
        if let clipNorm = c.clipNorm { attrs["clip_norm"] = .float(clipNorm) }
        if let clipValue = c.clipValue { attrs["clip_value"] = .float(clipValue) }
        let expected = try NumPyOracle.torch.run("optimizer", initial + grads, attrs: attrs)
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            #expect(a.shape == e.shape)
            let stepSize = a.count / Self.steps
            for s in 0..<Self.steps {
                let range = (s * stepSize)..<((s + 1) * stepSize)
                let error = TestSupport.maxRelativeError(Array(a.scalars[range]), Array(e.scalars[range]))
                #expect(error <= 1e-5, "\(c.name): parameter \(k) after step \(s + 1) differs by \(error)")
            }
        }
    }

    @Test(arguments: configs)
    func stateRestoresIntoAFreshOptimizer(c: Config) throws {
        let grads = Self.gradients()
        let params = Self.initialParameters().map { $0.requiringGrad() }
        let original = c.make(params)
        _ = Self.trajectories(original, params, grads, steps: 0..<5)
        let saved = original.stateDict()
        #expect(saved["iterations"]?.item() == 5)
        let copies = params.map { $0.copy().requiringGrad() }
        let restored = c.make(copies)
        try restored.loadStateDict(saved)
        #expect(restored.iterations == 5)
        let a = Self.trajectories(original, params, grads, steps: 5..<Self.steps)
        let b = Self.trajectories(restored, copies, grads, steps: 5..<Self.steps)
        for (x, y) in zip(a, b) { #expect(x.scalars == y.scalars, "\(c.name): continuation differs after restore") }
        // The saved state is a snapshot: stepping on does not change it.
        if let key = saved.keys.first(where: { $0 != "iterations" }) {
            let snapshot = saved[key]!.scalars
            #expect(original.stateDict()[key]!.scalars != snapshot)
        }
    }

    @Test func stateKeysAndErrors() throws {
        let params = Self.initialParameters().map { $0.requiringGrad() }
        let adam = Adam(parameters: params)
        _ = Self.trajectories(adam, params, Self.gradients(), steps: 0..<2)
        #expect(Set(adam.stateDict().keys) == ["iterations", "0.m", "0.v", "0.step", "1.m", "1.v", "1.step"])
        let other = Adam(parameters: [params[0]])
        #expect(throws: StateDictError.self) { try other.loadStateDict(adam.stateDict()) }
        // Parameters in another order: the moment shapes no longer fit, and nothing is loaded.
        let swapped = Adam(parameters: [params[1], params[0]])
        #expect(throws: StateDictError.self) { try swapped.loadStateDict(adam.stateDict()) }
        #expect(swapped.iterations == 0 && swapped.stateDict().count == 1)
    }

    @Test func iterationsAreRestoredExactly() throws {
        let params = Self.initialParameters().map { $0.requiringGrad() }
        let adam = Adam(parameters: params)
        _ = Self.trajectories(adam, params, Self.gradients(), steps: 0..<2)
        let restored = Adam(parameters: params)
        // 2²⁴ + 1 has no float32; checkpoints keep the count as an integer.
        try restored.loadStateDict(adam.stateDict(), iterations: 16_777_217)
        #expect(restored.iterations == 16_777_217)
        #expect(restored.stateDict()["0.m"]!.scalars == adam.stateDict()["0.m"]!.scalars)
        #expect(throws: StateDictError.self) { try restored.loadStateDict([:], iterations: -1) }
        #expect(restored.iterations == 16_777_217)
    }

    @Test func stepSkipsParametersWithoutGradient() {
        let a = Tensor([1, 2]).requiringGrad(), b = Tensor([3, 4]).requiringGrad()
        let sgd = SGD(parameters: [a, b], learningRate: 0.5)
        a.grad = Tensor([1, 1])
        sgd.step()
        #expect(a.scalars == [0.5, 1.5] && b.scalars == [3, 4])
        sgd.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func moduleOptimizerFollowsTrainableParameters() {
        let model = Dense(units: 2, inputDimensions: 3)
        let sgd = SGD(model, learningRate: 0.1)
        #expect(sgd.parameters.count == 2)
        model.bias!.requiresGrad = false
        #expect(sgd.parameters.count == 1)
        model.unfreeze()
        let x = TestSupport.randn([4, 3], seed: 121)
        let before = model.kernel!.copy()
        meanSquaredError(model(x), Tensor.zeros([4, 2])).backward()
        sgd.step()
        let expected = (before - model.kernel!.grad! * 0.1).scalars
        #expect(TestSupport.maxRelativeError(model.kernel!.scalars, expected) < 1e-6)
    }

    @Test func aCachedParameterListFollowsFreezingButNotNewParameters() {
        final class Growing: Module {
            let first = Dense(units: 2, inputDimensions: 3)
            var extra: [Module] = []
        }
        let model = Growing()
        let sgd = SGD(model, learningRate: 0.1)
        sgd.cacheParameterList()
        model.first.bias!.requiresGrad = false
        #expect(sgd.parameters.count == 1, "freezing is followed")
        model.first.unfreeze()
        model.extra.append(Dense(units: 2, inputDimensions: 2))
        #expect(sgd.parameters.count == 2, "the list was read before the new layer")
        sgd.clearParameterListCache()
        #expect(sgd.parameters.count == 4)
    }

    @Test func trainingReducesALoss() {
        // End to end: a tiny regression trained with Adam converges.
        GlobalRandom.seed(3)
        let model = Dense(units: 1, inputDimensions: 2)
        let adam = Adam(model, learningRate: 0.1)
        let x = TestSupport.randn([32, 2], seed: 122)
        let y = x.matmul(Tensor([2, -1], shape: [2, 1])) + 0.5
        var first: Float = 0, last: Float = 0
        for i in 0..<150 {
            model.zeroGrad()
            let loss = meanSquaredError(model(x), y)
            loss.backward()
            adam.step()
            if i == 0 { first = loss.item() }
            last = loss.item()
        }
        #expect(last < first * 1e-3, "loss \(first) → \(last)")
    }
}
