import LeptonNN
import LeptonTensor

/// Which optimizer ``Model/compile(optimizer:loss:metrics:)`` builds for the model's
/// parameters, by value or by Keras name (`"adam"`, `"sgd"`, `"rmsprop"`, `"adagrad"`, `"adamw"`).
public enum OptimizerSpec: Sendable, Equatable, ExpressibleByStringLiteral {
    case sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0)
    case adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, weightDecay: Float = 0)
    case adamW(learningRate: Float = 1e-3, weightDecay: Float = 0.004)
    case rmsprop(learningRate: Float = 1e-3, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7)
    case adagrad(learningRate: Float = 1e-3, initialAccumulator: Float = 0.1, epsilon: Float = 1e-7)
    /// A name that is none of the above (a typo in a string literal): ``make(for:)`` throws
    /// the error listing the known names, so `compile` reports it instead of stopping the program.
    case unknown(String)

    /// Names accepted by ``init(named:)``.
    public static let knownNames = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]

    /// The optimizer Keras names `name`, with Keras's default settings.
    /// - Throws: ``TrainingError`` listing the known names.
    public init(named name: String) throws {
        switch name.lowercased() {
        case "sgd": self = .sgd()
        case "adam": self = .adam()
        case "adamw": self = .adamW()
        case "rmsprop": self = .rmsprop()
        case "adagrad": self = .adagrad()
        default: throw Self.unknownNameError(name)
        }
    }

    /// A spec from a name in source code (`compile(optimizer: "adam", …)`); an unknown name is
    /// reported by `compile`.
    public init(stringLiteral value: String) {
        self = (try? Self(named: value)) ?? .unknown(value)
    }

    static func unknownNameError(_ name: String) -> TrainingError {
        TrainingError("unknown optimizer '\(name)'; expected one of \(knownNames.joined(separator: ", "))")
    }

    /// Builds the optimizer for `module`'s trainable parameters.
    /// - Throws: ``TrainingError`` listing the known names for an ``unknown(_:)`` name.
    public func make(for module: Module) throws -> Optimizer {
        switch self {
        case let .unknown(name):
            throw Self.unknownNameError(name)
        case let .sgd(lr, momentum, nesterov, wd):
            return SGD(module, learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: wd)
        case let .adam(lr, b1, b2, eps, wd):
            return Adam(module, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        case let .adamW(lr, wd):
            return AdamW(module, learningRate: lr, weightDecay: wd)
        case let .rmsprop(lr, rho, momentum, eps):
            return RMSprop(module, learningRate: lr, alpha: rho, epsilon: eps, momentum: momentum)
        case let .adagrad(lr, initial, eps):
            return Adagrad(module, learningRate: lr, initialAccumulator: initial, epsilon: eps)
        }
    }
}
