import Foundation
import LeptonTestSupport

/// Raw HTTP/1.1 over a ``LoopbackConnection``: several requests written at once, as a pipelining
/// client does, and answers read back framed by `Content-Length` — what URLSession, which never
/// pipelines, cannot test.
struct RawHTTPConnection {
    struct Answer {
        let status: Int
        let body: String
    }

    /// Writes `requests` in one piece and reads as many answers, in the order they came.
    static func pipeline(port: Int, _ requests: [String]) throws -> [Answer] {
        let connection = try LoopbackConnection(port: port)
        connection.write(Array(requests.joined().utf8))
        var received: [UInt8] = [], answers: [Answer] = []
        while answers.count < requests.count {
            if let (answer, used) = parse(received) {
                answers.append(answer)
                received.removeFirst(used)
                continue
            }
            let more = connection.read()
            guard !more.isEmpty else { break }
            received += more
        }
        return answers
    }

    /// The first whole answer in `bytes` and how many bytes it took, or nil while incomplete.
    private static func parse(_ bytes: [UInt8]) -> (Answer, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        let total = end + 4 + length
        guard bytes.count >= total else { return nil }
        return (Answer(status: status, body: String(decoding: bytes[(end + 4)..<total], as: UTF8.self)), total)
    }
}
