import ArgumentParser
import Foundation
import LeptonJobs

/// `lepton distill TEACHER STUDENT_CONFIG`: trains the model of a config as the student of a
/// saved teacher (Keras's `Distiller`) — `lepton train` with the config's `distillation:` section
/// set from the command line — and saves the student.
struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Train a student (a training config) to match a saved teacher model, then save the student.",
        discussion: "The loss is α · the config's loss + (1 − α) · T² · KL(teacher ‖ student) on logits softened by the temperature T. The same as `lepton train` with `distillation: {teacher: TEACHER, temperature: T, alpha: α}` in the config."
    )

    @Argument(help: "The teacher: a Lepton model folder taking the same input and giving the same classes as the student.")
    var teacher: String

    @Argument(help: "The student's training config, e.g. examples/mnist-student.yaml.")
    var studentConfig: String

    @Option(help: "Temperature T softening both models' logits (default: the config's, else 3).")
    var temperature: Float?

    @Option(help: "Weight α of the student's own loss, in [0, 1] (default: the config's, else 0.1).")
    var alpha: Float?

    @OptionGroup var training: TrainingOutputOptions

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        var config = try TrainingConfig.load(studentConfig)
        let given = config.distillation
        config.distillation = try DistillationSettings(teacher: teacher, temperature: temperature ?? given?.temperature ?? 3,
                                                       alpha: alpha ?? given?.alpha ?? 0.1)
        try TrainingJob(config: config, options: training.jobOptions(common)).run()
    }
}
