import LeptonNN
import LeptonTensor

/// Knowledge distillation (Keras 3's `Distiller`): trains `student` on
/// `α · loss(student(x), y) + (1 − α) · T² · KL(softmax(t / T) ‖ softmax(s / T))`, where `t` and `s`
/// are the teacher's and the student's logits (for a model ending in a softmax, the log of its
/// probabilities). The teacher only predicts: it is held outside the module tree, so its weights
/// are neither optimised nor saved. `fit`, callbacks and `evaluate` work as for any ``Model``;
/// the student is what to save afterwards. A training config's `distillation:` section and
/// `lepton distill TEACHER STUDENT_CONFIG` train through it.
///
/// ```swift
/// let distiller = try Distiller(teacher: teacher, student: student, temperature: 4, alpha: 0.1)
/// try distiller.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
/// try distiller.fit(x: x, y: y, epochs: 3)
/// ```
public final class Distiller: Model {
    /// The model being trained.
    public let student: Sequential
    public let temperature: Float
    /// The weight of the student's own loss (1 − α weighs the distillation term).
    public let alpha: Float
    private let teacherForward: (Tensor) -> Tensor

    /// - Throws: ``LeptonNN/ConfigError`` for a temperature that is not positive and finite or an α outside [0, 1].
    public init(teacher: Sequential, student: Sequential, temperature: Float = 3, alpha: Float = 0.1) throws {
        guard temperature > 0, temperature.isFinite else {
            throw ConfigError("distillation temperature \(temperature): expected a positive number")
        }
        guard alpha >= 0, alpha <= 1 else { throw ConfigError("distillation alpha \(alpha): expected a weight in [0, 1]") }
        teacher.eval()
        self.student = student
        self.temperature = temperature
        self.alpha = alpha
        teacherForward = { x in Tensor.withoutGrad { Self.logitsAndOutput(teacher, x).logits } }
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { student(input) }

    /// Logits of a model's output: the log of probabilities when it ends in a softmax.
    static func logits(_ output: Tensor, model: Sequential) -> Tensor {
        if let dense = model.layers.last as? Dense, dense.activation == .softmax { return output.clamp(min: 1e-12).log() }
        if let activation = model.layers.last as? Activation, activation.function == .softmax { return output.clamp(min: 1e-12).log() }
        return output
    }

    /// `T² · KL(softmax(t / T) ‖ softmax(s / T))` for the teacher's logits `t` and the student's
    /// output, averaged over the batch.
    public func distillationLoss(teacherLogits: Tensor, studentOutput: Tensor) -> Tensor {
        distillationLoss(teacherLogits: teacherLogits, studentLogits: Self.logits(studentOutput, model: student))
    }

    /// `T² · KL(softmax(t / T) ‖ softmax(s / T))` for the teacher's and the student's logits,
    /// averaged over the batch.
    public func distillationLoss(teacherLogits: Tensor, studentLogits: Tensor) -> Tensor {
        let t = teacherLogits * (1 / temperature)
        let s = studentLogits * (1 / temperature)
        let p = t.softmax(axis: -1)
        let divergence = (p * (t.logSoftmax(axis: -1) - s.logSoftmax(axis: -1))).sum(axis: -1).mean()
        return divergence * (temperature * temperature)
    }

    /// The teacher's logits for `x` (see ``logitsAndOutput(_:_:)``), without gradients.
    public func teacherLogits(_ x: Tensor) -> Tensor { teacherForward(x) }

    public override func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        let teacherLogits = teacherForward(x)
        let (studentLogits, prediction) = Self.logitsAndOutput(student, x)
        let total = alpha * loss!(prediction, y)
            + (1 - alpha) * distillationLoss(teacherLogits: teacherLogits, studentLogits: studentLogits)
        optimizer!.zeroGrad()
        total.backward()
        optimizer!.step()
        return (total.item(), prediction.detach())
    }

    /// A model's logits and output for `x`. For a model ending in a softmax (a `Dense` with that
    /// activation, or an `Activation` layer) the logits are what enters the softmax — not the log
    /// of its probabilities, which float32 cannot tell apart below about 1e-38 (and which are
    /// clamped), so a confident teacher would lose the ranking of its unlikely classes, the "dark
    /// knowledge" distillation passes on, and the student's gradient would vanish there. Any
    /// other model: its output, read by ``logits(ofOutput:)``.
    static func logitsAndOutput(_ model: Sequential, _ x: Tensor) -> (logits: Tensor, output: Tensor) {
        let last = model.layers.count - 1
        if let dense = model.layers.last as? Dense, dense.activation == .softmax, let kernel = dense.kernel {
            let logits = model.forward(x, layers: last).dense(kernel, bias: dense.bias)
            return (logits, logits.softmax(axis: -1))
        }
        if let activation = model.layers.last as? Activation, activation.function == .softmax {
            let logits = model.forward(x, layers: last)
            return (logits, logits.softmax(axis: -1))
        }
        let output = model(x)
        return (logits(ofOutput: output), output)
    }

    /// An output as logits: rows that sum to 1 are read as probabilities (their log).
    static func logits(ofOutput output: Tensor) -> Tensor {
        let rows = output.shape.first ?? 0, classes = output.count / max(rows, 1), p = output.scalars
        let probabilities = rows > 0 && (0..<rows).allSatisfy { r in
            let row = p[(r * classes)..<((r + 1) * classes)]
            return row.allSatisfy { $0 >= 0 } && abs(row.reduce(0, +) - 1) < 1e-3
        }
        return probabilities ? output.clamp(min: 1e-12).log() : output
    }
}
