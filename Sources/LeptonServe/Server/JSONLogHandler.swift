import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error: time, level,
/// label, message, and every metadata key (such as `hb.request.id`, `model`, `status`) in key
/// order.
///
/// ```swift
/// LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
/// ```
///
/// The line is built by hand (no formatter objects, no `JSONSerialization`): a replica logs every
/// request, and Foundation's ISO 8601 formatter and JSON writer took a third of its CPU time.
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// Messages below this level are dropped.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every message of this logger.
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler for a logger label.
    public init(label: String, logLevel: Logger.Level = .info) {
        self.label = label
        self.logLevel = logLevel
    }

    /// One metadata value of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let lock = NSLock()

    /// Writes one JSON line: time, level, label, message and the merged metadata.
    public func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0, uniquingKeysWith: { $1 }) } ?? metadata
        var text = Self.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged)
        text.append("\n")
        Self.lock.lock()
        defer { Self.lock.unlock() }
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { if written < 0, errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    /// The JSON object of one message (without the newline): `time` (UTC, milliseconds),
    /// `level`, `label`, `message`, then the metadata keys in order; a metadata key named like
    /// one of the four is left out.
    public static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":\""
        out += timestamp(time)
        out += "\",\"level\":"
        appendQuoted(level.rawValue, to: &out)
        out += ",\"label\":"
        appendQuoted(label, to: &out)
        out += ",\"message\":"
        appendQuoted(message, to: &out)
        for key in metadata.keys.sorted() where !reserved.contains(key) {
            out += ","
            appendQuoted(key, to: &out)
            out += ":"
            appendQuoted("\(metadata[key]!)", to: &out)
        }
        out += "}"
        return out
    }

    private static let reserved: Set<String> = ["time", "level", "label", "message"]

    /// `2026-12-03T23:45:01.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = date.timeIntervalSince1970 * 1000
        let total = milliseconds.isFinite && abs(milliseconds) < 1e15 ? Int64(milliseconds.rounded()) : 0  // to the nearest
        var whole = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let millis = Int(total - Int64(whole) * 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        var plain = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        for index in scalars.indices {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escape = nil
            }
            guard let escape else { continue }
            out.unicodeScalars.append(contentsOf: scalars[plain..<index])
            out += escape
            plain = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plain...])
        out += "\""
    }
}
