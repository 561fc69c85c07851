import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import LeptonTrain

/// `Distiller` (Model/Distiller.swift): the distillation term against a hand computation,
/// training moves the student towards the teacher and leaves the teacher alone, bad settings refused.
@Suite struct DistillerTests {
    @Test func distillationLossMatchesTheFormula() throws {
        let student = Sequential([Dense(units: 3, inputDimensions: 2)])
        let distiller = try Distiller(teacher: Sequential([Dense(units: 3, inputDimensions: 2)]), student: student, temperature: 2, alpha: 0)
        let t = Tensor([1, 0, -1, 0.5, 0.5, 2], shape: [2, 3]), s = Tensor([0, 1, 0, 1, -1, 0], shape: [2, 3])
        func softmax(_ v: [Float]) -> [Float] { let e = v.map { exp($0 / 2) }; return e.map { $0 / e.reduce(0, +) } }
        var expected: Float = 0
        for r in 0..<2 {
            let p = softmax(Array(t.scalars[(r * 3)..<(r * 3 + 3)])), q = softmax(Array(s.scalars[(r * 3)..<(r * 3 + 3)]))
            expected += zip(p, q).reduce(0) { $0 + $1.0 * log($1.0 / $1.1) }
        }
        expected = expected / 2 * 4   // batch mean, times T²
        let actual = distiller.distillationLoss(teacherLogits: t, studentOutput: s).item()
        #expect(abs(actual - expected) < 1e-5, "\(actual) vs \(expected)")
    }

    @Test func trainsTheStudentTowardsTheTeacher() throws {
        GlobalRandom.seed(9)
        // A teacher the student can match exactly, so the distillation term can fall towards 0.
        let teacher = Sequential([Dense(units: 3, activation: .softmax, inputDimensions: 4)])
        (teacher.layers[0] as! Dense).kernel!.assign(TestSupport.randn([4, 3], seed: 11, scale: 2))
        let student = Sequential([Dense(units: 3, activation: .softmax, inputDimensions: 4)])
        let x = TestSupport.randn([128, 4], seed: 10)
        let y = Tensor(int32: (0..<128).map { Int32($0 % 3) }, shape: [128])
        let teacherBefore = teacher.parameters().flatMap(\.scalars)
        let distiller = try Distiller(teacher: teacher, student: student, temperature: 2, alpha: 0)
        try distiller.compile(optimizer: Adam(distiller, learningRate: 0.05), loss: "sparse_categorical_crossentropy")
        #expect(distiller.parameterCount == student.parameterCount, "the teacher is not trained")
        func gap() -> Float {
            distiller.distillationLoss(teacherLogits: teacher(x).clamp(min: 1e-12).log(), studentOutput: student(x)).item()
        }
        let before = gap()
        _ = try distiller.fit(x: x, y: y, epochs: 40, batchSize: 32, verbose: .silent)
        let after = gap()
        #expect(after < before / 4, "distillation loss \(before) → \(after)")
        #expect(teacher.parameters().flatMap(\.scalars) == teacherBefore)
    }

    /// A confident teacher's probabilities underflow float32 (e^-60 and e^-120 of the top class);
    /// its logits, taken before the softmax, keep the ranking of the unlikely classes.
    @Test func theTeachersLogitsAreTakenBeforeItsSoftmax() throws {
        let teacher = Sequential([Dense(units: 3, activation: .softmax, inputDimensions: 2)])
        (teacher.layers[0] as! Dense).kernel!.assign(Tensor([0, -60, -120, 0, 0, 0], shape: [2, 3]))
        let student = Sequential([Dense(units: 3, activation: .softmax, inputDimensions: 2)])
        let distiller = try Distiller(teacher: teacher, student: student)
        let x = Tensor([1, 0], shape: [1, 2])
        #expect(teacher(x).scalars[2] == 0, "the probability underflows")
        #expect(distiller.teacherLogits(x).scalars == [0, -60, -120])
        let layered = Sequential([Dense(units: 3, inputDimensions: 2), Activation(.softmax)])
        (layered.layers[0] as! Dense).kernel!.assign(Tensor([0, -60, -120, 0, 0, 0], shape: [2, 3]))
        #expect(try Distiller(teacher: layered, student: student).teacherLogits(x).scalars == [0, -60, -120])
    }

    @Test func refusesBadSettings() {
        let model = Sequential([Dense(units: 2, inputDimensions: 2)])
        #expect(throws: ConfigError.self) { try Distiller(teacher: model, student: model, temperature: 0) }
        #expect(throws: ConfigError.self) { try Distiller(teacher: model, student: model, alpha: 1.5) }
    }
}
