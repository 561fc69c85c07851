import LeptonNN
import LeptonTensor

/// A training objective for ``Model/compile(optimizer:loss:metrics:)``, by value or by the
/// name Keras uses (`"categorical_crossentropy"`, `"mse"`, …).
public struct LossFunction: @unchecked Sendable {
    /// The name shown in progress output and history (`"loss"` is always the key used there).
    public let name: String
    private let function: (Tensor, Tensor) -> Tensor
    /// Set when a string literal named no known loss; `compile` throws it.
    let unknownNameError: TrainingError?

    /// A custom loss: `(prediction, target) → scalar`.
    public init(name: String, _ function: @escaping (Tensor, Tensor) -> Tensor) {
        self.name = name
        self.function = function
        unknownNameError = nil
    }

    private init(unknown name: String, error: TrainingError) {
        self.name = name
        self.function = { prediction, _ in prediction.sum() * Float.nan }
        unknownNameError = error
    }

    /// The loss of `prediction` against `target` (a scalar).
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor { function(prediction, target) }

    public static let meanSquaredError = LossFunction(name: "mean_squared_error") { LeptonNN.meanSquaredError($0, $1) }
    public static let meanAbsoluteError = LossFunction(name: "mean_absolute_error") { LeptonNN.meanAbsoluteError($0, $1) }
    public static func huber(delta: Float = 1) -> LossFunction {
        LossFunction(name: "huber") { huberLoss($0, $1, delta: delta) }
    }
    /// Binary cross-entropy on probabilities, or on logits with `fromLogits`.
    public static func binaryCrossEntropy(fromLogits: Bool = false) -> LossFunction {
        LossFunction(name: "binary_crossentropy") { p, t in
            fromLogits ? LeptonNN.binaryCrossEntropy(logits: p, t) : LeptonNN.binaryCrossEntropy(p, t)
        }
    }
    /// Categorical cross-entropy with one-hot targets.
    public static func categoricalCrossEntropy(fromLogits: Bool = false, labelSmoothing: Float = 0) -> LossFunction {
        LossFunction(name: "categorical_crossentropy") { p, t in
            fromLogits ? LeptonNN.categoricalCrossEntropy(logits: p, t, labelSmoothing: labelSmoothing)
                : LeptonNN.categoricalCrossEntropy(p, t, labelSmoothing: labelSmoothing)
        }
    }
    /// Categorical cross-entropy with `int32` class labels.
    public static func sparseCategoricalCrossEntropy(fromLogits: Bool = false) -> LossFunction {
        LossFunction(name: "sparse_categorical_crossentropy") { p, t in
            fromLogits ? LeptonNN.sparseCategoricalCrossEntropy(logits: p, t) : LeptonNN.sparseCategoricalCrossEntropy(p, t)
        }
    }

    /// Triplet loss mined inside each batch; the model's outputs are embeddings and the targets
    /// int32 identity ids (``LeptonNN/tripletLoss(_:_:margin:mining:)``).
    public static func triplet(mining: TripletMining = .semiHard, margin: Float = 0.2) -> LossFunction {
        LossFunction(name: "triplet_\(mining.rawValue)") { tripletLoss($0, $1, margin: margin, mining: mining) }
    }
    /// Contrastive loss over every pair of a batch's embeddings
    /// (``LeptonNN/pairwiseContrastiveLoss(_:_:margin:positiveMargin:)``).
    public static func contrastive(margin: Float = 1, positiveMargin: Float = 0) -> LossFunction {
        LossFunction(name: "contrastive") { pairwiseContrastiveLoss($0, $1, margin: margin, positiveMargin: positiveMargin) }
    }
    /// ArcFace or CosFace over a ``LeptonNN/CosineDense`` head's cosines; defaults as
    /// pytorch-metric-learning's (scale 64; margin 0.5 rad for ArcFace, 0.35 for CosFace).
    public static func marginSoftmax(_ kind: MarginKind, scale: Float = 64, margin: Float? = nil) -> LossFunction {
        let m = margin ?? (kind == .arcFace ? 0.5 : 0.35)
        return LossFunction(name: kind.rawValue) { marginSoftmaxLoss($0, $1, scale: scale, margin: m, kind: kind) }
    }

    /// The loss named `name`, with the `margin` and `scale` of the losses that take them
    /// (triplet, contrastive, ArcFace, CosFace; nil: their defaults) and contrastive's `positiveMargin`.
    /// - Throws: ``TrainingError`` for an unknown name, or a margin or scale given to a loss that
    ///   takes none, or out of range.
    public init(named name: String, margin: Float?, scale: Float?, positiveMargin: Float? = nil) throws {
        if let positiveMargin {
            guard name.lowercased() == "contrastive" else {
                throw TrainingError("loss '\(name)' takes no positive_margin; it is for contrastive")
            }
            guard positiveMargin.isFinite, positiveMargin >= 0, positiveMargin < (margin ?? 1) else {
                throw TrainingError("loss positive_margin: expected a number in 0..<margin (\(margin ?? 1)), got \(positiveMargin)")
            }
        }
        if let margin, !(margin.isFinite && margin >= 0 && margin < 10) {
            throw TrainingError("loss margin: expected a number in 0..<10, got \(margin)")
        }
        if let scale, !(scale.isFinite && scale > 0 && scale <= 1000) {
            throw TrainingError("loss scale: expected a number in (0, 1000], got \(scale)")
        }
        switch name.lowercased() {
        case "triplet_semi_hard": self = .triplet(mining: .semiHard, margin: margin ?? 0.2)
        case "triplet_batch_hard": self = .triplet(mining: .batchHard, margin: margin ?? 0.2)
        case "contrastive": self = .contrastive(margin: margin ?? 1, positiveMargin: positiveMargin ?? 0)
        case "arcface": self = .marginSoftmax(.arcFace, scale: scale ?? 64, margin: margin)
        case "cosface": self = .marginSoftmax(.cosFace, scale: scale ?? 64, margin: margin)
        default:
            try self.init(named: name)
            if margin != nil || scale != nil {
                throw TrainingError("loss '\(name)' takes no margin or scale; they are for \(Self.embeddingNames.joined(separator: ", "))")
            }
        }
    }

    /// The metric-learning losses: the model's outputs are embeddings (or, for ArcFace and
    /// CosFace, a ``LeptonNN/CosineDense`` head's cosines) and the targets identity ids.
    public static let embeddingNames = ["triplet_semi_hard", "triplet_batch_hard", "contrastive", "arcface", "cosface"]

    /// The loss Keras names `name`.
    /// - Throws: ``TrainingError`` listing the known names.
    public init(named name: String) throws {
        switch name.lowercased() {
        case "mse", "mean_squared_error", "meansquarederror": self = .meanSquaredError
        case "mae", "mean_absolute_error", "meanabsoluteerror": self = .meanAbsoluteError
        case "huber", "huber_loss": self = .huber()
        case "binary_crossentropy", "binarycrossentropy", "bce": self = .binaryCrossEntropy()
        case "categorical_crossentropy", "categoricalcrossentropy": self = .categoricalCrossEntropy()
        case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy": self = .sparseCategoricalCrossEntropy()
        case let embedding where Self.embeddingNames.contains(embedding): try self.init(named: embedding, margin: nil, scale: nil)
        default:
            throw TrainingError("unknown loss '\(name)'; expected one of \(Self.knownNames.joined(separator: ", "))")
        }
    }

    /// Names accepted by ``init(named:)``.
    public static let knownNames = ["mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
                                    "sparse_categorical_crossentropy"] + embeddingNames
}

extension LossFunction: ExpressibleByStringLiteral {
    /// A loss from a Keras name in source code (`loss: "mse"`); for an unknown name,
    /// `compile` throws the error listing the known ones.
    public init(stringLiteral value: String) {
        do { try self.init(named: value) } catch {
            self.init(unknown: value, error: error as? TrainingError ?? TrainingError("\(error)"))
        }
    }
}

/// A user-caused training error: an unknown name, a bad argument, a shape that does not fit.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
