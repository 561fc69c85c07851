import LeptonPlot
import Testing

/// Nice ticks and their labels (`AxisTicks.swift`).
@Suite struct AxisTicksTests {
    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
    }

    @Test func linearTicksUseOneTwoFiveSteps() {
        #expect(AxisTicks.linear(0...1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(AxisTicks.labels(for: AxisTicks.linear(0...1)) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(AxisTicks.linear(0.0013...0.97) == [0.2, 0.4, 0.6, 0.8])
        #expect(AxisTicks.linear(0.0013...0.97, maximumCount: 12) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(AxisTicks.linear(-3...47, maximumCount: 6) == [0, 10, 20, 30, 40])
        #expect(AxisTicks.linear(0.9...3.1, maximumCount: 8, minimumStep: 1) == [1, 2, 3])
        #expect(Self.close(AxisTicks.linear(0.2305...0.2391, maximumCount: 5), [0.232, 0.234, 0.236, 0.238]))
        #expect(AxisTicks.linear(5...5) == [5] && AxisTicks.linear(0...Double.infinity).isEmpty)
        #expect(AxisTicks.labels(for: [0.232, 0.234, 0.236]) == ["0.232", "0.234", "0.236"])
        #expect(AxisTicks.labels(for: [-10, 0, 10]) == ["-10", "0", "10"])
    }

    @Test func logarithmicTicksAreDecadesOrOneTwoFive() {
        #expect(AxisTicks.logarithmic(1e-4...1) == [1e-4, 1e-3, 1e-2, 0.1, 1])
        #expect(AxisTicks.labels(for: AxisTicks.logarithmic(1e-4...1)) == ["0.0001", "0.001", "0.01", "0.1", "1"])
        #expect(AxisTicks.logarithmic(1e-12...1, maximumCount: 5) == [1e-12, 1e-9, 1e-6, 1e-3, 1])
        #expect(AxisTicks.labels(for: [1e-12, 1e-9, 1e-6, 1e-3, 1]) == ["1e-12", "1e-9", "1e-6", "0.001", "1"])
        #expect(AxisTicks.logarithmic(0.15...0.9) == [0.2, 0.5])
        #expect(AxisTicks.logarithmic(3...4.5).count >= 2)
        #expect(AxisTicks.logarithmic(0...1).isEmpty)
    }
}
