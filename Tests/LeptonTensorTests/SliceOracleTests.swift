import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Slice.swift` against NumPy's basic indexing, on every backend.
@Suite("Slicing agrees with NumPy")
struct SliceOracleTests {
    /// The oracle's spelling of a slice spec: `{"index": i}` or `{"start", "end", "step"}`.
    static func attrs(_ specs: [SliceSpec]) -> OracleAttributes {
        ["specs": .array(specs.map { spec -> OracleValue in
            spec.isIndex ? ["index": .int(spec.start!)]
                         : ["start": .int(spec.start), "end": .int(spec.end), "step": .int(spec.step)]
        })]
    }

    static let cases: [([Int], [SliceSpec])] = [
        ([], []),
        ([7], [.range(1..<5)]),
        ([7], [.range(0..<7, step: 3)]),
        ([7], [SliceSpec(start: -3)]),
        ([7], [SliceSpec(start: -100, end: 100, step: 2)]),
        ([7], [SliceSpec(start: 5, end: 2)]),
        ([7], [.at(3)]),
        ([7], [.at(-1)]),
        ([3, 4], [.all, .range(1..<3)]),
        ([3, 4], [.at(1)]),
        ([3, 4], [.at(-2), .from(1, step: 2)]),
        ([2, 3, 4], [.at(0), .range(0..<3, step: 2)]),
        ([2, 3, 4], [.all, .all, SliceSpec(end: -1, step: 2)]),
        ([2, 1, 3, 5], [.range(1..<2), .all, .at(2), SliceSpec(start: 1, end: -1)]),
        ([2, 3, 4, 5], [.from(0, step: 2), .range(1..<3), .range(0..<4, step: 3), .at(-1)]),
        ([300, 257], [.range(10..<290, step: 3), SliceSpec(start: 1, step: 2)]),
    ]

    @Test("slice with ranges, steps, negative bounds and indices", arguments: TestSupport.backendNames)
    func slice(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, specs)) in Self.cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(i))
                let c = try NumPyOracle.shared.compare("slice", [x], attrs: Self.attrs(specs), actual: x.slice(specs),
                                                       tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("slice of one axis and subscripts", arguments: TestSupport.backendNames)
    func sliceAxis(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 5, 6], seed: 40)
            let a = try NumPyOracle.shared.compare("slice", [x], attrs: Self.attrs([.all, .all, SliceSpec(start: 1, end: 5, step: 2)]),
                                                   actual: x.slice(axis: -1, start: 1, end: 5, step: 2), tolerance: 0)
            #expect(a.passes, "\(a)")
            let b = try NumPyOracle.shared.compare("slice", [x], attrs: Self.attrs([.range(1..<3), .range(0..<2)]),
                                                   actual: x[1..<3, 0..<2], tolerance: 0)
            #expect(b.passes, "\(b)")
            let c = try NumPyOracle.shared.compare("slice", [x], attrs: Self.attrs([.all, .at(2)]), actual: x[.all, .at(2)],
                                                   tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("slice of int32 tensors", arguments: TestSupport.backendNames)
    func sliceInt32(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor(int32: (0..<60).map { Int32($0 * 3 - 90) }, shape: [3, 4, 5])
            let specs: [SliceSpec] = [.from(1), .at(2), SliceSpec(start: -4, step: 2)]
            let c = try NumPyOracle.shared.compare("slice", [x], attrs: Self.attrs(specs), actual: x.slice(specs), tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }
}
