import Foundation
import LeptonFiles

/// Writes each epoch's logs as a CSV row (`keras.callbacks.CSVLogger`).
///
/// The file is never a device, a FIFO or a link target: with `append` rows go after what is
/// there; without it an existing file is started again only when it is an earlier CSV log (its
/// first line starts with `epoch`), and anything else stops training with an error naming the file.
public final class CSVLogger: Callback {
    public let url: URL
    public let append: Bool
    private var keys: [String]?
    private var file: LogFile?

    public init(url: URL, append: Bool = false) {
        self.url = url
        self.append = append
    }

    public func trainBegin(_ context: TrainingContext) throws {
        keys = nil
        file?.close()
        file = nil
        guard context.isChief else { return }   // one log per data-parallel run, on rank 0
        let opened = try LogFile(url: url, mode: append ? .append : .replaceLog(header: "epoch"))
        keys = opened.existingHeader.map { $0.split(separator: ",").dropFirst().map(String.init) }
        file = opened
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) throws {
        guard let file else { return }
        if keys == nil {
            keys = logs.keys
            try file.write(line: (["epoch"] + logs.keys).joined(separator: ","))
        }
        let values = (keys ?? []).map { logs[$0].map { "\($0)" } ?? "" }
        try file.write(line: ([String(epoch)] + values).joined(separator: ","))
    }

    public func trainEnd(_ context: TrainingContext) {
        file?.close()
        file = nil
    }
}
