import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of slicing (`Ops/Tensor+Slice.swift`): ranges, steps, single indices,
/// negative and clipped bounds, subscripts.
@Suite struct SliceGradientTests {
    @Test(arguments: TestSupport.backendNames)
    func slices(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4, 5], seed: 1)
            let cases: [(String, [SliceSpec])] = [
                ("[.all]", [.all]),
                ("[.at(1)]", [.at(1)]),
                ("[.at(-1)]", [.at(-1)]),
                ("[1..<3]", [.range(1..<3)]),
                ("[.all, 0..<4 step 2]", [.all, .range(0..<4, step: 2)]),
                ("[.all, .all, 1.. step 3]", [.all, .all, .from(1, step: 3)]),
                ("[.at(0), 1..<3, .at(2)]", [.at(0), .range(1..<3), .at(2)]),
                ("[-2.., .at(-2), 0..<99 step 2]", [SliceSpec(start: -2), .at(-2), SliceSpec(start: 0, end: 99, step: 2)]),
                ("[.all, -3..<-1]", [.all, SliceSpec(start: -3, end: -1)]),
                ("[0..<3 step 5, 1..<2, 4..<5]", [.range(0..<3, step: 5), .range(1..<2), .range(4..<5)]),
            ]
            for (name, specs) in cases {
                let result = GradientChecker.check([x]) { $0[0].slice(specs) }
                #expect(result.passed, "slice \(name): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func sliceAxisAndSubscripts(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4, 5], seed: 2)
            let cases: [(String, (Tensor) -> Tensor)] = [
                ("slice(axis: 2, 1..<4)", { $0.slice(axis: 2, start: 1, end: 4) }),
                ("slice(axis: -1, step: 2)", { $0.slice(axis: -1, step: 2) }),
                ("slice(axis: 1, start: -2)", { $0.slice(axis: 1, start: -2) }),
                ("x[0..<2, 1..<3]", { $0[0..<2, 1..<3] }),
                ("x[.all, .at(0)]", { $0[.all, .at(0)] }),
                ("overlapping slices added", { $0[0..<2] + $0[1..<3] * 2 }),
            ]
            for (name, f) in cases {
                let result = GradientChecker.check([x]) { f($0[0]) }
                #expect(result.passed, "\(name): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func randomSlices(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 31)
            for trial in 0..<5 {
                let rank = Int.random(in: 1...3, using: &rng)
                let shape = GradientChecker.randomShape(rank: rank, sizes: 2...5, using: &rng)
                let specs: [SliceSpec] = shape.map { n in
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: return .at(Int.random(in: -n..<n, using: &rng))
                    case 1:
                        let lo = Int.random(in: 0..<n, using: &rng)
                        return .range(lo..<Int.random(in: (lo + 1)...n, using: &rng), step: Int.random(in: 1...3, using: &rng))
                    default: return .all
                    }
                }
                let x = TestSupport.randn(shape, seed: UInt64(trial))
                let result = GradientChecker.check([x]) { $0[0].slice(specs) }
                #expect(result.passed, "slice \(shape) with \(specs): \(result)")
            }
        }
    }

    /// An empty slice has a zero gradient.
    @Test(arguments: TestSupport.backendNames)
    func emptySlice(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 3).requiringGrad()
            let y = x.slice(axis: 1, start: 2, end: 2)
            #expect(y.shape == [3, 0])
            (y.sum() + x.sum() * 0).backward()
            #expect(x.grad!.scalars == [Float](repeating: 0, count: 12))
        }
    }
}
