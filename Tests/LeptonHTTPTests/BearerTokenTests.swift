import HTTPTypes
import LeptonHTTP
import Testing

@Suite struct BearerTokenTests {
    private func read(_ value: String?) -> BearerToken {
        var headers = HTTPFields()
        if let value { headers[.authorization] = value }
        return BearerToken(headers)
    }

    @Test func readsTheTokenOfABearerHeaderInAnyCase() {
        #expect(read("Bearer abc") == .token("abc"))
        #expect(read("bearer  abc ") == .token("abc"))
        #expect(read("BEARER x.y-z") == .token("x.y-z"))
    }

    @Test func tellsAMissingHeaderFromAMalformedOne() {
        #expect(read(nil) == .missing)
        for hostile in ["", " ", "Bearer", "Bearer ", "Bearer    ", "Basic abc", "abc", "Token abc def"] {
            #expect(read(hostile) == .malformed, "header \(hostile.debugDescription)")
        }
    }
}
