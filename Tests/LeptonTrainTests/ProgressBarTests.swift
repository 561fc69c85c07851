import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

@Suite struct ProgressBarTests {
    /// Trains the small linear model with a progress bar writing into `lines`.
    func run(isTerminal: Bool, verbosity: Verbosity = .progressBar, epochs: Int = 2, batchSize: Int = 4,
             validation: Bool = false) throws -> ([String], History) {
        let (x, y) = regressionData(samples: 40)
        let model = linearModel()
        model.shuffleSeed = 1
        try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse", metrics: ["mae"])
        var lines: [String] = []
        let bar = ProgressBar(verbosity: verbosity, isTerminal: isTerminal) { lines.append($0) }
        let history = try model.fit(x: x, y: y, epochs: epochs, batchSize: batchSize,
                                    validationData: validation ? (x, y) : nil, callbacks: [bar], verbose: .silent)
        return (lines, history)
    }

    func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    @Test func writesOneKerasLinePerEpochWhenNotATerminal() throws {
        let (lines, history) = try run(isTerminal: false, validation: true)
        #expect(lines.count == 4)
        #expect(lines[0] == "Epoch 1/2\n" && lines[2] == "Epoch 2/2\n")
        for (epoch, line) in [lines[1], lines[3]].enumerated() {
            #expect(matches(line, #"^10/10 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4} - val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4}\n$"#), "\(line.debugDescription)")
            let loss = String(format: "%.4f", history.history["loss"]![epoch])
            #expect(line.contains(" - loss: \(loss) - "), "\(line) vs \(loss)")
            #expect(!line.contains("\r") && !line.contains("\u{1B}"))
        }
    }

    @Test func redrawsInPlaceOnATerminal() throws {
        let (lines, _) = try run(isTerminal: true, epochs: 1)
        #expect(lines.first == "Epoch 1/1\n")
        let updates = lines.dropFirst().dropLast()
        // The first batch is always drawn: the counter is padded to the total's width and the bar has its arrow.
        #expect(updates.first.map { matches($0, #"^\r 1/10 \[==>\.{27}\] - ETA: \d+s - loss: \d+\.\d{4} - mae: \d+\.\d{4}\x{1B}\[K$"#) } == true,
                "\(updates.first.debugDescription)")
        #expect(updates.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") && !$0.contains("\n") })
        let final = lines.last ?? ""
        #expect(matches(final, #"^\r10/10 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4}\x{1B}\[K\n$"#), "\(final.debugDescription)")
    }

    @Test func oneLinePerEpochAndSilentModes() throws {
        let (lines, _) = try run(isTerminal: true, verbosity: .oneLinePerEpoch)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { !$0.hasPrefix("\r") })
        #expect(matches(lines[1], #"^10/10 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: "#))
        let (silent, _) = try run(isTerminal: true, verbosity: .silent)
        #expect(silent.isEmpty)
    }

    @Test func formatsValuesAsKerasDoes() {
        #expect(Logs([("loss", 0.21344), ("accuracy", 0.93612)]).description == "loss: 0.2134 - accuracy: 0.9361")
        #expect(Logs([("loss", 0.000123)]).description == "loss: 1.2300e-04")
        #expect(Logs([("loss", 123456)]).description == "loss: 1.2346e+05")
        #expect(Logs([("loss", 0)]).description == "loss: 0.0000")
        var logs = Logs([("loss", 1)])
        logs["val_loss"] = 2
        logs["loss"] = 3
        #expect(logs.keys == ["loss", "val_loss"] && logs["loss"] == 3)
        logs["loss"] = nil
        #expect(logs.keys == ["val_loss"])
    }
}
