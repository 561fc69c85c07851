import Foundation
import Testing
import LeptonTensor

/// The choice of build for the float32 C kernels: the best one this CPU runs, and a task's own.
@Suite struct KernelPathTests {
    @Test func theBestPathRunsHereAndIsSelected() {
        #expect(KernelPath.portable.isSupported)
        #expect(KernelPath.best.isSupported)
        #expect(KernelPath.selected.isSupported)
        #expect(KernelPath.allCases.filter(\.isSupported).last == KernelPath.best, "the widest this CPU runs")
    }

    @Test func withSetsThePathForThisTaskOnly() {
        let before = KernelPath.current
        KernelPath.with(.portable) {
            #expect(KernelPath.current == .portable)
        }
        #expect(KernelPath.current == before)
    }

    /// The recurrent cells' sigmoid and tanh (C, one build per path) against the C library's.
    @Test(arguments: KernelPath.allCases.filter(\.isSupported))
    func theRecurrentActivationsAgreeWithTheLibraryOnEveryPath(path: KernelPath) {
        let xs = stride(from: Float(-20), through: 20, by: 0.37).map { $0 } + [0, 1e-6, -1e-6, 88, -88, 200, -200]
        var sigmoid = xs, tanh = xs
        KernelPath.with(path) {
            sigmoid.withUnsafeMutableBufferPointer { RecurrentMath.sigmoid($0.baseAddress!, $0.count) }
            tanh.withUnsafeMutableBufferPointer { RecurrentMath.tanh($0.baseAddress!, $0.count) }
        }
        for (i, x) in xs.enumerated() {
            #expect(abs(sigmoid[i] - 1 / (1 + Foundation.exp(-x))) <= 1e-6, "\(path): sigmoid(\(x)) = \(sigmoid[i])")
            #expect(abs(tanh[i] - Foundation.tanh(x)) <= 1e-6, "\(path): tanh(\(x)) = \(tanh[i])")
        }
    }
}
