import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Shared helpers of the recurrent-layer suites (SimpleRNN, LSTM, GRU, Bidirectional).
enum RecurrentTesting {
    /// A `[batch, time]` mask of right-padded sequences: 1 for the first `lengths[b]` steps.
    static func mask(lengths: [Int], time: Int) -> Tensor {
        Tensor(lengths.flatMap { n in (0..<time).map { $0 < n ? Float(1) : 0 } }, shape: [lengths.count, time])
    }

    /// The oracle's name for a cell.
    static func cellName(_ cell: RecurrentCell) -> String {
        switch cell {
        case .rnnTanh: return "rnn_tanh"
        case .rnnRelu: return "rnn_relu"
        case .lstm: return "lstm"
        case .gru: return "gru"
        }
    }

    /// Fills every weight of a built layer with seeded normal values.
    static func randomize(_ layer: RecurrentLayer, seed: UInt64, scale: Float = 0.5) {
        for (k, (_, p)) in layer.namedParameters().enumerated() { p.fillNormal(seed: seed &+ UInt64(k), scale: scale) }
    }

    /// Runs `torch.nn.RNN/LSTM/GRU(batch_first=True)` with the weights of `layers` (one per
    /// direction) over the unpadded sequences (`pack_padded_sequence`). Returns the padded output
    /// (zeros at padding, `[batch, time, directions·units]`) and the final h and c
    /// (`[directions, batch, units]`; c repeats h for cells without one).
    static func torch(_ layers: [RecurrentLayer], x: Tensor, lengths: [Int],
                      states: [[Tensor]]) throws -> (output: Tensor, h: Tensor, c: Tensor) {
        let first = layers[0]
        let (batch, units, width) = (x.shape[0], first.units, first.cell.gates * first.units)
        var inputs = [x, Tensor(int32: lengths.map(Int32.init), shape: [lengths.count])]
        for (d, layer) in layers.enumerated() {
            inputs += [layer.kernel!, layer.recurrentKernel!, layer.bias ?? Tensor.zeros([width]),
                       layer.recurrentBias ?? Tensor.zeros([width]), states[d][0],
                       states[d].count > 1 ? states[d][1] : Tensor.zeros([batch, units])]
        }
        let attrs: OracleAttributes = ["cell": .string(cellName(first.cell)), "bidirectional": .bool(layers.count == 2)]
        let r = try NumPyOracle.torch.run("recurrent", inputs, attrs: attrs)
        return (r[0], r[1], r[2])
    }

    /// Largest absolute difference (infinite when the shapes differ).
    static func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }

    /// Random initial states for a cell.
    static func states(_ cell: RecurrentCell, batch: Int, units: Int, seed: UInt64) -> [Tensor] {
        (0..<cell.stateCount).map { TestSupport.randn([batch, units], seed: seed &+ UInt64($0), scale: 0.5) }
    }

    /// Compares a layer (built by `make(returnSequences, zeroOutputForMask)`) with PyTorch on a
    /// right-padded batch: the full sequence (zero outputs at padding), the final states, the
    /// last output, and Keras's default of repeating the last real output at padded steps.
    static func expectMatchesTorch(_ make: (Bool, Bool) -> RecurrentLayer, features: Int = 5, lengths: [Int] = [6, 4, 1, 3],
                                   time: Int = 6, seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let batch = lengths.count
        let x = TestSupport.randn([batch, time, features], seed: seed)
        let mask = mask(lengths: lengths, time: time)
        let zeroing = make(true, true)
        _ = zeroing(x)   // build
        randomize(zeroing, seed: seed &+ 100)
        let units = zeroing.units
        let h0 = states(zeroing.cell, batch: batch, units: units, seed: seed &+ 200)
        let reference = try torch([zeroing], x: x, lengths: lengths, states: [h0])
        let (out, finalStates) = zeroing.run(x, mask: mask, initialState: h0)
        #expect(maxError(out, reference.output) < 1e-4, "sequence output: \(maxError(out, reference.output))",
                sourceLocation: sourceLocation)
        let h = reference.h.reshape([batch, units]), c = reference.c.reshape([batch, units])
        #expect(maxError(finalStates[0], h) < 1e-4, "final h", sourceLocation: sourceLocation)
        if finalStates.count > 1 { #expect(maxError(finalStates[1], c) < 1e-4, "final c", sourceLocation: sourceLocation) }

        // Keras's default: padded steps repeat the last real output; the last output is h.
        let repeating = make(true, false), last = make(false, false)
        for layer in [repeating, last] {
            _ = layer(x)
            for ((_, p), (_, q)) in zip(layer.namedParameters(), zeroing.namedParameters()) { p.assign(q) }
        }
        let seq = repeating.run(x, mask: mask, initialState: h0).output
        let expected = Tensor(lengths.enumerated().flatMap { b, n in
            (0..<time).flatMap { t in reference.output[.at(b), .at(Swift.min(t, n - 1))].scalars }
        }, shape: [batch, time, units])
        #expect(maxError(seq, expected) < 1e-4, "repeated outputs at padded steps", sourceLocation: sourceLocation)
        let lastOutput = last.run(x, mask: mask, initialState: h0).output
        #expect(maxError(lastOutput, h) < 1e-4, "last output", sourceLocation: sourceLocation)
    }

    /// Finite-difference check of a layer run over right-padded sequences of different lengths
    /// (≥ 5 steps), with respect to the input, the initial states and every weight.
    static func expectGradients(_ layer: RecurrentLayer, features: Int = 3, lengths: [Int] = [6, 3, 5],
                                time: Int = 6, seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation) {
        let batch = lengths.count
        let x = GradientChecker.input([batch, time, features], seed: seed)
        let mask = mask(lengths: lengths, time: time)
        _ = layer(x)
        randomize(layer, seed: seed &+ 10)
        let h0 = states(layer.cell, batch: batch, units: layer.units, seed: seed &+ 20)
        let result = GradientChecker.check(parameters: layer.namedParameters().map(\.1) + [x] + h0) {
            let (out, states) = layer.run(x, mask: mask, initialState: h0)
            return Tensor.concatenate(([out] + states).map { $0.reshape([-1]) })
        }
        #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
    }
}
