import Foundation

extension DecodingError {
    /// What was wrong, on one line: "'optimizer.iterations' is missing", "'rates.0': Expected to
    /// decode Double but found a string instead." — the path of the bad value, not Foundation's
    /// multi-line dump of the coding path.
    public var oneLineDescription: String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let c): return "'\(([path(c)] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))' is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            let detail = c.debugDescription.split(separator: "\n").first.map(String.init) ?? ""
            return path(c).isEmpty ? detail : "'\(path(c))': \(detail)"
        @unknown default: return "\(self)".split(separator: "\n").first.map(String.init) ?? ""
        }
    }
}
