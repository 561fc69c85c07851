import LeptonNN
import LeptonTensor
import LeptonTune
import Testing

/// The Sobol sequence against SciPy's `qmc.Sobol(d, scramble=False)` (values printed by
/// SciPy 1.17.1), and the stratification that scrambling must keep.
@Suite struct SobolSequenceTests {
    /// `qmc.Sobol(3, scramble=False).random(8)`.
    @Test func theFirstPointsAreSciPys() {
        var sobol = SobolSequence(dimensions: 3)
        let expected: [[Double]] = [[0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75],
                                    [0.375, 0.375, 0.625], [0.875, 0.875, 0.125], [0.625, 0.125, 0.875], [0.125, 0.625, 0.375]]
        for point in expected { #expect(sobol.next() == point) }
    }

    /// Points 100, 1023 and 2047 of `qmc.Sobol(10, scramble=False).random(2048)`: every
    /// polynomial degree up to 4 and direction numbers past the initial ones.
    @Test func laterPointsInTenDimensionsAreSciPys() {
        var sobol = SobolSequence(dimensions: 10)
        let points = (0..<2048).map { _ in sobol.next() }
        #expect(points[100] == [0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625, 0.6328125, 0.6953125])
        #expect(points[1023] == [0.0009765625, 0.7529296875, 0.6123046875, 0.1455078125, 0.1865234375, 0.4384765625,
                                 0.1396484375, 0.6181640625, 0.3447265625, 0.8505859375])
        #expect(points[2047] == [0.00048828125, 0.62744140625, 0.93115234375, 0.35107421875, 0.63037109375, 0.65771484375,
                                 0.11767578125, 0.03173828125, 0.91455078125, 0.44580078125])
    }

    /// Scrambled, the first 2ᵏ points still put one point in every interval of length 2⁻ᵏ of
    /// each dimension, and dimensions 1 and 2 still form a (0, k, 2)-net: one point in every
    /// box of 2⁻ᵃ × 2⁻⁽ᵏ⁻ᵃ⁾.
    @Test func scramblingKeepsTheStratification() {
        var rng = RandomGenerator(seed: 11)
        var sobol = SobolSequence(dimensions: 64, scramblingWith: &rng)
        let k = 11, n = 1 << k
        let points = (0..<n).map { _ in sobol.next() }
        for d in 0..<64 {
            let cells = Set(points.map { point -> Int in Int(point[d] * Double(n)) })
            #expect(cells.count == n, "dimension \(d): \(cells.count) of \(n) intervals hit")
        }
        for a in 0...k {
            let rows = Double(1 << a), columns = Double(1 << (k - a))
            let boxes = Set(points.map { point -> Int in Int(point[0] * rows) * n + Int(point[1] * columns) })
            #expect(boxes.count == n, "boxes of 2^-\(a) × 2^-\(k - a): \(boxes.count) of \(n) hit")
        }
        #expect(points.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 < 1 } })
    }

    @Test func scramblingIsSeededAndMovesThePoints() {
        func firstPoints(_ seed: UInt64) -> [[Double]] {
            var rng = RandomGenerator(seed: seed)
            var sobol = SobolSequence(dimensions: 5, scramblingWith: &rng)
            return (0..<16).map { _ in sobol.next() }
        }
        #expect(firstPoints(3) == firstPoints(3))
        #expect(firstPoints(3) != firstPoints(4))
        #expect(firstPoints(3)[0] != [0, 0, 0, 0, 0], "the digital shift moves the first point off the origin")
    }

    @Test func dimensionsAreClampedToTheTable() {
        #expect(SobolSequence(dimensions: 0).dimensions == 1)
        #expect(SobolSequence(dimensions: 1000).dimensions == SobolSequence.maximumDimensions)
    }

    /// Points of the unit cube become values of the space: positions in each range, choices
    /// by equal shares, conditions respected.
    @Test func unitPointsBecomeValuesOfTheSpace() throws {
        let space = try SearchSpace { hp in
            hp.float("lr", 1e-4, 1e-1, log: true)
            hp.int("units", 32, 512, step: 32)
            hp.choice("optimizer", ["adam", "sgd", "rmsprop"])
            hp.float("momentum", 0, 0.9, when: "optimizer", is: ["sgd"])
        }
        let low = space.point(atUnit: [0, 0, 0, 0])
        #expect(low["units"] == .int(32) && low["optimizer"] == .string("adam") && low["momentum"] == nil)
        #expect(abs((low["lr"]?.number ?? 0) - 1e-4) < 1e-15)
        let middle = space.point(atUnit: [0.5, 0.5, 0.5, 0.5])
        #expect(middle["optimizer"] == .string("sgd") && middle["momentum"] == .double(0.45))
        #expect(abs((middle["lr"]?.number ?? 0) - (1e-4 * 1e-1).squareRoot()) < 1e-12, "the middle of a log range is the geometric mean")
        #expect(space.point(atUnit: [0.999, 0.999, 0.999, 0.999])["optimizer"] == .string("rmsprop"))
        #expect(space.point(atUnit: [1, 1, 1, 1])["units"] == .int(512))
        #expect(space.point(atUnit: [.nan, 0.5, 0.4, 0.5])["lr"] == space.point(atUnit: [0.5, 0.5, 0.4, 0.5])["lr"])
    }

    /// A parameter without a number (the list too short) sits at the middle of its range.
    @Test func parametersWithoutANumberSitInTheMiddle() throws {
        let space = try SearchSpace { hp in
            hp.float("a", 0, 1)
            hp.choice("b", ["x", "y", "z"])
        }
        #expect(space.point(atUnit: [0.1]) == ["a": .double(0.1), "b": .string("y")])
        #expect(space.point(atUnit: []) == ["a": .double(0.5), "b": .string("y")])
    }

    /// A space of more parameters than the Sobol table has dimensions (the GP sampler scores
    /// random candidates there): a complete point inside the space, the same for the same seed.
    @Test func theGPSamplerProposesInSpacesPastTheTable() throws {
        let count = SobolSequence.maximumDimensions + 6
        let space = try SearchSpace { hp in for i in 0..<count { hp.float("x\(i)", -1, 1) } }
        var rng = RandomGenerator(seed: 3)
        let trials = (0..<12).map { n -> FrozenTrial in
            let params = space.sample(using: &rng)
            let value = params.values.reduce(0) { $0 + ($1.number ?? 0) * ($1.number ?? 0) }
            return FrozenTrial(number: n, state: .complete, params: params, value: value)
        }
        func propose() -> [String: ConfigValue] {
            GPSampler(seed: 1, candidates: 64, localSearches: 2).sample(space: space, trials: trials, direction: .minimize, number: 12)
        }
        let proposed = propose()
        #expect(proposed.count == count)
        #expect(proposed.values.allSatisfy { ($0.number ?? .nan) >= -1 && ($0.number ?? .nan) <= 1 })
        #expect(proposed == propose(), "a fresh sampler with the same seed proposes the same point")
    }
}
