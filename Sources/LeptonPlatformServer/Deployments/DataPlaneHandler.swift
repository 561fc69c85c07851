import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The data plane's fast path, a handler in each connection's pipeline in front of Hummingbird:
/// a `/deployments/<name>/v2/…` request for a known deployment, with its token (or public), is
/// gathered and sent to a ready replica right here on the connection's event loop, and the
/// replica's answer written back — no task, no async channel, no hop.
///
/// Everything else passes through untouched to Hummingbird and the ``DeploymentRouter``: the API,
/// unknown deployments, refused tokens (their error answers), requests that find no ready replica
/// (held through a cold start there) and requests whose replica failed (tried again there, on
/// another replica). Answers leave in the order requests came (HTTP/1.1 pipelining): the fast
/// path is taken only while Hummingbird owes no answer, and while a fast request waits for its
/// replica, later parts wait too (reading from the socket pauses). The handler also keeps the
/// connection's idle timeout, since Hummingbird's own does not see the requests answered here.
final class DataPlaneHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// A request Hummingbird answers; its parts pass through.
        case passing
        /// A fast-path request being gathered.
        case gathering(head: HTTPRequest, pool: ReplicaPool, downstream: String, body: ByteBuffer)
        /// A fast-path request waiting for its replica.
        case forwarding
    }

    private let router: DeploymentRouter
    private let idleTimeout: TimeAmount
    private var state = State.idle
    private var idleTimer: Scheduled<Void>?
    /// Requests passed to Hummingbird whose answers have not been written yet.
    private var owed = 0
    /// Parts that arrived while a fast request was waiting for its replica.
    private var pending: [HTTPRequestPart] = []
    /// Whether a read was asked for while a fast request was waiting.
    private var readDeferred = false

    /// - Parameters:
    ///   - router: the data plane whose deployments, client and metrics it uses.
    ///   - idleTimeout: a connection with no request in progress for this long is closed.
    init(router: DeploymentRouter, idleTimeout: TimeAmount) {
        self.router = router
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idleTimer?.cancel()
        let part = unwrapInboundIn(data)
        if case .forwarding = state { pending.append(part) } else { handle(part, context: context) }
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if owed == 0, let (pool, downstream) = fastPath(for: head) {
                state = .gathering(head: head, pool: pool, downstream: downstream, body: context.channel.allocator.buffer(capacity: 0))
            } else {
                state = .passing
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.gathering(let head, let pool, let downstream, var body), .body(var chunk)):
            guard body.readableBytes + chunk.readableBytes <= DeploymentRouter.maxBodyBytes else {
                // Too large for the fast path: Hummingbird's router refuses it with its own answer.
                state = .passing
                context.fireChannelRead(wrapInboundOut(.head(head)))
                context.fireChannelRead(wrapInboundOut(.body(body)))
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            state = .forwarding  // so that `body` is the buffer's only owner while it grows
            body.writeBuffer(&chunk)
            state = .gathering(head: head, pool: pool, downstream: downstream, body: body)
        case (.gathering(let head, let pool, let downstream, let body), .end):
            state = .forwarding
            forward(head, body: body, downstream: downstream, pool: pool, context: context)
        case (.passing, .end):
            state = .idle
            owed += 1
            context.fireChannelRead(wrapInboundOut(part))
        default:
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// A fast request is answered (or handed on): the parts that waited are taken up, then reading resumes.
    private func resume(context: ChannelHandlerContext) {
        var replayed = false
        defer { if replayed { context.fireChannelReadComplete() } }
        while !pending.isEmpty {
            if case .forwarding = state { return }
            handle(pending.removeFirst(), context: context)
            replayed = true
        }
        if case .forwarding = state { return }
        if readDeferred {
            readDeferred = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .forwarding = state { readDeferred = true } else { context.read() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Only Hummingbird's answers pass here (this handler writes its own further down the pipeline).
        if case .end = unwrapOutboundIn(data) {
            owed = max(0, owed - 1)
            if owed == 0, case .idle = state { armIdleTimer(context) }
        }
        context.write(data, promise: promise)
    }

    /// The pool and downstream path of a request the fast path can take, or nil.
    private func fastPath(for head: HTTPRequest) -> (ReplicaPool, String)? {
        guard let path = head.path, path.hasPrefix(DeploymentRouter.prefix) else { return nil }
        let rest = path.dropFirst(DeploymentRouter.prefix.count)
        let name = String(rest.prefix { $0 != "/" && $0 != "?" })
        let downstream = String(rest.dropFirst(name.count))
        guard downstream.hasPrefix("/v2"), let pool = router.supervisor.pools[name],
              DeploymentRouter.isAuthorized(head.headerFields[.authorization], for: pool.deployment) else { return nil }
        return (pool, downstream)
    }

    private func forward(_ head: HTTPRequest, body: ByteBuffer, downstream: String, pool: ReplicaPool, context: ChannelHandlerContext) {
        let started = DeploymentSupervisor.now()
        guard let replica = pool.pick(now: started), let port = replica.port else {
            passToRouter(head, body: body, context: context)
            return
        }
        let outgoing = DeploymentRouter.outgoing(method: head.method, downstream: downstream, headers: head.headerFields, body: body)
        let router = self.router
        router.supervisor.client.execute(outgoing, port: port, on: context.eventLoop,
                                         deadline: .now() + .seconds(DeploymentRouter.answerTimeoutSeconds))
            .assumeIsolated().whenComplete { result in
                pool.release(replica)
                switch result {
                case .success(let answer):
                    pool.recordRequest(seconds: DeploymentSupervisor.now() - started, failed: answer.head.status.code >= 500)
                    router.recordInference(path: head.path ?? "", status: Int(answer.head.status.code), started: started)
                    self.respond(with: answer, context: context)
                case .failure:
                    // The replica may be dying: the router tries again, on another replica if there is one.
                    router.supervisor.wake()
                    self.passToRouter(head, body: body, context: context)
                }
            }
    }

    private func respond(with answer: ReplicaClient.Answer, context: ChannelHandlerContext) {
        var (head, body) = DeploymentRouter.response(of: answer)
        head.headerFields[.contentLength] = String(body.readableBytes)
        state = .idle
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        body.clear()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        armIdleTimer(context)
        resume(context: context)
    }

    /// Hands a gathered request to Hummingbird, as if it had just arrived.
    private func passToRouter(_ head: HTTPRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
        state = .idle
        owed += 1
        context.fireChannelRead(wrapInboundOut(.end(nil)))
        context.fireChannelReadComplete()
        resume(context: context)
    }

    private func armIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }
}
