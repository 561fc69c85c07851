import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// `QATFreezeSchedule` (QAT/QATFreezeSchedule.swift): the epochs it accepts and the errors for the
/// others (when it freezes during `fit` is checked in QuantizationAwareTrainingTests).
@Suite struct QATFreezeScheduleTests {
    @Test func acceptsEpochsInsideTheRunAndRefusesOthers() throws {
        let schedule = try QATFreezeSchedule(observersAfter: 2, batchNormAfter: 0, epochs: 3)
        #expect(schedule.observersAfter == 2 && schedule.batchNormAfter == 0)
        #expect(try QATFreezeSchedule(epochs: 1).observersAfter == nil)
        #expect { try QATFreezeSchedule(observersAfter: 0, epochs: 3) } throws: { "\($0)".contains("at least 1") }
        #expect { try QATFreezeSchedule(observersAfter: 3, epochs: 3) } throws: { "\($0)".contains("fewer than the epochs") }
        #expect { try QATFreezeSchedule(batchNormAfter: 3, epochs: 3) } throws: { "\($0)".contains("fewer than the epochs") }
        #expect { try QATFreezeSchedule(batchNormAfter: -1, epochs: 3) } throws: { "\($0)".contains("at least 0") }
    }
}
