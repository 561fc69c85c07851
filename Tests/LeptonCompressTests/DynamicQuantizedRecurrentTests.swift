import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizedRecurrent` (Layers/DynamicQuantizedRecurrent.swift): LSTM, GRU and simple RNN
/// in dynamic int8 stay within quantisation error of the float layer — sequences, reversed
/// sequences, masks — and every kernel path gives the same result.
@Suite struct DynamicQuantizedRecurrentTests {
    static func layer(_ kind: String, units: Int = 16, features: Int = 12, returnSequences: Bool = false,
                      goBackwards: Bool = false, seed: UInt64 = 1) -> RecurrentLayer {
        GlobalRandom.scoped(seed: seed) {
            switch kind {
            case "lstm": return LSTM(units: units, returnSequences: returnSequences, inputDimensions: features, goBackwards: goBackwards)
            case "gru":
                let gru = GRU(units: units, returnSequences: returnSequences, inputDimensions: features, goBackwards: goBackwards)
                gru.recurrentBias!.assign(TestSupport.randn([3 * units], seed: seed + 10, scale: 0.2))
                return gru
            default: return SimpleRNN(units: units, returnSequences: returnSequences, inputDimensions: features, goBackwards: goBackwards)
            }
        }
    }

    /// The largest difference between the int8 and the float outputs.
    static func worst(_ float: Tensor, _ int8: Tensor) -> Float {
        #expect(float.shape == int8.shape)
        return zip(float.scalars, int8.scalars).map { abs($0 - $1) }.max()!
    }

    @Test(arguments: ["lstm", "gru", "rnn"], [false, true])
    func closeToTheFloatLayer(kind: String, returnSequences: Bool) {
        for goBackwards in [false, true] {
            let float = Self.layer(kind, returnSequences: returnSequences, goBackwards: goBackwards)
            float.bias!.assign(TestSupport.randn([float.bias!.count], seed: 2, scale: 0.3))
            let int8 = DynamicQuantizedRecurrent(float)
            let x = TestSupport.randn([7, 20, 12], seed: 3)
            let difference = Self.worst(float(x), int8(x))
            #expect(difference < 0.05 && difference > 0, "\(kind), sequences \(returnSequences), backwards \(goBackwards): \(difference)")
        }
    }

    @Test(arguments: ["lstm", "gru"])
    func masksAsTheFloatLayer(kind: String) {
        let float = Self.layer(kind, returnSequences: true, seed: 4)
        let int8 = DynamicQuantizedRecurrent(float)
        let x = TestSupport.randn([3, 9, 12], seed: 5)
        var m = [Float](repeating: 1, count: 27)
        for t in 6..<9 { m[t] = 0 }          // row 0 padded at the end
        for t in 0..<4 { m[9 + t] = 0 }      // row 1 at the start
        let mask = Tensor(m, shape: [3, 9])
        let expected = float(x, mask: mask), got = int8.forward(x, mask: mask)
        #expect(Self.worst(expected, got) < 0.05)
        // Masked outputs repeat the previous one (zeros before the first real step), as in float.
        let g = got.scalars, U = 16
        for u in 0..<U {
            #expect(g[(0 * 9 + 8) * U + u] == g[(0 * 9 + 5) * U + u])
            #expect(g[(1 * 9 + 2) * U + u] == 0)
        }
    }

    /// With 7-bit weights (`reduceRange`) the AVX2 path runs its vpmaddubsw kernel.
    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported), [false, true])
    func everyPathAgrees(path: Int8KernelPath, reduceRange: Bool) {
        let int8 = DynamicQuantizedRecurrent(Self.layer("lstm", units: 33, features: 70, returnSequences: true, seed: 6),
                                             reduceRange: reduceRange)
        let x = TestSupport.randn([5, 6, 70], seed: 7)
        let reference = int8(x).scalars
        int8.kernelPath = path
        let worst = TestSupport.maxRelativeError(int8(x).scalars, reference, floor: 1e-3)
        #expect(worst < 1e-4, "path \(path) against \(Int8KernelPath.selected), reduceRange \(reduceRange): \(worst)")
    }

    @Test func batchRowsAreIndependentOfOneAnother() {
        // The hidden state is quantised per step over the whole batch, so a row's output depends
        // on its neighbours only through that range: a batch of one stays close to the batch.
        let int8 = DynamicQuantizedRecurrent(Self.layer("lstm", seed: 8))
        let x = TestSupport.randn([4, 10, 12], seed: 9)
        let all = int8(x).scalars, first = int8(x.slice(axis: 0, start: 0, end: 1)).scalars
        let difference = zip(all.prefix(16), first).map { abs($0 - $1) }.max()!
        #expect(difference < 0.05)
    }

    @Test func configRoundTripsAndBadConfigsAreRefused() throws {
        QuantizedLayers.register()
        let int8 = DynamicQuantizedRecurrent(Self.layer("gru", returnSequences: true, seed: 10))
        let config = try #require(LayerRegistry.config(of: int8))
        let again = try #require(try LayerRegistry.make(config, path: "layer") as? DynamicQuantizedRecurrent)
        #expect(again.config == int8.config)
        #expect(Set(again.stateDict().map(\.0)) == Set(int8.stateDict().map(\.0)))
        for (cell, words) in [(ConfigValue.string("lstm2"), "\"lstm2\" is not a cell"), (.null, "cell")] {
            var bad: [String: ConfigValue] = ["type": .string("DynamicQuantizedRecurrent"), "units": .int(4), "input_dim": .int(3)]
            if cell != .null { bad["cell"] = cell }
            #expect {
                _ = try LayerRegistry.make(.object(bad), path: "layers[1]")
            } throws: { error in
                "\(error)".contains(words) && "\(error)".contains("layers[1].cell")
            }
        }
    }
}
