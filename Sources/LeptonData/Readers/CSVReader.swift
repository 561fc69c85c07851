import Foundation
import LeptonFiles
import LeptonTensor

/// A CSV table with a header line and typed columns (RFC 4180 quoting).
///
/// Every column is numeric unless a value fails to parse, in which case it is text. Empty
/// cells and the markers `NA`, `NaN`, `N/A` and `null` (any case) are missing values:
/// ``floatColumns(_:)`` refuses them with the line numbers, so a gap is never silently read as
/// 0 or NaN.
public struct CSVTable {
    /// Column names from the header.
    public let columns: [String]
    /// The cells, row by row (strings, unparsed).
    public let rows: [[String]]
    /// The 1-based line of the file each row starts on (blank lines and line breaks inside
    /// quoted cells make it differ from the row index).
    public let lineNumbers: [Int]
    /// The file the table came from (for messages).
    public let source: String

    /// Reads a CSV file.
    /// - Throws: ``DataError`` for a missing file, an empty file, or a row whose number of
    ///   cells differs from the header's (naming the line).
    public init(url: URL, separator: Character = ",") throws {
        guard let text = FileContents.text(url) else {
            throw DataError("cannot read the file as UTF-8 text (missing or not text)", source: url.path)
        }
        try self.init(text: text, separator: separator, source: url.path)
    }

    /// Parses CSV text.
    public init(text: String, separator: Character = ",", source: String = "<text>") throws {
        self.source = source
        var records = try Self.parse(text, separator: separator, source: source)
        guard !records.isEmpty else { throw DataError("file is empty (expected a header line)", source: source) }
        let header = records.removeFirst().cells
        columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        for record in records where record.cells.count != columns.count {
            throw DataError("line \(record.line) has \(record.cells.count) cells, the header has \(columns.count)", source: source)
        }
        rows = records.map(\.cells)
        lineNumbers = records.map(\.line)
    }

    /// Whether a (trimmed) cell is a missing value.
    static func isMissing(_ cell: String) -> Bool {
        cell.isEmpty || ["na", "nan", "n/a", "null"].contains(cell.lowercased())
    }

    /// The named columns as a float32 `[rows, columns]` tensor.
    /// - Throws: ``DataError`` for an unknown column, or listing the lines with missing or
    ///   non-numeric values.
    public func floatColumns(_ names: [String]) throws -> Tensor {
        let indices = try names.map { name -> Int in
            guard let i = columns.firstIndex(of: name) else {
                throw DataError("no column '\(name)'; columns are \(columns.joined(separator: ", "))", source: source)
            }
            return i
        }
        var values: [Float] = []
        values.reserveCapacity(rows.count * names.count)
        var missing: [String] = [], invalid: [String] = []
        for (r, row) in rows.enumerated() {
            for (k, i) in indices.enumerated() {
                let cell = row[i].trimmingCharacters(in: .whitespaces)
                if Self.isMissing(cell) {
                    missing.append("line \(lineNumbers[r]) column '\(names[k])'")
                    values.append(.nan)
                } else if let v = Float(cell) {
                    values.append(v)
                } else {
                    invalid.append("line \(lineNumbers[r]) column '\(names[k])' ('\(cell)')")
                    values.append(.nan)
                }
            }
        }
        if !missing.isEmpty || !invalid.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing values at " + missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? " and \(missing.count - 10) more" : "")) }
            if !invalid.isEmpty { parts.append("non-numeric values at " + invalid.prefix(10).joined(separator: ", ") + (invalid.count > 10 ? " and \(invalid.count - 10) more" : "")) }
            throw DataError(parts.joined(separator: "; "), source: source)
        }
        return Tensor(values, shape: [rows.count, names.count])
    }

    /// A text column.
    public func stringColumn(_ name: String) throws -> [String] {
        guard let i = columns.firstIndex(of: name) else {
            throw DataError("no column '\(name)'; columns are \(columns.joined(separator: ", "))", source: source)
        }
        return rows.map { $0[i] }
    }

    /// Whether every cell of a column that is not missing parses as a number.
    public func isNumeric(_ name: String) -> Bool {
        guard let i = columns.firstIndex(of: name) else { return false }
        return rows.allSatisfy {
            let cell = $0[i].trimmingCharacters(in: .whitespaces)
            return Self.isMissing(cell) || Float(cell) != nil
        }
    }

    static func parse(_ text: String, separator: Character, source: String) throws -> [(line: Int, cells: [String])] {
        var records: [(Int, [String])] = []
        var cells: [String] = [], cell = "", inQuotes = false, line = 1, recordLine = 1, afterQuote = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        func nextChar() -> Character? { if let p = pending { pending = nil; return p }; return chars.next() }
        while let ch = nextChar() {
            if inQuotes {
                if ch == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { cell.append("\"") } else { inQuotes = false; afterQuote = true; pending = n }
                    } else { inQuotes = false }
                } else {
                    if ch == "\n" || ch == "\r\n" || ch == "\r" { line += 1 }
                    cell.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where cell.isEmpty && !afterQuote: inQuotes = true
            case separator: cells.append(cell); cell = ""; afterQuote = false
            case "\r\n", "\n", "\r":
                cells.append(cell)
                if !(cells.count == 1 && cells[0].isEmpty) { records.append((recordLine, cells)) }
                cells = []; cell = ""; afterQuote = false
                line += 1
                recordLine = line
            default: cell.append(ch)
            }
        }
        if inQuotes { throw DataError("line \(recordLine): a quoted cell is not closed", source: source) }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(cell)
            records.append((recordLine, cells))
        }
        return records
    }
}
