import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Shape.swift` (reshape, permute, transpose, squeeze, unsqueeze,
/// expand, flatten, cast) against NumPy, on every backend. These ops move values without
/// arithmetic, so they must agree exactly.
@Suite("Shape ops agree with NumPy")
struct ShapeOracleTests {
    @Test("reshape, including an inferred dimension", arguments: TestSupport.backendNames)
    func reshape(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int])] = [([], [1]), ([1], []), ([6], [2, 3]), ([2, 3], [3, 2]), ([2, 3, 4], [4, -1]),
                                           ([2, 3, 4], [-1]), ([2, 1, 3, 4], [2, 3, 2, 2]), ([0, 3], [3, 0])]
            for (i, (shape, target)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(i))
                let c = try NumPyOracle.shared.compare("reshape", [x], attrs: ["shape": .ints(target)],
                                                       actual: x.reshape(target), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("permute and transpose", arguments: TestSupport.backendNames)
    func permute(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int])] = [([3, 4], [1, 0]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [0, 2, 1]),
                                           ([2, 1, 3, 5], [3, 1, 0, 2]), ([2, 3, 4, 5], [0, 1, 2, 3]),
                                           ([2, 3, 4], [-1, 0, 1]), ([64, 70, 16], [2, 1, 0])]
            for (i, (shape, axes)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(10 + i))
                let c = try NumPyOracle.shared.compare("permute", [x], attrs: ["axes": .ints(axes)],
                                                       actual: x.permute(axes), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let x = TestSupport.randn([2, 3, 4, 5], seed: 30)
            for (a0, a1) in [(0, 3), (1, 2), (-1, -2), (2, 2)] {
                let c = try NumPyOracle.shared.compare("transpose", [x], attrs: ["axis0": .int(a0), "axis1": .int(a1)],
                                                       actual: x.transpose(a0, a1), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let m = TestSupport.randn([3, 4, 5], seed: 31)
            let c = try NumPyOracle.shared.compare("transpose", [m], attrs: ["axis0": -2, "axis1": -1],
                                                   actual: m.transposed(), tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("permute of int32 tensors", arguments: TestSupport.backendNames)
    func permuteInt32(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor(int32: (0..<24).map { Int32($0 * 7 - 50) }, shape: [2, 3, 4])
            let c = try NumPyOracle.shared.compare("permute", [x], attrs: ["axes": [2, 0, 1]], actual: x.permute([2, 0, 1]),
                                                   tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("squeeze and unsqueeze", arguments: TestSupport.backendNames)
    func squeeze(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([1, 3, 1, 4, 1], seed: 40)
            let all = try NumPyOracle.shared.compare("squeeze", [x], actual: x.squeeze(), tolerance: 0)
            #expect(all.passes, "\(all)")
            for axis in [0, 2, -1] {
                let c = try NumPyOracle.shared.compare("squeeze", [x], attrs: ["axis": .int(axis)], actual: x.squeeze(axis),
                                                       tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let y = TestSupport.randn([3, 4], seed: 41)
            for axis in [0, 1, 2, -1, -3] {
                let c = try NumPyOracle.shared.compare("unsqueeze", [y], attrs: ["axis": .int(axis)],
                                                       actual: y.unsqueeze(axis), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let s = Tensor(2.5)
            let c = try NumPyOracle.shared.compare("unsqueeze", [s], attrs: ["axis": 0], actual: s.unsqueeze(0), tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("expand (broadcast_to)", arguments: TestSupport.backendNames)
    func expand(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int])] = [([], [3]), ([1], [4]), ([3, 1], [3, 5]), ([4], [2, 3, 4]), ([2, 1, 4], [2, 3, 4]),
                                           ([1, 3, 1, 5], [2, 3, 4, 5]), ([3, 4], [3, 4]), ([257], [300, 257])]
            for (i, (shape, target)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(50 + i))
                let c = try NumPyOracle.shared.compare("expand", [x], attrs: ["shape": .ints(target)],
                                                       actual: x.expand(to: target), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("flatten", arguments: TestSupport.backendNames)
    func flatten(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4, 5], seed: 60)
            for (start, end) in [(0, -1), (1, -1), (1, 2), (0, 0), (-2, -1), (3, 3)] {
                let c = try NumPyOracle.shared.compare("flatten", [x], attrs: ["start": .int(start), "end": .int(end)],
                                                       actual: x.flatten(startAxis: start, endAxis: end), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let s = Tensor(1.5)
            let c = try NumPyOracle.shared.compare("flatten", [s], actual: s.flatten(), tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("cast between float32 and int32 truncates toward zero", arguments: TestSupport.backendNames)
    func cast(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([5, 7], seed: 70, scale: 10)
            let c = try NumPyOracle.shared.compare("cast", [x], attrs: ["dtype": "int32"], actual: x.cast(to: .int32),
                                                   tolerance: 0)
            #expect(c.passes, "\(c)")
            let edges = Tensor([-2.5, -1.5, -0.5, -0.0, 0.5, 1.5, 2.5, 1e9, -1e9, 16_777_216], shape: [10])
            let e = try NumPyOracle.shared.compare("cast", [edges], attrs: ["dtype": "int32"],
                                                   actual: edges.cast(to: .int32), tolerance: 0)
            #expect(e.passes, "\(e)")
            let i = Tensor(int32: [-3, 0, 7, 2_000_000, -123_456], shape: [5])
            let f = try NumPyOracle.shared.compare("cast", [i], attrs: ["dtype": "float32"], actual: i.cast(to: .float32),
                                                   tolerance: 0)
            #expect(f.passes, "\(f)")
        }
    }
}
