import Foundation
import LeptonPlatform
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Runs the deployments' replicas: makes the `lepton serve` processes match each deployment's
/// desired state (its versions, the autoscaler's target), admits a replica to traffic only once
/// `/v2/health/ready` answers, probes `/v2/health/live`, replaces a replica that crashes or hangs,
/// rolls versions over (new replicas ready first, then the old ones drained and stopped), and
/// stops every replica when the server stops. Replica folders live in `<data>/deployments/replicas/`;
/// replicas an earlier, killed platform process left running are killed at start, and existing
/// deployments get fresh replicas.
///
/// ```swift
/// let supervisor = DeploymentSupervisor(platform: platform)
/// await supervisor.start()
/// // … serve …
/// await supervisor.stop()
/// ```
public actor DeploymentSupervisor {
    private nonisolated let executor = QueueExecutor(queue: DispatchQueue(label: "lepton.platform.deployments"))
    /// The supervisor runs on a queue of its own (it starts and stops replica processes).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let platform: Platform
    /// The `lepton` executable replicas run (`serve`).
    let executable: String
    let replicasFolder: URL
    let repositories: ServeRepository
    nonisolated let pools = PoolTable()
    /// The client the router and the probes share (kept-alive connections to the replicas).
    nonisolated let client = ReplicaClient(maxAnswerBytes: DeploymentRouter.maxResponseBytes)
    let logger: Logger
    private var loop: Task<Void, Never>?
    private var running = false
    private var reconcileTickets = 0, appliedTicket = 0
    /// Events in the order they happened, written by one task.
    private nonisolated let events: AsyncStream<(Deployment, String, String)>.Continuation
    private var eventWriter: Task<Void, Never>?
    private let pendingEvents: AsyncStream<(Deployment, String, String)>

    /// How often the supervisor reconciles when nothing wakes it, in seconds.
    static let reconcileInterval = 0.25
    /// How often load is sampled and the autoscaler consulted, in seconds.
    static let sampleInterval = 1.0
    /// How often replica processes are checked for having ended, in seconds.
    static let exitCheckInterval = 0.05
    /// How often replicas' liveness is probed, in seconds.
    static let probeInterval = 2.0
    /// Liveness probes failed in a row after which a replica counts as hung and is replaced.
    static let probeFailureLimit = 3
    /// Longest wait for a new replica to become ready, in seconds.
    static let startTimeout = 120.0

    /// Creates a supervisor of `platform`'s deployments whose replicas run `executable serve`.
    public init(platform: Platform, executable: String = Platform.currentExecutable, logger: Logger = Logger(label: "lepton.deployments")) {
        self.platform = platform
        self.executable = executable
        let folder = platform.dataFolder.appendingPathComponent("deployments")
        replicasFolder = folder.appendingPathComponent("replicas")
        repositories = ServeRepository(folder: folder.appendingPathComponent("repositories"))
        self.logger = logger
        let stream = AsyncStream.makeStream(of: (Deployment, String, String).self)
        pendingEvents = stream.stream
        events = stream.continuation
    }

    /// Seconds on a monotonic clock.
    nonisolated static func now() -> Double { ProcessInfo.processInfo.systemUptime }

    /// Kills replicas left by an earlier process, then starts supervising.
    public func start() {
        guard !running else { return }
        running = true
        try? FileManager.default.createDirectory(at: replicasFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        ReplicaProcess.killLeftovers(in: replicasFolder)
        let platform = self.platform, logger = self.logger, pending = pendingEvents
        eventWriter = Task {
            for await (deployment, kind, message) in pending {
                do { try await platform.deployments.record(deployment, kind, message) } catch {
                    logger.error("cannot record a deployment event", metadata: ["error": "\(error)"])
                }
            }
        }
        loop = Task { await self.supervise() }
    }

    /// Stops supervising and stops every replica (SIGTERM to its process group, SIGKILL after a
    /// grace period), then closes the client's idle connections.
    public func stop() async {
        guard running else { return }
        running = false
        loop?.cancel()
        _ = await loop?.value
        await withTaskGroup(of: Void.self) { group in
            for (name, pool) in pools.all {
                pools[name] = nil
                for replica in pool.replicas {
                    pool.setPhase(replica, .stopped)
                    if let process = replica.process { group.addTask { await process.stop(grace: 3) } }
                }
            }
        }
        events.finish()
        _ = await eventWriter?.value
        client.closeIdle()
    }

    /// The process ids of a deployment's replicas that take traffic (for status and tests).
    public nonisolated func readyReplicaPIDs(_ name: String) -> [Int32] {
        guard let pool = pools[name] else { return [] }
        return pool.replicas.filter { pool.phase(of: $0) == .ready }.compactMap { $0.process?.pid }
    }

    /// Asks for a reconciliation now (after a change through the API, or a request held for a cold start).
    public nonisolated func wake() { pools.wake() }

    /// The pool of deployment `name`, reconciling first if it is not known yet (just created).
    func pool(named name: String) async -> ReplicaPool? {
        if let pool = pools[name] { return pool }
        await reconcile()
        return pools[name]
    }

    private func supervise() async {
        var lastReconcile = -Double.infinity, lastSample = Self.now(), lastProbe = Self.now(), lastExitCheck = Self.now()
        while !Task.isCancelled {
            let now = Self.now()
            if pools.takeWake() || now - lastReconcile >= Self.reconcileInterval {
                await reconcile()
                lastReconcile = Self.now()
            }
            if now - lastExitCheck >= Self.exitCheckInterval {
                checkExits()
                lastExitCheck = now
            }
            if now - lastSample >= Self.sampleInterval {
                autoscale(interval: now - lastSample, now: now)
                lastSample = now
            }
            if now - lastProbe >= Self.probeInterval {
                lastProbe = now
                Task { await self.probeLiveness() }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Reconciling

    /// Makes the replicas match every deployment's desired state. Calls may overlap (the store
    /// is read with the actor free); a snapshot older than one already applied is dropped.
    func reconcile() async {
        reconcileTickets += 1
        let ticket = reconcileTickets
        guard running, let deployments = try? await platform.deployments.all(), ticket > appliedTicket else { return }
        appliedTicket = ticket
        let names = Set(deployments.map(\.name))
        for (name, pool) in pools.all where !names.contains(name) {
            pools[name] = nil
            for replica in pool.replicas { drain(replica, in: pool, reason: "the deployment was deleted") }
        }
        for deployment in deployments {
            let pool: ReplicaPool
            if let existing = pools[deployment.name], existing.deployment.id == deployment.id {
                pool = existing
                pool.deployment = deployment
            } else {
                pool = ReplicaPool(deployment, now: Self.now())
                pools[deployment.name] = pool
            }
            converge(pool)
        }
    }

    private func converge(_ pool: ReplicaPool) {
        let deployment = pool.deployment
        if pool.target == 0 && pool.hasWaitingRequests {
            pool.target = 1
            record(pool, "scaled", "scaled from 0 to 1 replica: a request arrived (cold start)")
        }
        let target = pool.target, now = Self.now()
        let replicas = pool.replicas
        var servedReady = true
        for version in deployment.servedVersions {
            let want = version == deployment.version ? target : Self.canaryReplicas(target: target, percent: deployment.canary?.percent ?? 0)
            let live = replicas.filter { $0.version == version && [.starting, .ready].contains(pool.phase(of: $0)) }
            if live.filter({ pool.phase(of: $0) == .ready }).count < want { servedReady = false }
            if live.count < want, pool.mayStart(now: now) {
                for _ in live.count..<want { startReplica(version: version, in: pool, replaces: nil) }
            } else if live.count > want {
                // Replicas still starting go first, then the youngest ready ones.
                let extra = live.sorted { (pool.phase(of: $0) == .starting ? 0 : 1, $1.created) < (pool.phase(of: $1) == .starting ? 0 : 1, $0.created) }
                for replica in extra.prefix(live.count - want) { drain(replica, in: pool, reason: "scaled down") }
            }
        }
        let retired = replicas.filter { !deployment.servedVersions.contains($0.version) && [.starting, .ready].contains(pool.phase(of: $0)) }
        let retiring = retired.filter { servedReady || pool.phase(of: $0) == .starting }
        if !retiring.isEmpty {
            let versions = Set(retiring.map(\.version)).sorted().map(String.init).joined(separator: ", ")
            record(pool, "rollout", "version \(deployment.version)\(deployment.canary.map { " and canary \($0.version)" } ?? "") ready; draining \(retiring.count) replica(s) of version \(versions)")
            for replica in retiring { drain(replica, in: pool, reason: "version \(replica.version) retired") }
        }
    }

    /// The canary's replicas for a stable target: its share of it, rounded up, at least one (none when scaled to zero).
    static func canaryReplicas(target: Int, percent: Int) -> Int {
        target == 0 ? 0 : max(1, Int((Double(target) * Double(percent) / 100).rounded(.up)))
    }

    // MARK: Replica life

    private func startReplica(version: Int, in pool: ReplicaPool, replaces: String?) {
        let replica = Replica(id: "rep_\(UUID().uuidString.prefix(8).lowercased())\(Int.random(in: 0..<65536))", version: version, replaces: replaces)
        pool.add(replica)
        Task { await self.launch(replica, in: pool) }
    }

    private func launch(_ replica: Replica, in pool: ReplicaPool) async {
        let deployment = pool.deployment, started = Self.now()
        do {
            let repository = try await repositories.materialise(deployment, version: replica.version, service: platform.deployments)
            guard pool.phase(of: replica) == .starting, running else {
                pool.remove(replica)
                return
            }
            let process = try ReplicaProcess(id: replica.id, executable: executable, repository: repository,
                                             folder: replicasFolder.appendingPathComponent(replica.id))
            pool.setProcess(replica, process)
            let replacing = replica.replaces.map { ", replacing \($0)" } ?? ""
            record(pool, "replica.started", "replica \(replica.id) of version \(replica.version) started (pid \(process.pid))\(replacing)")
            guard pool.phase(of: replica) == .starting else {
                await process.stop(grace: 1)
                return
            }
            let port = try await waitUntilReady(process)
            guard pool.admit(replica, port: port) else {
                await process.stop(grace: 1)
                return
            }
            pool.startFinished(ok: true, now: Self.now())
            record(pool, "replica.ready", "replica \(replica.id) of version \(replica.version) ready on port \(port) after \(String(format: "%.2f", Self.now() - started)) s")
            pools.wake()
        } catch {
            pool.startFinished(ok: false, now: Self.now())
            let log = replica.process.map { "; its log ends: \($0.logTail())" } ?? ""
            record(pool, "replica.failed", "replica \(replica.id) of version \(replica.version) did not become ready: \(error)\(log)")
            pool.setPhase(replica, .stopped)
            pool.remove(replica)
            await replica.process?.stop(grace: 1)
            pools.wake()
        }
    }

    /// Waits for the process's port file, then for `/v2/health/ready` to answer 200.
    private func waitUntilReady(_ process: ReplicaProcess) async throws -> Int {
        let deadline = Self.now() + Self.startTimeout
        var port: Int?
        while Self.now() < deadline {
            guard process.isRunning else { throw PlatformError(.internalError, "its process exited") }
            if port == nil { port = process.port }
            if let port, await get(port: port, path: "/v2/health/ready", timeout: .seconds(2)) { return port }
            try await Task.sleep(for: .milliseconds(port == nil ? 20 : 50))
        }
        throw PlatformError(.internalError, "it was not ready within \(Int(Self.startTimeout)) s")
    }

    /// Whether `GET path` on a replica's port answers 200 within `timeout`.
    nonisolated func get(port: Int, path: String, timeout: TimeAmount) async -> Bool {
        await client.isOK(port: port, path: path, on: MultiThreadedEventLoopGroup.singleton.any(), timeout: timeout)
    }

    /// Reaps replica processes that ended.
    private func checkExits() {
        for (_, pool) in pools.all {
            for replica in pool.replicas {
                if let process = replica.process, !process.isRunning { exited(replica, in: pool) }
            }
        }
    }

    /// A replica's process ended: expected when it was drained or stopped, a crash otherwise
    /// (then a replacement starts).
    private func exited(_ replica: Replica, in pool: ReplicaPool) {
        let before = pool.setPhase(replica, .stopped)
        pool.remove(replica)
        try? FileManager.default.removeItem(at: replicasFolder.appendingPathComponent(replica.id))
        guard before == .ready, running, pools[pool.deployment.name] === pool else { return }
        record(pool, "replica.crashed", "replica \(replica.id) of version \(replica.version) (pid \(replica.process?.pid ?? 0)) exited; replacing it")
        if pool.deployment.servedVersions.contains(replica.version) {
            startReplica(version: replica.version, in: pool, replaces: replica.id)
        }
        pools.wake()
    }

    /// Takes a replica out of traffic, waits for its in-flight requests (at most 30 s), then stops it.
    private func drain(_ replica: Replica, in pool: ReplicaPool, reason: String) {
        let before = pool.setPhase(replica, .draining)
        guard before == .starting || before == .ready else {
            if before != .draining { pool.setPhase(replica, before) }
            return
        }
        Task {
            let deadline = Self.now() + 30
            while pool.outstanding(of: replica) > 0 && Self.now() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            await replica.process?.stop(grace: 5)
            self.stopped(replica, in: pool, reason: reason, wasReady: before == .ready)
        }
    }

    private func stopped(_ replica: Replica, in pool: ReplicaPool, reason: String, wasReady: Bool) {
        pool.setPhase(replica, .stopped)
        pool.remove(replica)
        if wasReady, pools[pool.deployment.name] === pool {
            record(pool, "replica.stopped", "replica \(replica.id) of version \(replica.version) drained and stopped: \(reason)")
        }
    }

    // MARK: Probes and scaling

    private func probeLiveness() async {
        for (_, pool) in pools.all {
            for replica in pool.replicas where pool.phase(of: replica) == .ready {
                guard let port = replica.port else { continue }
                let alive = await get(port: port, path: "/v2/health/live", timeout: .seconds(2))
                if pool.probed(replica, ok: alive) == Self.probeFailureLimit, pool.phase(of: replica) == .ready {
                    record(pool, "replica.hung", "replica \(replica.id) failed \(Self.probeFailureLimit) liveness probes in a row; killing it")
                    replica.process?.signal(SIGKILL)
                }
            }
        }
    }

    private func autoscale(interval: Double, now: Double) {
        for (_, pool) in pools.all {
            let deployment = pool.deployment, rule = deployment.scaling
            let keep = max(rule.scaleUpWindowSeconds, rule.scaleDownWindowSeconds) + 5
            let (samples, lastRequest) = pool.sample(now: now, interval: interval, keep: keep, wallClock: Date())
            let current = pool.target
            let desired = Autoscaler.desiredReplicas(current: current, samples: samples, lastActivity: lastRequest, now: now, rule: rule,
                                                     minReplicas: deployment.minReplicas, maxReplicas: deployment.maxReplicas)
            guard desired != current else { continue }
            pool.target = desired
            let load = samples.last.map { String(format: "%.1f requests/s, %.0f in flight", $0.requestsPerSecond, $0.queueDepth) } ?? "no load"
            let why = desired == 0 && rule.scaleToZeroAfterSeconds != nil ? "idle for \(Int(now - lastRequest)) s"
                : desired == deployment.minReplicas && current < desired ? "the minimum is \(desired)"
                : desired == deployment.maxReplicas && current > desired ? "the maximum is \(desired)" : load
            record(pool, "scaled", "scaled from \(current) to \(desired) replica\(desired == 1 ? "" : "s") (\(why))")
            pools.wake()
        }
    }

    /// Appends an event to the deployment's log (a failure to write it is logged, not thrown).
    private nonisolated func record(_ pool: ReplicaPool, _ kind: String, _ message: String) {
        let deployment = pool.deployment
        logger.info("deployment event", metadata: ["deployment": "\(deployment.name)", "kind": "\(kind)", "message": "\(message)"])
        events.yield((deployment, kind, message))
    }
}
