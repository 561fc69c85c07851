import Foundation
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// A config's `distillation:` section: train the config's model as the student of a saved
/// teacher (``LeptonTrain/Distiller``).
///
/// ```yaml
/// distillation: {teacher: out/mnist-cnn, temperature: 4, alpha: 0.1}
/// ```
public struct DistillationSettings: Sendable, Equatable {
    /// The teacher's Lepton model folder.
    public var teacher: String
    /// Softens both models' logits (> 0).
    public var temperature: Float
    /// The weight of the student's own loss, in [0, 1] (1 − α weighs the distillation term).
    public var alpha: Float

    /// Checked settings.
    /// - Throws: ``LeptonNN/ConfigError`` naming the setting and what was expected.
    public init(teacher: String, temperature: Float = 3, alpha: Float = 0.1) throws {
        guard !teacher.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("distillation.teacher: expected the teacher's model folder, got an empty path")
        }
        guard temperature > 0, temperature.isFinite, temperature <= 1000 else {
            throw ConfigError("distillation.temperature: expected a number in (0, 1000], got \(temperature)")
        }
        guard alpha >= 0, alpha <= 1 else { throw ConfigError("distillation.alpha: expected a weight in [0, 1], got \(alpha)") }
        self.teacher = teacher
        self.temperature = temperature
        self.alpha = alpha
    }

    static func read(_ value: ConfigValue) throws -> DistillationSettings {
        let reader = try ConfigReader(value, path: "distillation")
        try reader.rejectUnknownKeys(["teacher", "temperature", "alpha"])
        return try DistillationSettings(teacher: try reader.requiredString("teacher"),
                                        temperature: Float(try reader.double("temperature") ?? 3),
                                        alpha: Float(try reader.double("alpha") ?? 0.1))
    }

    /// The model `fit` trains for `student`: a ``LeptonTrain/Distiller`` around it with the
    /// teacher loaded from its folder, once the teacher is known to take the student's input and
    /// give its output shape (checked without running either).
    /// - Throws: ``LeptonNN/ConfigError`` or ``LeptonIO/IOError`` naming the teacher and the mismatch.
    func trainer(for student: Sequential, inputShape: [Int], dtype: DType) throws -> Distiller {
        let teacher = try ModelFile.load(from: URL(fileURLWithPath: teacher))
        let input = try ShapeCheck.input(shape: inputShape, dtype: dtype, path: "input_shape")
        let studentOutput = try ShapeCheck.check(student.layers, input: input, path: "model.layers").output
        let teacherOutput: TensorSpec
        do { teacherOutput = try ShapeCheck.check(teacher.layers, input: input, path: "layers").output } catch let error as ConfigError {
            throw ConfigError("distillation.teacher \(self.teacher) does not take the student's input \(inputShape): \(error.description)")
        }
        guard teacherOutput.shape == studentOutput.shape else {
            throw ConfigError("distillation.teacher \(self.teacher) outputs \(teacherOutput.shape.dropFirst()) per sample; the student outputs \(studentOutput.shape.dropFirst()) (expected the same classes)")
        }
        return try Distiller(teacher: teacher, student: student, temperature: temperature, alpha: alpha)
    }
}
