import Foundation
import LeptonTestSupport
import NIOCore
import Testing

/// The platform server closes connections left idle for its `idleTimeout` (kept by the data
/// plane's handler in front of Hummingbird, which answers both the API and inference).
@Suite("Connection idle timeout")
struct ConnectionIdleTimeoutTests {
    @Test("a connection that sends nothing, and one idle after an answer, are closed after the timeout")
    func closesIdleConnections() async throws {
        let server = try await PlatformTestServer.start("idle", idleTimeout: .milliseconds(300))

        // Sends nothing: closed after the timeout, not at LoopbackConnection's 20 s read timeout.
        let silent = try LoopbackConnection(port: server.port)
        var start = Date()
        #expect(silent.read().isEmpty)
        #expect(Date().timeIntervalSince(start) < 5, "closed after \(Date().timeIntervalSince(start)) s")

        // One request answered, then idle: the answer arrives, then the connection is closed.
        let answered = try LoopbackConnection(port: server.port)
        answered.write(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        start = Date()
        var received: [UInt8] = []
        while true {
            let more = answered.read()
            if more.isEmpty { break }
            received += more
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200") && text.contains("\"status\":\"ok\""), "\(text)")
        #expect(Date().timeIntervalSince(start) < 5, "closed after \(Date().timeIntervalSince(start)) s")
        await server.stop()
    }
}
