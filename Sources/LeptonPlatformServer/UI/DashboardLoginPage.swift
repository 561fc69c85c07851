import Foundation

/// `/ui/login`: the sign-in form (an API key), with an error when a key was refused.
public enum DashboardLoginPage {
    /// The page. `next` is where to go after signing in (a dashboard path).
    static func render(error: String? = nil, next: String = "/ui") -> String {
        let content = """
        <form method="post" action="/ui/login" class="card stack login" id="login">
        <h1 style="margin:0">Sign in</h1>
        <p class="muted" style="margin:0">Sign in with an API key (<code>lepton platform init</code> prints the first admin key; \
        admins create more with <code>lepton key create</code>). The key is kept in a cookie for this dashboard only.</p>
        \(DashboardLayout.error(error))
        <label for="key">API key</label>
        <input type="password" id="key" name="key" autocomplete="current-password" placeholder="lep_…" required autofocus>
        <input type="hidden" name="next" value="\(HTML.escape(safeNext(next)))">
        <div><button type="submit" class="primary">Sign in</button></div>
        </form>
        """
        return DashboardLayout.page(title: "Sign in", active: "", principal: nil, csrf: "", heading: false, content: content)
    }

    /// `next` when it is a dashboard path on this server, else `/ui` (no open redirect).
    public static func safeNext(_ next: String?) -> String {
        guard let next, DashboardSession.isDashboard(String(next.prefix { $0 != "?" })), !next.contains("//"), !next.contains("\\"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return "/ui" }
        return next
    }
}
