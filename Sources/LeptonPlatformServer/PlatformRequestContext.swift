import Foundation
import Hummingbird
import LeptonPlatform
import NIOCore

/// The request context of the platform API: Hummingbird's core context, the caller's address,
/// and the principal the auth middleware found (in a box, so the outer audit middleware sees
/// what the inner auth middleware set).
public struct PlatformRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer's address.
    public let remoteAddress: SocketAddress?
    /// The event loop of the connection the request came on.
    public let eventLoop: any EventLoop
    /// Who is calling, once authenticated.
    let identity = IdentityBox()

    /// Creates the context of a request arriving on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        eventLoop = source.channel.eventLoop
    }

    /// The caller's address as text for the audit log.
    var sourceAddress: String {
        guard let address = remoteAddress else { return "unknown" }
        if let ip = address.ipAddress { return "\(ip):\(address.port ?? 0)" }
        return address.description
    }
}

/// The principal of a request, set once by the auth middleware.
final class IdentityBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Principal?

    var principal: Principal? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
