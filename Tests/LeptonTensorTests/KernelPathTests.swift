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
}
