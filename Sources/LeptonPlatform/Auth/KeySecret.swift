import Crypto
import Foundation

/// The secret half of an API key and how it is handled: 256 random bits, shown once as the token
/// `lep_<key id>_<64 hex digits>`, stored only as its SHA-256 hash, compared in constant time.
public enum KeySecret {
    /// The token's prefix.
    public static let prefix = "lep_"

    /// A new key id (64 random bits, hex) and secret (256 random bits, hex).
    static func generate() -> (id: String, secret: String) {
        (randomHex(bytes: 8), randomHex(bytes: 32))
    }

    /// The token a user keeps: `lep_<id>_<secret>`.
    static func token(id: String, secret: String) -> String { "\(prefix)\(id)_\(secret)" }

    /// Splits a token into its key id and secret.
    /// - Throws: ``PlatformError`` (`unauthenticated`) describing the expected shape.
    static func parse(_ token: String) throws -> (id: String, secret: String) {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard token.hasPrefix(prefix), parts.count == 3, parts[1].count == 16, parts[2].count == 64,
              (parts[1] + parts[2]).allSatisfy(\.isHexDigit) else {
            throw PlatformError(.unauthenticated, "malformed API key; expected lep_<16 hex digits>_<64 hex digits> as issued by `lepton platform init` or `lepton key create`")
        }
        return (String(parts[1]), String(parts[2]))
    }

    /// The stored form of a secret: SHA-256, hex.
    public static func hash(_ secret: String) -> String { hex(SHA256.hash(data: Data(secret.utf8))) }

    /// Whether two equal-length strings are equal, in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// `bytes` random bytes from the system's secure generator, as hex.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Lower-case hex of a byte sequence.
    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
