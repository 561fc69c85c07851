import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The platform's HTTP/1.1 client for its replicas (`lepton serve` on 127.0.0.1): the router's
/// proxied requests and the supervisor's health probes.
///
/// It does one thing, so it is lean: a request is written on a kept-alive connection of the
/// event loop it is asked on (the loop of the caller's connection, for the router) and its answer
/// gathered whole there, with no hop to another thread, no per-request task and no redirect,
/// cookie or decompression machinery. Idle connections are kept per event loop and port; one
/// that the replica closed while idle is noticed when a request on it fails before any byte of
/// an answer, and that request is sent once more on a new connection.
public final class ReplicaClient: Sendable {
    /// A request: its head (the client adds `Host` and `Content-Length`) and whole body.
    public struct Request: Sendable {
        /// Method, path with query, and headers.
        public var head: HTTPRequestHead
        /// The body (empty for none).
        public var body: ByteBuffer

        /// A request of `head` and `body`.
        public init(head: HTTPRequestHead, body: ByteBuffer = ByteBuffer()) {
            self.head = head
            self.body = body
        }
    }

    /// A whole answer.
    public struct Answer: Sendable {
        /// Status, version and headers.
        public let head: HTTPResponseHead
        /// The whole body.
        public let body: ByteBuffer
    }

    /// Why a request got no answer.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The connection closed before the answer ended; `answerStarted` when part of it came.
        case connectionClosed(answerStarted: Bool)
        /// No answer by the deadline.
        case timedOut
        /// The answer's body passed the limit.
        case answerTooLarge(limit: Int)

        public var description: String {
            switch self {
            case .connectionClosed(let started): started ? "the replica closed the connection during its answer" : "the replica closed the connection"
            case .timedOut: "the replica did not answer in time"
            case .answerTooLarge(let limit): "the replica's answer is larger than \(limit) bytes"
            }
        }
    }

    private struct PoolKey: Hashable {
        let loop: ObjectIdentifier
        let port: Int
    }

    private struct Connection: Sendable {
        let channel: any Channel
        let exchange: NIOLoopBound<Exchange>
    }

    /// Most idle connections kept per event loop and replica port.
    public static let maxIdlePerKey = 64
    /// Longest wait for a connection to open.
    public static let connectTimeout = TimeAmount.seconds(2)

    private let maxAnswerBytes: Int
    private let idle = NIOLockedValueBox<[PoolKey: [Connection]]>([:])

    /// - Parameter maxAnswerBytes: the largest answer body accepted.
    public init(maxAnswerBytes: Int) {
        self.maxAnswerBytes = maxAnswerBytes
    }

    /// Sends `request` to `127.0.0.1:port` over a connection of `eventLoop` and gathers the answer.
    public func execute(_ request: Request, port: Int, on eventLoop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<Answer> {
        guard eventLoop.inEventLoop else {
            return eventLoop.flatSubmit { self.execute(request, port: port, on: eventLoop, deadline: deadline) }
        }
        var request = request
        request.head.headers.replaceOrAdd(name: "Host", value: "127.0.0.1:\(port)")
        request.head.headers.replaceOrAdd(name: "Content-Length", value: "\(request.body.readableBytes)")
        let key = PoolKey(loop: ObjectIdentifier(eventLoop), port: port)
        if let kept = takeIdle(key) {
            return exchange(request, on: kept, key: key, deadline: deadline).flatMapError { error in
                // A kept connection the replica had closed: once more, on a new one.
                guard case Failure.connectionClosed(answerStarted: false) = error, NIODeadline.now() < deadline else {
                    return eventLoop.makeFailedFuture(error)
                }
                return self.connect(port: port, on: eventLoop).flatMap { self.exchange(request, on: $0, key: key, deadline: deadline) }
            }
        }
        return connect(port: port, on: eventLoop).flatMap { self.exchange(request, on: $0, key: key, deadline: deadline) }
    }

    /// Sends `GET path` and reports whether the answer was 200 within `timeout`.
    public func isOK(port: Int, path: String, on eventLoop: any EventLoop, timeout: TimeAmount) async -> Bool {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        let answer = try? await execute(Request(head: head, body: ByteBuffer()), port: port, on: eventLoop, deadline: .now() + timeout).get()
        return answer?.head.status == .ok
    }

    /// Closes the idle connections; later requests open new ones.
    public func closeIdle() {
        let all = idle.withLockedValue { table in
            defer { table = [:] }
            return table.values.flatMap { $0 }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }

    private func connect(port: Int, on eventLoop: any EventLoop) -> EventLoopFuture<Connection> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Exchange())
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .flatMapThrowing { channel in
                let key = PoolKey(loop: ObjectIdentifier(eventLoop), port: port), id = ObjectIdentifier(channel)
                // A connection the replica closes while idle leaves the table.
                channel.closeFuture.whenComplete { _ in self.idle.withLockedValue { $0[key]?.removeAll { ObjectIdentifier($0.channel) == id } } }
                return Connection(channel: channel, exchange: NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Exchange.self), eventLoop: channel.eventLoop))
            }
    }

    private func exchange(_ request: Request, on connection: Connection, key: PoolKey, deadline: NIODeadline) -> EventLoopFuture<Answer> {
        let channel = connection.channel, loop = channel.eventLoop
        let promise = loop.makePromise(of: Answer.self)
        let exchange = connection.exchange.value
        exchange.begin(promise, maxAnswerBytes: maxAnswerBytes)
        let timer = loop.scheduleTask(deadline: deadline) {
            connection.exchange.value.fail(Failure.timedOut)
            channel.close(promise: nil)
        }
        channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
        if request.body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(request.body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
            connection.exchange.value.fail(error)
            channel.close(promise: nil)
        }
        return promise.futureResult.always { result in
            timer.cancel()
            if case .success = result, connection.exchange.value.reusable, channel.isActive {
                self.keepIdle(connection, key: key)
            } else {
                channel.close(promise: nil)
            }
        }
    }

    private func takeIdle(_ key: PoolKey) -> Connection? {
        idle.withLockedValue { table in
            while let connection = table[key]?.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
    }

    private func keepIdle(_ connection: Connection, key: PoolKey) {
        let kept = idle.withLockedValue { table in
            guard table[key, default: []].count < Self.maxIdlePerKey else { return false }
            table[key, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }
}

/// The connection's one request at a time: the answer's head and body gathered, then handed over.
private final class Exchange: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<ReplicaClient.Answer>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var maxAnswerBytes = 0
    /// Whether the connection may carry another request after this answer.
    private(set) var reusable = true

    func begin(_ promise: EventLoopPromise<ReplicaClient.Answer>, maxAnswerBytes: Int) {
        self.promise = promise
        self.maxAnswerBytes = maxAnswerBytes
        head = nil
        body = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let answerHead):
            head = answerHead
            reusable = answerHead.isKeepAlive
        case .body(var chunk):
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= maxAnswerBytes else {
                fail(ReplicaClient.Failure.answerTooLarge(limit: maxAnswerBytes))
                context.close(promise: nil)
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let promise, let head else { return }
            self.promise = nil
            promise.succeed(ReplicaClient.Answer(head: head, body: body ?? ByteBuffer()))
            self.head = nil
            body = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reusable = false
        fail(ReplicaClient.Failure.connectionClosed(answerStarted: head != nil))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reusable = false
        fail(error)
        context.close(promise: nil)
    }

    /// Fails the request in flight, if any.
    func fail(_ error: any Error) {
        reusable = false
        guard let promise else { return }
        self.promise = nil
        promise.fail(error)
    }
}
