import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// The importer's peephole fusions compute what the unfused nodes compute, and only where the
/// intermediate value is not needed elsewhere.
@Suite struct ImportFusionTests {
    typealias B = ModelBuilder

    @Test func sigmoidTimesItsInputRunsAsOneSiLU() throws {
        // y1 = x · sigmoid(x); y2 = sigmoid(y1) · y1 (operands swapped); z = sigmoid(x) is also
        // an output, so its product with x stays two nodes.
        let model = try ONNXImporter.importModel(B.model(
            nodes: [B.node("Sigmoid", ["x"], ["s1"]), B.node("Mul", ["x", "s1"], ["y1"]),
                    B.node("Sigmoid", ["y1"], ["s2"]), B.node("Mul", ["s2", "y1"], ["y2"]),
                    B.node("Sigmoid", ["x"], ["z"]), B.node("Mul", ["z", "x"], ["w"])],
            inputs: [B.value("x", .float, [2, 70_000])],
            outputs: [B.value("y2", .float), B.value("z", .float), B.value("w", .float)]))
        var g = RandomGenerator(seed: 5)
        let x = Tensor.normal([2, 70_000], generator: &g) * 6
        var ops: [String] = []
        let outputs = try model.trace([x]) { label, _ in ops.append(label) }
        #expect(ops.filter { $0.contains("(SiLU") }.count == 2, "\(ops)")
        #expect(ops.filter { $0.contains("(Sigmoid)") && !$0.contains("SiLU") }.count == 1, "the sigmoid that is an output stays: \(ops)")
        let xs = x.scalars
        func silu(_ v: Float) -> Float { v / (1 + exp(-v)) }
        let y1 = xs.map(silu), y2 = y1.map(silu)
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 2e-6 * max(1, abs($1)) } }
        #expect(close(outputs[0].tensor.scalars, y2))
        #expect(close(outputs[2].tensor.scalars, xs.map(silu)))
    }
}
