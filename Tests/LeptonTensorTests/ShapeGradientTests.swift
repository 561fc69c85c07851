import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the shape ops in `Ops/Tensor+Shape.swift`: reshape, flatten,
/// (un)squeeze, permute, transpose and expand. Each result is multiplied by a non-uniform
/// tensor so that a gradient routed to the wrong element shows.
@Suite struct ShapeGradientTests {
    static func weighted(_ y: Tensor) -> Tensor {
        y * Tensor.withoutGrad { Tensor.linspace(0.5, 2, count: y.count).reshape(y.shape) }
    }

    @Test(arguments: TestSupport.backendNames)
    func reshapes(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 1)
            let cases: [(String, (Tensor) -> Tensor)] = [
                ("reshape [6, 4]", { $0.reshape([6, 4]) }),
                ("reshape [4, -1]", { $0.reshape([4, -1]) }),
                ("reshape [24]", { $0.reshape([24]) }),
                ("reshape same", { $0.reshape([2, 3, 4]) }),
                ("flatten", { $0.flatten() }),
                ("flatten(1)", { $0.flatten(startAxis: 1) }),
                ("flatten(0, 1)", { $0.flatten(startAxis: 0, endAxis: 1) }),
                ("unsqueeze(0)", { $0.unsqueeze(0) }),
                ("unsqueeze(-1)", { $0.unsqueeze(-1) }),
                ("unsqueeze(2).squeeze(2)", { $0.unsqueeze(2).squeeze(2) }),
                ("reshape [2, 1, 3, 1, 4].squeeze()", { $0.reshape([2, 1, 3, 1, 4]).squeeze() }),
            ]
            for (name, f) in cases {
                let result = GradientChecker.check([x]) { Self.weighted(f($0[0])) }
                #expect(result.passed, "\(name): \(result)")
            }
            let scalar = TestSupport.randn([], seed: 2)
            let r = GradientChecker.check([scalar]) { Self.weighted($0[0].flatten()) }
            #expect(r.passed, "flatten of a scalar: \(r)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func permutations(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 3)
            for axes in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0], [0, 2, 1], [-1, 0, -2]] {
                let result = GradientChecker.check([x]) { Self.weighted($0[0].permute(axes)) }
                #expect(result.passed, "permute \(axes): \(result)")
            }
            let t = GradientChecker.check([x]) { Self.weighted($0[0].transpose(0, 2)) }
            #expect(t.passed, "transpose(0, 2): \(t)")
            let m = GradientChecker.check([x]) { Self.weighted($0[0].transposed()) }
            #expect(m.passed, "transposed: \(m)")
            let x4 = TestSupport.randn([2, 1, 3, 2], seed: 4)
            let p4 = GradientChecker.check([x4]) { Self.weighted($0[0].permute([3, 1, 0, 2])) }
            #expect(p4.passed, "permute of rank 4: \(p4)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func expand(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int])] = [([3, 1], [3, 4]), ([1, 4], [2, 3, 4]), ([], [2, 2]), ([2, 1, 3], [2, 4, 3]),
                                           ([3], [3]), ([1], [5])]
            for (i, (from, to)) in cases.enumerated() {
                let x = TestSupport.randn(from, seed: UInt64(10 + i))
                let result = GradientChecker.check([x]) { Self.weighted($0[0].expand(to: to)) }
                #expect(result.passed, "expand \(from) → \(to): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func randomReshapeAndPermute(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 17)
            for trial in 0..<4 {
                let rank = Int.random(in: 2...4, using: &rng)
                let shape = GradientChecker.randomShape(rank: rank, sizes: 1...3, using: &rng)
                let axes = Array(0..<rank).shuffled(using: &rng)
                let x = TestSupport.randn(shape, seed: UInt64(trial))
                let result = GradientChecker.check([x]) { Self.weighted($0[0].permute(axes).reshape([-1]).reshape(shape.reversed())) }
                #expect(result.passed, "\(shape) permute \(axes): \(result)")
            }
        }
    }

    /// A cast cuts the graph: nothing flows back through it.
    @Test(arguments: TestSupport.backendNames)
    func castHasNoGradient(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1.5, -2.5, 3.2], shape: [3]).requiringGrad()
            let y = x.cast(to: .int32).cast(to: .float32)
            #expect(!y.requiresGrad)
            let z = x * 2 + x.cast(to: .int32).cast(to: .float32)
            z.sum().backward()
            #expect(x.grad!.scalars == [2, 2, 2])
        }
    }
}
