import Foundation

/// Histories from the JSON lines `lepton train --metrics-file FILE` appends: one object per
/// epoch (`{"epoch":1,"loss":…,"val_loss":…,"seconds":…,"elapsed":…}`) and running-loss lines
/// with a `batch` key, which are left out.
extension TrainingHistory {
    /// Keys of a metrics line that are not metrics.
    static let jsonBookkeeping: Set<String> = ["epoch", "batch", "batches", "seconds", "elapsed"]

    /// The history in the JSON lines `text`: its epoch lines, metrics in order of first
    /// appearance with `loss` first; a `null` value (a NaN metric) is missing.
    /// - Parameter source: names the text in errors (a file path).
    /// - Throws: ``PlotError`` naming `source` and the line: a line that is not a JSON object, an
    ///   epoch line without a numeric `epoch`, a value that is not a number, no epoch lines.
    public init(jsonLines text: String, source: String) throws {
        var epochs: [Double] = [], columns: [String] = []
        var rows: [[String: Double]] = []
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw PlotError("\(source) line \(number): not a JSON object; expected metrics lines as lepton train --metrics-file writes")
            }
            guard object["batch"] == nil else { continue }
            guard let epoch = (object["epoch"] as? NSNumber)?.doubleValue, epoch.isFinite else {
                throw PlotError("\(source) line \(number): no numeric \"epoch\"; expected {\"epoch\": 1, \"loss\": …}")
            }
            var row: [String: Double] = [:]
            for (key, value) in object.sorted(by: { $0.key < $1.key }) where !Self.jsonBookkeeping.contains(key) {
                if value is NSNull { continue }
                guard let numeric = value as? NSNumber else {
                    throw PlotError("\(source) line \(number), key \(key): \(value) is not a number")
                }
                row[key] = numeric.doubleValue
                if !columns.contains(key) { columns.append(key) }
            }
            epochs.append(epoch)
            rows.append(row)
        }
        guard !epochs.isEmpty else { throw PlotError("\(source): no epoch lines; expected one JSON object per epoch") }
        columns = columns.filter { $0 == "loss" } + columns.filter { $0 != "loss" }
        let values = Dictionary(uniqueKeysWithValues: columns.map { key in
            (key, rows.map { row in row[key].flatMap { $0.isFinite ? $0 : nil } })
        })
        self.init(epochs: epochs, columns: columns, values: values)
    }
}
