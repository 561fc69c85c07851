import Testing
import Foundation
import LeptonTensor
import LeptonNN

@Suite struct AttentionZZPerfProbe {
    @Test func encoderTiming() {
        guard ProcessInfo.processInfo.environment["ATTN_PERF"] != nil else { return }
        let enc = TransformerEncoder(layers: 6, modelDimensions: 128, heads: 4, feedForwardDimensions: 512, dropout: 0)
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.normal([32, 64, 128], generator: &rng)
        for i in 0..<6 {
            let t0 = Date()
            let y = enc(x)
            let t1 = Date()
            y.sum().backward()
            let t2 = Date()
            enc.zeroGrad()
            print("iter \(i): forward \(t1.timeIntervalSince(t0) * 1000) ms, backward \(t2.timeIntervalSince(t1) * 1000) ms")
        }
    }
}
