import Foundation
import LeptonServe
import Logging
import Testing

@Suite struct JSONLogHandlerTests {
    private func object(_ line: String) throws -> [String: String] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: String])
    }

    @Test func writesTheFourFieldsThenTheMetadataInKeyOrder() throws {
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 1_796_341_501.987), level: .info, label: "lepton.serve",
                                       message: "request", metadata: ["status": "200", "model": "mnist", "hb.request.id": "7"])
        #expect(line.hasPrefix(#"{"time":"2026-12-03T23:45:01.987Z","level":"info","label":"lepton.serve","message":"request","#))
        #expect(line.hasSuffix(#""hb.request.id":"7","model":"mnist","status":"200"}"#))
        #expect(try object(line) == ["time": "2026-12-03T23:45:01.987Z", "level": "info", "label": "lepton.serve", "message": "request",
                                     "status": "200", "model": "mnist", "hb.request.id": "7"])
    }

    @Test func escapesWhatJSONNeedsAndKeepsTheRest() throws {
        let message = "a \"quoted\" back\\slash,\nnew line\ttab\r\u{01}\u{1F} ünïcødé 😀 </script>"
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 0), level: .error, label: "l\"abel",
                                       message: message, metadata: ["k\ney": "v\u{7}"])
        #expect(!line.contains("\n"))
        let fields = try object(line)
        #expect(fields["message"] == message)
        #expect(fields["label"] == "l\"abel")
        #expect(fields["k\ney"] == "v\u{7}")
        #expect(fields["time"] == "1970-01-01T00:00:00.000Z")
    }

    @Test func metadataCannotReplaceTheStandardFields() throws {
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: -0.5), level: .warning, label: "x", message: "m",
                                       metadata: ["time": "forged", "level": "forged", "message": "forged", "label": "forged", "other": "1"])
        #expect(try object(line) == ["time": "1969-12-31T23:59:59.500Z", "level": "warning", "label": "x", "message": "m", "other": "1"])
    }
}
