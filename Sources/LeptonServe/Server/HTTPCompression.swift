import Foundation
import LeptonData

/// Compressed inference bodies, as `tritonclient` sends and accepts them
/// (`request_compression_algorithm` / `response_compression_algorithm`): `gzip` and `deflate`
/// (zlib) request bodies are inflated — never past the server's inflation limit
/// (`--max-inflated-bytes`, checked after every MiB of output), so a small hostile stream cannot
/// inflate without bound — and a response is compressed when `Accept-Encoding`
/// asks for one of them.
public enum HTTPCompression {
    /// The request body, inflated according to `Content-Encoding`.
    /// - Throws: ``ServeError`` 415 for another encoding, 400 for a corrupt stream, 413 when it
    ///   inflates past `limit` bytes.
    public static func decodeBody(_ body: [UInt8], contentEncoding: String?, limit: Int) throws -> [UInt8] {
        let encoding = contentEncoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        let format: Gzip.Format
        switch encoding {
        case "identity", "": return body
        case "gzip", "x-gzip": format = .gzip
        case "deflate": format = .zlib
        default:
            throw ServeError(status: 415, "Content-Encoding \(contentEncoding ?? "") is not supported (send gzip, deflate or an uncompressed body)")
        }
        do {
            return [UInt8](try Gzip.decompress(Data(body), format: format, maximumSize: limit))
        } catch let error as DataError where error.message.contains("exceeds") {
            throw ServeError.tooLarge("request body inflates past the limit of \(limit) bytes (Content-Encoding \(encoding); --max-inflated-bytes)")
        } catch let error as DataError {
            throw ServeError.badRequest("request body is not valid \(encoding) data: \(error.message)")
        }
    }

    /// The encoding to answer in: gzip or deflate when `Accept-Encoding` lists it (and does not
    /// give it `q=0`), gzip first; nil for an uncompressed answer.
    static func responseFormat(acceptEncoding: String?) -> Gzip.Format? {
        guard let acceptEncoding else { return nil }
        var accepted: Set<String> = []
        for part in acceptEncoding.lowercased().split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if let name = fields.first, q > 0 { accepted.insert(name) }
        }
        if accepted.contains("gzip") || accepted.contains("x-gzip") { return .gzip }
        if accepted.contains("deflate") { return .zlib }
        return nil
    }

    /// The `Content-Encoding` value of a format.
    static func name(of format: Gzip.Format) -> String { format == .gzip ? "gzip" : "deflate" }
}
