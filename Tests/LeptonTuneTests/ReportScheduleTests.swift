import LeptonTune
import Testing

/// `tune.report_every`: which values it takes, and after which batches the reports fall.
@Suite struct ReportScheduleTests {
    @Test func reportEveryIsAFractionOneOverKOfAnEpoch() throws {
        #expect(try ReportSchedule(reportEvery: 1).reportsPerEpoch == 1)
        #expect(try ReportSchedule(reportEvery: 0.5).reportsPerEpoch == 2)
        #expect(try ReportSchedule(reportEvery: 0.25).reportsPerEpoch == 4)
        #expect(try ReportSchedule(reportEvery: 1.0 / 3).reportsPerEpoch == 3)
        #expect(try ReportSchedule(reportEvery: 0.01).reportsPerEpoch == 100)
        let expected = "tune.report_every: expected a fraction of an epoch 1/k for a whole k from 1 to 100 (1, 0.5, 0.25, 0.2, 0.1, …), got "
        let bad: [(Double, String)] = [(0.3, "0.3"), (0, "0"), (-0.25, "-0.25"), (2, "2"), (1.5, "1.5"), (0.005, "0.005"),
                                       (.nan, "nan"), (.infinity, "inf")]
        for (value, shown) in bad {
            #expect(throws: TuneError.self, "\(value)") { try ReportSchedule(reportEvery: value) }
            do { _ = try ReportSchedule(reportEvery: value) } catch { #expect("\(error)" == expected + shown) }
        }
        #expect(ReportSchedule().reportsPerEpoch == 1, "once an epoch by default")
    }

    @Test func stepsCountReportsOverTheWholeTrial() {
        let quarter = ReportSchedule(reportsPerEpoch: 4)
        #expect(quarter.step(epoch: 0, index: 1) == 1 && quarter.step(epoch: 0, index: 4) == 4 && quarter.step(epoch: 1, index: 1) == 5)
        #expect(quarter.steps(epochs: 2) == 8)
        #expect(ReportSchedule().step(epoch: 2, index: 1) == 3, "once an epoch: the step is the epoch, counted from 1")
    }

    @Test func midEpochReportsFallAfterTheBatchesEndingEachKthOfTheEpoch() {
        let quarter = ReportSchedule(reportsPerEpoch: 4)
        // 422 batches (54,000 samples in batches of 128): reports after ⌈422/4⌉ = 106, 211 and ⌈316.5⌉ = 317 batches.
        let due = (1...422).map { quarter.reportsDue(afterBatches: $0, of: 422) }
        #expect(due.firstIndex(of: 1).map { $0 + 1 } == 106 && due.firstIndex(of: 2).map { $0 + 1 } == 211
                && due.firstIndex(of: 3).map { $0 + 1 } == 317)
        #expect(due[420] == 3 && due[421] == 0, "the last report belongs to the end of the epoch")
        // An epoch of fewer batches than reports: 3 batches, reports 1 and 2 after batches 1 and 2, 3 and 4 at the end.
        #expect((1...3).map { quarter.reportsDue(afterBatches: $0, of: 3) } == [1, 2, 0])
        #expect((1...5).map { ReportSchedule().reportsDue(afterBatches: $0, of: 5) } == [0, 0, 0, 0, 0])
    }
}
