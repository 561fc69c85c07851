import Foundation

/// How much `fit` prints: nothing, Keras's progress bar (one line per epoch when output is not
/// a terminal), or one line per epoch always. `auto` is the bar.
public enum Verbosity: Int, Sendable {
    case silent = 0, progressBar = 1, oneLinePerEpoch = 2
    public static let auto = Verbosity.progressBar
}

/// Prints Keras-style progress:
///
/// ```
/// Epoch 1/10
/// 469/469 [==============================] - 9s 19ms/step - loss: 0.2134 - accuracy: 0.9361 - val_loss: 0.0712 - val_accuracy: 0.9780
/// ```
///
/// On a terminal the bar updates in place; otherwise (logs, CI) only the finished line of each
/// epoch is written.
public final class ProgressBar: Callback {
    public let verbosity: Verbosity
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var epochStart = Date()
    private var lastDraw = Date.distantPast

    /// - Parameters:
    ///   - isTerminal: whether to redraw in place (default: standard output is a terminal).
    ///   - write: where text goes (default: standard output, flushed).
    public init(verbosity: Verbosity = .progressBar, isTerminal: Bool = isatty(STDOUT_FILENO) == 1,
                write: @escaping (String) -> Void = { text in
                    FileHandle.standardOutput.write(Data(text.utf8))
                }) {
        self.verbosity = verbosity
        self.isTerminal = isTerminal
        self.write = write
    }

    public func epochBegin(_ epoch: Int, _ context: TrainingContext) {
        epochStart = Date()
        lastDraw = .distantPast
        if verbosity != .silent { write("Epoch \(epoch + 1)/\(context.epochs)\n") }
    }

    public func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) {
        guard verbosity == .progressBar, isTerminal else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.05 || batch + 1 == context.stepsPerEpoch else { return }
        lastDraw = now
        write("\r" + line(step: batch + 1, total: context.stepsPerEpoch, logs: logs, final: false) + "\u{1B}[K")
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {
        guard verbosity != .silent else { return }
        let text = line(step: context.stepsPerEpoch, total: context.stepsPerEpoch, logs: logs, final: true)
        write((isTerminal && verbosity == .progressBar ? "\r" : "") + text + (isTerminal ? "\u{1B}[K" : "") + "\n")
    }

    /// One progress line.
    func line(step: Int, total: Int, logs: Logs, final: Bool) -> String {
        let width = String(total).count
        let counter = String(repeating: " ", count: width - String(step).count) + "\(step)/\(total)"
        let elapsed = Date().timeIntervalSince(epochStart)
        let filled = total == 0 ? 30 : 30 * step / total
        let bar = step == total ? String(repeating: "=", count: 30)
            : String(repeating: "=", count: max(filled - 1, 0)) + ">" + String(repeating: ".", count: 30 - max(filled, 1))
        let perStep = elapsed / Double(max(step, 1))
        let timing: String
        if final {
            timing = "\(Int(elapsed.rounded()))s \(Self.duration(perStep))/step"
        } else {
            timing = "ETA: \(Int((perStep * Double(total - step)).rounded()))s"
        }
        let values = logs.entries.isEmpty ? "" : " - " + logs.description
        return "\(counter) [\(bar)] - \(timing)\(values)"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds >= 1 { return "\(Int(seconds.rounded()))s" }
        if seconds >= 1e-3 { return "\(Int((seconds * 1e3).rounded()))ms" }
        return "\(Int((seconds * 1e6).rounded()))us"
    }
}
