import Foundation
import LeptonFiles

/// The per-epoch logs of a training run, as ``LeptonTrain``'s `CSVLogger` writes them
/// (`epoch,loss,accuracy,val_loss,val_accuracy,…`, one row per epoch).
public struct TrainingHistory: Equatable, Sendable {
    /// The epochs, one per row.
    public var epochs: [Double]
    /// The logged columns other than `epoch`, in file order.
    public var columns: [String]
    /// Each column's values by row; nil where the row left it empty or it is not finite.
    public var values: [String: [Double?]]

    /// A history of `epochs` and per-column `values` (each as long as `epochs`).
    public init(epochs: [Double], columns: [String], values: [String: [Double?]]) {
        (self.epochs, self.columns, self.values) = (epochs, columns, values)
    }

    /// The history in the CSV text `csv`.
    /// - Parameter source: names the text in errors (a file path).
    /// - Throws: ``PlotError`` naming `source` and the line: no header, no `epoch` column, a row
    ///   with another number of fields than the header, a value that is not a number, no rows.
    public init(csv: String, source: String) throws {
        let lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated().map { ($0.offset + 1, $0.element.trimmingCharacters(in: .whitespaces)) }.filter { !$0.1.isEmpty }
        guard let (_, headerLine) = lines.first else { throw PlotError("\(source): empty; expected a CSV log with a header line epoch,loss,…") }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let epochColumn = header.firstIndex(of: "epoch") else {
            throw PlotError("\(source) line \(lines[0].0): no \"epoch\" column in the header \"\(headerLine)\"; expected a CSV log as CSVLogger writes (epoch,loss,…)")
        }
        if let repeated = header.first(where: { name in header.filter { $0 == name }.count > 1 }) {
            throw PlotError("\(source) line \(lines[0].0): column \"\(repeated)\" appears twice in the header")
        }
        if let blank = header.firstIndex(of: "") { throw PlotError("\(source) line \(lines[0].0): column \(blank + 1) of the header has no name") }
        var epochs: [Double] = []
        var values = [String: [Double?]](uniqueKeysWithValues: header.map { ($0, []) })
        for (number, line) in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == header.count else {
                throw PlotError("\(source) line \(number): \(fields.count) fields, expected \(header.count) as in the header (\(headerLine))")
            }
            for (name, field) in zip(header, fields) {
                guard !field.isEmpty || name == "epoch" else { values[name]?.append(nil); continue }
                guard let value = Double(field) else {
                    throw PlotError("\(source) line \(number), column \(name): \"\(field)\" is not a number")
                }
                values[name]?.append(value.isFinite ? value : nil)
            }
            guard let epoch = Double(fields[epochColumn]), epoch.isFinite else {
                throw PlotError("\(source) line \(number), column epoch: \"\(fields[epochColumn])\" is not a finite number")
            }
            epochs.append(epoch)
        }
        guard !epochs.isEmpty else { throw PlotError("\(source): a header but no rows; expected one row per epoch") }
        values["epoch"] = nil
        self.init(epochs: epochs, columns: header.filter { $0 != "epoch" }, values: values)
    }

    /// The largest log file read (64 MiB: millions of epochs).
    public static let maximumBytes = 1 << 26

    /// The history in the file at `url`: a CSV log, or JSON lines from `lepton train --metrics-file`
    /// when its first character is `{`.
    /// - Throws: ``PlotError`` when the file cannot be read or is neither (see ``init(csv:source:)``
    ///   and ``init(jsonLines:source:)``).
    public static func load(_ url: URL) throws -> TrainingHistory {
        let resolved = url.resolvingSymlinksInPath()
        switch FileKind(atPath: resolved.path) {
        case .missing: throw PlotError("\(url.relativePath): no such file; expected a CSV log")
        case .regularFile: break
        case .directory: throw PlotError("\(url.relativePath): a folder; expected a CSV log file")
        default: throw PlotError("\(url.relativePath): not a regular file (a device, FIFO or socket); expected a CSV log file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: resolved.path)[.size] as? Int) ?? 0
        guard size <= maximumBytes else {
            throw PlotError("\(url.relativePath): \(size) bytes; expected a CSV log of at most \(maximumBytes) bytes")
        }
        let data: Data
        do { data = try Data(contentsOf: resolved) } catch {
            throw PlotError("\(url.relativePath): cannot be read (\(error.localizedDescription)); expected a CSV log")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw PlotError("\(url.relativePath): not UTF-8 text; expected a CSV log") }
        let isJSON = text.first { !$0.isWhitespace } == "{"
        return isJSON ? try TrainingHistory(jsonLines: text, source: url.relativePath) : try TrainingHistory(csv: text, source: url.relativePath)
    }

    /// The metrics to plot, in column order: every column without the `val_` prefix, then any
    /// validation column whose training column is missing (e.g. only `val_auc`).
    public var metrics: [String] {
        let train = columns.filter { !$0.hasPrefix("val_") }
        let orphans = columns.filter { $0.hasPrefix("val_") && !columns.contains(String($0.dropFirst(4))) }.map { String($0.dropFirst(4)) }
        return train + orphans
    }

    /// The (epoch, value) points of `column` where it has a value.
    public func points(_ column: String) -> (x: [Double], y: [Double]) {
        let pairs = zip(epochs, values[column] ?? []).compactMap { epoch, value in value.map { (epoch, $0) } }
        return (pairs.map(\.0), pairs.map(\.1))
    }
}
