import Foundation

/// Multi-head attention on the CPU: the (batch, head) items are spread over the threads, each
/// running its small GEMMs serially (threading inside a 64 × 64 product costs more than it
/// gains; the items are the parallelism).
extension CPUBackend {
    /// Items per thread so that each thread gets at least about 64 K multiply-adds.
    static func attentionGrain(_ p: AttentionParameters) -> Int {
        Swift.max(1, 65_536 / Swift.max(1, p.queryLength * p.keyLength * (p.keyDimensions + p.valueDimensions)))
    }

    public func attention(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                          value: UnsafePointer<Float>, keep: UnsafePointer<Float>?, dropout: UnsafePointer<Float>?,
                          weights: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let path = KernelPath.current.code
        Parallel.forRanges(p.items, grain: Self.attentionGrain(p)) { items in
            let scratch = dropout == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: p.queryLength * p.keyLength)
            defer { scratch?.deallocate() }
            AttentionKernels.forward(p, path: path, gemm: self, query: query, key: key, value: value, keep: keep, dropout: dropout,
                                     weights: weights, output: output, scratch: scratch, items)
        }
    }

    public func attentionBackward(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                                  value: UnsafePointer<Float>, dropout: UnsafePointer<Float>?,
                                  weights: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                  dQuery: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>,
                                  dValue: UnsafeMutablePointer<Float>) {
        let path = KernelPath.current.code
        Parallel.forRanges(p.items, grain: Self.attentionGrain(p)) { items in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, 2 * p.queryLength * p.keyLength))
            defer { scratch.deallocate() }
            AttentionKernels.backward(p, path: path, gemm: self, query: query, key: key, value: value, dropout: dropout,
                                      weights: weights, dy: dy, dQuery: dQuery, dKey: dKey, dValue: dValue,
                                      scratch: scratch, items)
        }
    }
}
