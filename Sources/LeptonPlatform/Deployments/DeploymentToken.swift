import Foundation

/// A deployment's token: 256 random bits shown once as `lepd_<64 hex digits>`, stored only as
/// its SHA-256 hash and compared in constant time (like an API key's secret). It opens that
/// deployment's endpoint and nothing else.
public enum DeploymentToken {
    /// The token's prefix.
    public static let prefix = "lepd_"

    /// A new token and the hash to store.
    static func generate() -> (token: String, hash: String) {
        let secret = KeySecret.randomHex(bytes: 32)
        return (prefix + secret, KeySecret.hash(secret))
    }

    /// Whether `token` is the one whose hash is `hash`.
    public static func matches(_ token: String, hash: String) -> Bool {
        guard token.hasPrefix(prefix), token.count == prefix.count + 64 else { return false }
        return KeySecret.constantTimeEqual(KeySecret.hash(String(token.dropFirst(prefix.count))), hash)
    }
}
