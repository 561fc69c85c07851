import Testing
import LeptonNN

/// `LayerLimits` and the checks of layer configurations against them (Core/LayerLimits.swift,
/// Core/ConfigReader+Limits.swift): bad values are refused before anything is allocated.
@Suite struct LayerLimitsTests {
    /// The error making one layer from `config` throws, or "no error".
    func configError(_ config: [String: ConfigValue]) -> String {
        do { _ = try LayerRegistry.make(.object(config), path: "layers[0]") } catch { return "\(error)" }
        return "no error"
    }

    @Test func productsReportOverflow() {
        #expect(LayerLimits.product([3, 4, 5]) == 60)
        #expect(LayerLimits.product([1 << 40, 1 << 40]) == nil)
        #expect(LayerLimits.sum([Int.max, 1]) == nil)
        #expect(throws: ConfigError.self) { try LayerLimits.checkTensor([1 << 20, 1 << 20], "w") }
    }

    @Test func hugeSizesAreRefusedBeforeAllocating() {
        let message = configError(["type": "Dense", "units": .double(1e9)])
        #expect(message.contains("layers[0].units") && message.contains("1000000000") && message.contains("LayerLimits.maxTensorElements"), "\(message)")
        #expect(configError(["type": "Dense", "units": 100_000, "input_dim": 10_000]).contains("[10000, 100000]"))
        #expect(configError(["type": "Embedding", "input_dim": .int(1 << 20), "output_dim": .int(1 << 10)]).contains("layers[0].input_dim"))
        #expect(configError(["type": "TransformerEncoder", "num_layers": 1_000_000, "model_dim": 8, "num_heads": 2])
            .contains("layers[0].num_layers"))
        #expect(configError(["type": "TransformerEncoder", "num_layers": 5000, "model_dim": 512, "num_heads": 8])
            .contains("LayerLimits.maxParameters"))
        // Orthogonal initialisation of a 20 000-unit LSTM's recurrent kernel would run for hours.
        #expect(configError(["type": "LSTM", "units": 20_000]).contains("layers[0].units"))
    }

    @Test func integersBeyondIntAreRefusedNotTrapped() {
        #expect(configError(["type": "Dense", "units": .double(1e19)]).contains("expected an integer, got 1e+19"))
        #expect(configError(["type": "Dense", "units": .double(-1e300)]).contains("expected an integer"))
        #expect(configError(["type": "Dense", "units": .double(1.5)]).contains("expected an integer, got 1.5"))
    }

    @Test func zeroAndNegativeSizesAreRefused() {
        #expect(configError(["type": "MaxPooling2D", "pool_size": 0]).contains("layers[0].pool_size: expected 2 positive integers"))
        #expect(configError(["type": "AveragePooling2D", "strides": .ints([1, -1])]).contains("layers[0].strides"))
        #expect(configError(["type": "Dense", "units": -1]).contains("layers[0].units: expected an integer ≥ 1, got -1"))
        #expect(configError(["type": "Dense", "units": 4, "input_dim": -3]).contains("layers[0].input_dim"))
        #expect(configError(["type": "LSTM", "units": 4, "input_dim": 0]).contains("layers[0].input_dim"))
        #expect(configError(["type": "Conv2D", "filters": 4, "kernel_size": 3, "dilation_rate": .int(1 << 27)])
            .contains("layers[0].dilation_rate"))
        #expect(configError(["type": "Reshape", "target_shape": .ints([0, 3])]).contains("expected positive dimensions"))
        #expect(configError(["type": "Reshape", "target_shape": .ints([-1, -1])]).contains("at most one -1"))
        #expect(configError(["type": "MatrixFactorization", "users": .int(Int.max), "items": 3, "factors": 2]).contains("layers[0].users"))
    }

    @Test func ratesAndConstantsAreChecked() {
        #expect(configError(["type": "BatchNormalization", "momentum": 2]).contains("layers[0].momentum"))
        #expect(configError(["type": "BatchNormalization", "epsilon": 0]).contains("layers[0].epsilon"))
        #expect(configError(["type": "LayerNormalization", "epsilon": .double(1e300)]).contains("expected a positive number"))
        #expect(configError(["type": "Dropout", "rate": 1]).contains("layers[0].rate"))
        #expect(configError(["type": "MultiHeadAttention", "num_heads": 2, "key_dim": 2, "dropout": -0.5]).contains("layers[0].dropout"))
    }

    @Test func aBidirectionalLayerHasHalfTheBudget() throws {
        let inner: ConfigValue = .object(["type": "LSTM", "units": 8, "input_dim": 4])
        let layer = try LayerRegistry.make(.object(["type": "Bidirectional", "layer": inner]), path: "l", parameterBudget: 1000)
        #expect(layer.parameterCount == 2 * (4 * 32 + 8 * 32 + 32))
        #expect(throws: ConfigError.self) {
            _ = try LayerRegistry.make(.object(["type": "Bidirectional", "layer": inner]), path: "l", parameterBudget: 800)
        }
    }
}
