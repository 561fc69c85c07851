import Foundation
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTrain
import Testing

/// A config's `distillation:` section (TrainingConfig+Distillation.swift): read and checked, a
/// teacher that does not fit the student refused before training, and a distilled job saves the
/// student alone.
@Suite(.serialized) struct TrainingConfigDistillationTests {
    private func load(_ distillation: String?, teacher: String = "/nowhere", units: Int = 16) throws -> TrainingConfig {
        let yaml = """
            dataset: {name: mnist, train_limit: 512, test_limit: 128}
            model: {layers: [{type: Flatten}, {type: Dense, units: \(units), activation: relu}, {type: Dense, units: 10, activation: softmax}]}
            loss: sparse_categorical_crossentropy
            metrics: [accuracy]
            epochs: 2
            batch_size: 64
            seed: 5
            \(distillation.map { "distillation: " + $0.replacingOccurrences(of: "TEACHER", with: teacher) } ?? "")

            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-distill-\(UUID()).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try TrainingConfig.load(file.path)
    }

    private func message(_ distillation: String) -> String {
        do { _ = try load(distillation); return "no error" } catch { return "\(error)" }
    }

    @Test func readsTheSectionWithTheDistillersDefaults() throws {
        let config = try load("{teacher: TEACHER}")
        #expect(config.distillation == (try DistillationSettings(teacher: "/nowhere", temperature: 3, alpha: 0.1)))
        #expect(try load("{teacher: TEACHER, temperature: 5, alpha: 0.5}").distillation?.temperature == 5)
    }

    @Test func badSettingsNameTheKeyAndWhatWasExpected() {
        #expect(message("{temperature: 2}").contains("distillation.teacher"))
        #expect(message("{teacher: TEACHER, temperature: 0}").contains("distillation.temperature: expected a number in (0, 1000]"))
        #expect(message("{teacher: TEACHER, temperature: .nan}").contains("distillation.temperature"))
        #expect(message("{teacher: TEACHER, alpha: 1.5}").contains("distillation.alpha: expected a weight in [0, 1], got 1.5"))
        #expect(message("{teacher: TEACHER, beta: 1}").contains("beta"))
        #expect(message("{teacher: \"  \"}").contains("empty path"))
        #expect(message("[1, 2]").contains("distillation"))
    }

    private func saveTeacher(classes: Int, in dir: URL) throws -> String {
        let teacher = Sequential([Flatten(), Dense(units: 24, activation: .relu), Dense(units: classes, activation: .softmax)])
        teacher.build(inputShape: [28, 28, 1], dtype: .float32)
        let path = dir.appendingPathComponent("teacher-\(classes)")
        try ModelFile.save(teacher, to: path, inputShape: [28, 28, 1])
        return path.path
    }

    @Test func aTeacherWithOtherClassesOrAMissingFolderIsRefusedBeforeTraining() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-distill-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let wrong = try saveTeacher(classes: 3, in: dir)
        var events: [TrainingEvent] = []
        #expect(throws: ConfigError.self) { try TrainingJob(config: load("{teacher: TEACHER}", teacher: wrong)).run { events.append($0) } }
        #expect(!events.contains { if case .epochEnded = $0 { return true } else { return false } })
        #expect(throws: IOError.self) { try TrainingJob(config: load("{teacher: TEACHER}", teacher: dir.appendingPathComponent("none").path)).run() }
    }

    @Test func aDistilledJobTrainsAndSavesOnlyTheStudent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-distill-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A teacher trained on the same data, four times the student's width.
        var teacherOptions = TrainingJob.Options()
        teacherOptions.output = dir.appendingPathComponent("teacher").path
        let taught = try TrainingJob(config: load(nil, units: 64), options: teacherOptions).run()
        let teacher = try #require(taught.savedTo)
        var options = TrainingJob.Options()
        options.output = dir.appendingPathComponent("student").path
        let result = try TrainingJob(config: load("{teacher: TEACHER, temperature: 2, alpha: 0.5}", teacher: teacher), options: options).run()
        #expect(result.history["loss"]?.count == 2 && result.history["loss"]!.allSatisfy(\.isFinite))
        let student = try ModelFile.load(from: dir.appendingPathComponent("student"))
        #expect(student.parameterCount == 784 * 16 + 16 + 16 * 10 + 10, "the saved model is the student, without the teacher")
        #expect((result.test["accuracy"] ?? 0) > 0.3, "\(result.test)")   // chance is 0.1
    }
}
