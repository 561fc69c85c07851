import HTTPTypes
import LeptonPlatformServer
import Testing

/// `HTML.escape`: hostile strings come out as text, in elements and in quoted attributes.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)"),
        ("' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x"),
        ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
        ("</textarea><img src=x>", "&lt;/textarea&gt;&lt;img src=x&gt;"),
        ("a\u{0}b", "a\u{FFFD}b"),
        ("naïve ☃ 数据", "naïve ☃ 数据"),
        ("", ""),
    ])
    func escapes(_ input: String, _ expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    @Test func escapedTextHasNoMarkupLeft() {
        let hostile = "<svg/onload=alert(1)>\"'&<!--]]>`${x}"
        let escaped = HTML.escape(hostile)
        #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"))
        #expect(HTML.escape(42) == "42")
    }

    @Test func responsesForbidFramingCachingAndOtherOrigins() {
        let response = HTML.response("<p>x</p>")
        #expect(response.headers[.contentType] == "text/html; charset=utf-8" && response.headers[.cacheControl] == "no-store")
        let policy = response.headers[.contentSecurityPolicy] ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'") && policy.contains("connect-src 'self'"))
        let redirect = HTML.redirect(to: "/ui/jobs")
        #expect(redirect.status == .seeOther && redirect.headers[.location] == "/ui/jobs")
    }
}

/// `DashboardForm`: URL-encoded form bodies.
@Suite struct DashboardFormTests {
    @Test func decodesPlusPercentAndRepeatedFields() {
        let form = DashboardForm(encoded: "config=a+b%0Ac%3A+1&empty=&flag&x=1&x=2&bad=%zz")
        #expect(form["config"] == "a b\nc: 1" && form["empty"] == "" && form["flag"] == "" && form["x"] == "1" && form["bad"] == "%zz")
        #expect(form.fields.filter { $0.name == "x" }.map(\.value) == ["1", "2"])
        #expect(form.trimmed("empty") == nil && form.trimmed("missing") == nil && form.trimmed("config") == "a b\nc: 1")
    }

    @Test func nextPathsStayOnTheDashboard() {
        #expect(DashboardLoginPage.safeNext("/ui/jobs/job_1?x=1") == "/ui/jobs/job_1?x=1")
        for hostile in ["https://evil.example/ui", "//evil.example", "/ui//evil", "/api/v1/keys", "/ui\\x", "/uix", "/ui/\u{7F}", nil] {
            #expect(DashboardLoginPage.safeNext(hostile) == "/ui", "\(hostile ?? "nil")")
        }
    }
}
