import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// How the dashboard signs a browser in: the API key in an `HttpOnly`, `SameSite=Strict` cookie
/// scoped to `/ui` (the auth middleware accepts it there only), and a per-session token in
/// every form, derived from the key with a secret of this server process, so that a form
/// POSTed from another site is refused even by a browser that sent the cookie.
public struct DashboardSession: Sendable {
    /// The cookie holding the key.
    static let cookieName = "lepton_ui"
    /// The form field holding the per-session token.
    static let csrfField = "csrf"
    /// The sign-in page (open: no key needed).
    public static let loginPath = "/ui/login"

    /// The secret (256 random bits) the per-session tokens are derived with.
    private let secret: Data

    /// A session manager with a fresh secret (forms of an earlier process must be reloaded).
    init() { secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) } }

    /// Whether `path` belongs to the dashboard (`/ui` and below).
    static func isDashboard(_ path: String) -> Bool { path == "/ui" || path.hasPrefix("/ui/") }

    /// Whether `path` needs no key (the sign-in page).
    static func isOpen(_ path: String) -> Bool { path == loginPath }

    /// The key in the request's dashboard cookie, if any.
    static func cookieToken(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName, !parts[1].isEmpty { return String(parts[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` storing `token` for `/ui` (HttpOnly, SameSite=Strict, for the browser session).
    static func signInCookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/ui; HttpOnly; SameSite=Strict"
    }

    /// `Set-Cookie` removing the dashboard cookie.
    static let signOutCookie = "\(cookieName)=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0"

    /// The per-session token of the session signed in with `token` (empty without a cookie:
    /// a caller with an `Authorization` header needs none).
    func csrfToken(for request: Request) -> String {
        guard let token = Self.cookieToken(request) else { return "" }
        let code = HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: SymmetricKey(data: secret))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Refuses a form POST that may come from another site: one whose `Origin` names another
    /// host, or one signed in by cookie that does not carry the session's token.
    /// - Throws: ``PlatformError`` (`forbidden`).
    func check(_ form: DashboardForm, of request: Request) throws {
        try Self.checkOrigin(of: request)
        guard request.headers[.authorization] == nil else { return }
        let expected = csrfToken(for: request)
        guard !expected.isEmpty, let given = form[Self.csrfField], given.utf8.count == expected.utf8.count,
              zip(given.utf8, expected.utf8).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw PlatformError(.forbidden, "the form's session token is missing or stale; reload the page and try again")
        }
    }

    /// Refuses a request whose `Origin` header (browsers send one with every POST) names
    /// another site than this server.
    /// - Throws: ``PlatformError`` (`forbidden`).
    static func checkOrigin(of request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let url = origin == "null" ? nil : URL(string: origin)
        let host = url.flatMap { url in url.host.map { $0 + (url.port.map { ":\($0)" } ?? "") } }
        guard let host, host == request.head.authority else {
            throw PlatformError(.forbidden, "cross-site form refused: Origin \(origin) is not this server")
        }
    }
}
