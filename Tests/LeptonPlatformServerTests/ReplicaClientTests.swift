import LeptonPlatformServer
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// A scripted HTTP/1.1 server on a free loopback port: `/echo` answers the request's body,
/// `/close` answers and closes the connection, `/big` answers 4,096 bytes, `/silent` never answers,
/// `/gate/N` answers once N such requests wait (so N requests are in flight at once).
/// It counts the connections it accepted and can close every open one.
private final class ScriptedServer: Sendable {
    let channel: any Channel
    private let opened: NIOLockedValueBox<[any Channel]>
    private let count: NIOLockedValueBox<Int>

    var port: Int { channel.localAddress?.port ?? 0 }
    var acceptedConnections: Int { count.withLockedValue { $0 } }

    init() async throws {
        let opened = NIOLockedValueBox<[any Channel]>([]), count = NIOLockedValueBox(0), gate = Gate()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                count.withLockedValue { $0 += 1 }
                opened.withLockedValue { $0.append(child) }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Script(gate: gate))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.opened = opened
        self.count = count
    }

    /// Closes every accepted connection (as a server's idle timeout would).
    func closeConnections() async {
        for child in opened.withLockedValue({ $0 }) { try? await child.close() }
    }

    func stop() async { try? await channel.close() }

    /// Holds `/gate/N` answers until N wait, then lets them all go.
    private final class Gate: Sendable {
        private let waiting = NIOLockedValueBox<[@Sendable () -> Void]>([])

        func wait(for count: Int, _ answer: @escaping @Sendable () -> Void) {
            let released = waiting.withLockedValue { list -> [@Sendable () -> Void] in
                list.append(answer)
                guard list.count >= count else { return [] }
                defer { list = [] }
                return list
            }
            for answer in released { answer() }
        }
    }

    private final class Script: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private let gate: Gate
        private var uri = ""
        private var body = ByteBuffer()

        init(gate: Gate) { self.gate = gate }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): uri = head.uri; body.clear()
            case .body(var chunk): body.writeBuffer(&chunk)
            case .end:
                let reply: ByteBuffer
                var headers = HTTPHeaders()
                if uri.hasPrefix("/gate/"), let count = Int(uri.dropFirst(6)) {
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    gate.wait(for: count) {
                        bound.eventLoop.execute { let (script, context) = bound.value; script.answer(ByteBuffer(string: "through"), context: context) }
                    }
                    return
                }
                switch uri {
                case "/silent": return
                case "/big": reply = ByteBuffer(repeating: 7, count: 4096)
                case "/close": reply = ByteBuffer(string: "bye"); headers.add(name: "Connection", value: "close")
                default: reply = body
                }
                answer(reply, headers: headers, context: context)
            }
        }

        func answer(_ answer: ByteBuffer, headers: HTTPHeaders = HTTPHeaders(), context: ChannelHandlerContext) {
            var headers = headers
            headers.add(name: "Content-Length", value: "\(answer.readableBytes)")
            headers.add(name: "X-Path", value: uri)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(answer))), promise: nil)
            let closing = uri == "/close"
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if closing { context.close(promise: nil) } }
        }
    }
}

@Suite("Replica client")
struct ReplicaClientTests {
    private func post(_ path: String, _ text: String = "") -> ReplicaClient.Request {
        ReplicaClient.Request(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: path), body: ByteBuffer(string: text))
    }

    @Test("answers come whole; one kept-alive connection carries sequential requests")
    func keepsConnectionsAlive() async throws {
        let server = try await ScriptedServer()
        let client = ReplicaClient(maxAnswerBytes: 1 << 20)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        for index in 0..<5 {
            let answer = try await client.execute(post("/echo", "request \(index)"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
            #expect(answer.head.status == .ok)
            #expect(String(buffer: answer.body) == "request \(index)")
            #expect(answer.head.headers["X-Path"] == ["/echo"])
        }
        #expect(server.acceptedConnections == 1)
        client.closeIdle()
        await server.stop()
    }

    @Test("a connection the server closed while idle is replaced without failing the request")
    func replacesConnectionsClosedWhileIdle() async throws {
        let server = try await ScriptedServer()
        let client = ReplicaClient(maxAnswerBytes: 1 << 20)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        _ = try await client.execute(post("/echo", "one"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        await server.closeConnections()
        let answer = try await client.execute(post("/echo", "two"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        #expect(String(buffer: answer.body) == "two")
        // An answer with `Connection: close` is not kept either.
        let closing = try await client.execute(post("/close"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        #expect(String(buffer: closing.body) == "bye")
        _ = try await client.execute(post("/echo", "three"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        #expect(server.acceptedConnections == 3)
        client.closeIdle()
        await server.stop()
    }

    @Test("at most maxIdlePerKey connections are kept per loop and port; the rest are closed")
    func capsTheIdlePool() async throws {
        let server = try await ScriptedServer()
        let client = ReplicaClient(maxAnswerBytes: 1 << 20)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inFlight = ReplicaClient.maxIdlePerKey + 6
        func wave() async throws {
            let answers = (0..<inFlight).map { _ in
                client.execute(post("/gate/\(inFlight)"), port: server.port, on: loop, deadline: .now() + .seconds(20))
            }
            for answer in answers { #expect(String(buffer: try await answer.get().body) == "through") }
        }
        try await wave()
        #expect(server.acceptedConnections == inFlight)
        // The second wave reuses the kept connections and opens only those that were not kept.
        try await wave()
        #expect(server.acceptedConnections == inFlight + (inFlight - ReplicaClient.maxIdlePerKey))
        client.closeIdle()
        await server.stop()
    }

    @Test("no answer by the deadline, an answer over the limit and a closed port are errors, not hangs")
    func failsClearly() async throws {
        let server = try await ScriptedServer()
        let client = ReplicaClient(maxAnswerBytes: 1_000)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        await #expect(throws: ReplicaClient.Failure.timedOut) {
            _ = try await client.execute(post("/silent"), port: server.port, on: loop, deadline: .now() + .milliseconds(200)).get()
        }
        await #expect(throws: ReplicaClient.Failure.answerTooLarge(limit: 1_000)) {
            _ = try await client.execute(post("/big"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        }
        // The client still works after both.
        let answer = try await client.execute(post("/echo", "fine"), port: server.port, on: loop, deadline: .now() + .seconds(5)).get()
        #expect(String(buffer: answer.body) == "fine")
        let port = server.port
        await server.stop()
        client.closeIdle()
        await #expect(throws: (any Error).self) {
            _ = try await client.execute(post("/echo"), port: port, on: loop, deadline: .now() + .seconds(5)).get()
        }
        #expect(await client.isOK(port: port, path: "/v2/health/ready", on: loop, timeout: .seconds(1)) == false)
    }
}
