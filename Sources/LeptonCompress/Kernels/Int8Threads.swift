import Foundation
import LeptonTensor

/// Splits int8 kernel work over ``Lepton/threadCount`` threads, as the fp32 kernels do.
enum Int8Threads {
    /// Runs `body` over `0..<count` in contiguous chunks, each at least `grain` items.
    static func forRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let threads = max(1, min(Lepton.threadCount, count / max(grain, 1)))
        if threads <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lo = count * t / threads, hi = count * (t + 1) / threads
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
