import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// Errors of dashboard pages as HTML: a page asked for without a valid key goes to the sign-in
/// form (`303`, with the page to come back to); any other error is a small page with the status
/// and the message. Other paths pass through untouched (their errors stay JSON).
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let session: DashboardSession

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard DashboardSession.isDashboard(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let (status, message) = PlatformErrorMapping.describe(error, request: request)
            if status == .unauthorized && (request.method == .get || request.method == .head) {
                let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                let query = back == "/ui" ? "" : "?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_."))) ?? "")
                // A cookie that no longer signs in (revoked, expired) is dropped.
                var headers = HTTPFields()
                if DashboardSession.cookieToken(request) != nil { headers[.setCookie] = DashboardSession.signOutCookie }
                return HTML.redirect(to: DashboardSession.loginPath + query, headers: headers)
            }
            if status == .unauthorized { return HTML.response(DashboardLoginPage.render(error: message), status: status) }
            let content = """
            <div class="card"><p class="error" role="alert">\(HTML.escape(message))</p>
            <p><a href="/ui">Back to the overview</a></p></div>
            """
            let page = DashboardLayout.page(title: "\(status.code) \(status.reasonPhrase)", active: "", principal: context.identity.principal,
                                            csrf: session.csrfToken(for: request), content: content)
            return HTML.response(page, status: status)
        }
    }
}
