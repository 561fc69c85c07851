import Foundation

/// Marks a running trial alive every `interval` seconds until stopped, so that another
/// process can tell a slow trial from one whose worker died on another host.
final class Heartbeat: @unchecked Sendable {
    private let timer: DispatchSourceTimer

    init(study: Study, trial: Trial, interval: TimeInterval = 30) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { try? study.heartbeat(trial) }
        timer.resume()
    }

    func stop() { timer.cancel() }

    deinit { timer.cancel() }
}
