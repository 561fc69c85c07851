import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// Keras 3's optimizer defaults, the same whether an optimizer is named in `compile` or built
/// with its class's initialiser.
@Suite struct OptimizerDefaultsTests {
    static func module() -> Module { Dense(units: 2, inputDimensions: 3) }

    static func byName(_ name: String) throws -> Optimizer {
        try OptimizerSpec(named: name).make(for: module())
    }

    @Test func sgdMatchesKeras() throws {
        for optimizer in [try Self.byName("sgd"), SGD(Self.module())] {
            let sgd = try #require(optimizer as? SGD)
            #expect(sgd.learningRate == 0.01)
            #expect(sgd.momentum == 0)
            #expect(sgd.nesterov == false)
            #expect(sgd.weightDecay == 0)
        }
    }

    @Test func adamMatchesKeras() throws {
        for optimizer in [try Self.byName("adam"), Adam(Self.module())] {
            let adam = try #require(optimizer as? Adam)
            #expect(!(adam is AdamW))
            #expect(adam.learningRate == 1e-3)
            #expect(adam.beta1 == 0.9)
            #expect(adam.beta2 == 0.999)
            #expect(adam.epsilon == 1e-7)
            #expect(adam.weightDecay == 0)
        }
    }

    @Test func adamWMatchesKeras() throws {
        for optimizer in [try Self.byName("adamw"), AdamW(Self.module())] {
            let adamW = try #require(optimizer as? AdamW)
            #expect(adamW.learningRate == 1e-3)
            #expect(adamW.beta1 == 0.9)
            #expect(adamW.beta2 == 0.999)
            #expect(adamW.epsilon == 1e-7)
            #expect(adamW.weightDecay == 0.004)
        }
    }

    @Test func rmspropMatchesKeras() throws {
        for optimizer in [try Self.byName("rmsprop"), RMSprop(Self.module())] {
            let rmsprop = try #require(optimizer as? RMSprop)
            #expect(rmsprop.learningRate == 1e-3)
            #expect(rmsprop.alpha == 0.9)
            #expect(rmsprop.epsilon == 1e-7)
            #expect(rmsprop.momentum == 0)
            #expect(rmsprop.centered == false)
        }
    }

    @Test func adagradMatchesKeras() throws {
        for optimizer in [try Self.byName("adagrad"), Adagrad(Self.module())] {
            let adagrad = try #require(optimizer as? Adagrad)
            #expect(adagrad.learningRate == 1e-3)
            #expect(adagrad.initialAccumulator == 0.1)
            #expect(adagrad.epsilon == 1e-7)
        }
    }
}
