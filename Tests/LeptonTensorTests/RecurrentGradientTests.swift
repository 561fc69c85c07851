import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the fused recurrent sequence op (`Ops/Tensor+Recurrent.swift`) with
/// respect to the input projection, recurrent kernel, biases and initial states, for every
/// cell, direction, masking and output option.
@Suite struct RecurrentGradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cell: RecurrentCell
        var options = RecurrentSequenceOptions()
        var bias = true
        var recurrentBias = false
        var masked = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "simple", cell: .rnnTanh),
        Case(name: "simple, last output, no bias", cell: .rnnTanh, options: .init(returnSequences: false), bias: false),
        Case(name: "relu", cell: .rnnRelu),
        Case(name: "lstm", cell: .lstm),
        Case(name: "lstm reversed", cell: .lstm, options: .init(reverse: true)),
        Case(name: "lstm reversed, processing order", cell: .lstm,
             options: .init(reverse: true, outputsInProcessingOrder: true)),
        Case(name: "lstm masked", cell: .lstm, masked: true),
        Case(name: "lstm masked, zero outputs, last only", cell: .lstm,
             options: .init(returnSequences: false, zeroMaskedOutputs: true), masked: true),
        Case(name: "gru", cell: .gru),
        Case(name: "gru with recurrent bias", cell: .gru, recurrentBias: true),
        Case(name: "gru reversed, masked, zero outputs", cell: .gru,
             options: .init(reverse: true, zeroMaskedOutputs: true), recurrentBias: true, masked: true),
        Case(name: "simple masked, reversed", cell: .rnnTanh, options: .init(reverse: true), masked: true),
    ]

    @Test(arguments: TestSupport.backendNames, cases)
    func sequence(backend: String, c: Case) {
        Device.with(TestSupport.backend(named: backend)) {
            let (batch, time, units) = (2, 4, 3)
            let width = c.cell.gates * units
            // The relu cell keeps every pre-activation positive (away from its kink).
            let positive = c.cell == .rnnRelu
            let x = positive ? GradientChecker.input([batch, time, width], seed: 1, low: 0.5, high: 1.5)
                             : TestSupport.randn([batch, time, width], seed: 1)
            let kernel = positive ? GradientChecker.input([units, width], seed: 2, low: 0.05, high: 0.3)
                                  : TestSupport.randn([units, width], seed: 2, scale: 0.5)
            var inputs = [x, kernel]
            if c.bias {
                inputs.append(positive ? GradientChecker.input([width], seed: 3, low: 0, high: 0.5)
                                       : TestSupport.randn([width], seed: 3, scale: 0.5))
            }
            if c.recurrentBias { inputs.append(TestSupport.randn([width], seed: 4, scale: 0.5)) }
            let firstState = inputs.count
            for s in 0..<c.cell.stateCount {
                inputs.append(positive ? GradientChecker.input([batch, units], seed: UInt64(5 + s), low: 0.1, high: 1)
                                       : TestSupport.randn([batch, units], seed: UInt64(5 + s), scale: 0.5))
            }
            // The first sequence has its second and last steps masked out.
            let mask = c.masked ? Tensor([1, 0, 1, 0, 1, 1, 1, 1], shape: [batch, time]) : nil
            let result = GradientChecker.check(inputs) { t in
                var k = 2
                let bias = c.bias ? t[k] : nil
                if c.bias { k += 1 }
                let recurrentBias = c.recurrentBias ? t[k] : nil
                return Tensor.recurrentSequence(c.cell, inputProjection: t[0], recurrentKernel: t[1], bias: bias,
                                                recurrentBias: recurrentBias, initialStates: Array(t[firstState...]),
                                                mask: mask, options: c.options)
            }
            #expect(result.passed, "\(c.name): \(result)")
        }
    }
}
