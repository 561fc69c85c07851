import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import NIOCore

/// The fields of an `application/x-www-form-urlencoded` form POSTed by the dashboard.
public struct DashboardForm: Sendable {
    /// The fields in order (a name may repeat).
    public let fields: [(name: String, value: String)]

    /// Largest form body.
    static let maxBodyBytes = 1 << 20

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The value of `name`, trimmed, or nil when absent or blank.
    public func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Parses `a=1&b=x+y&c=%3C` (`+` is a space; malformed escapes are kept as written).
    public init(encoded text: String) {
        fields = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Reads a request's form body (at most ``maxBodyBytes``).
    /// - Throws: ``PlatformError`` (`tooLarge`, or `badRequest` for another content type).
    static func read(_ request: Request) async throws -> DashboardForm {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw PlatformError(.badRequest, "expected a form (application/x-www-form-urlencoded), got \(type)")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
            throw PlatformError(.tooLarge, "a form may have at most \(maxBodyBytes) bytes")
        }
        return DashboardForm(encoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }
}
