import Dispatch

extension Duration {
    /// The duration in whole nanoseconds, saturating at 0 and `Int.max` (about 292 years)
    /// instead of overflowing, so any clock difference can schedule a Dispatch timer.
    var saturatingNanoseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return Int.max }
        let (total, overflow2) = Int(clamping: whole).addingReportingOverflow(Int(clamping: attoseconds / 1_000_000_000))
        return overflow2 ? Int.max : Swift.max(total, 0)
    }

    /// A Dispatch delay of this duration (saturating, see ``saturatingNanoseconds``).
    var dispatchInterval: DispatchTimeInterval { .nanoseconds(saturatingNanoseconds) }
}
